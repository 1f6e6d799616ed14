"""The offline answer to a chat question, composed from the campaign's own data in the prompt's values.

It reads what the answering call is given (the current phases and posts with their numbers, the open
alerts) and answers in two or three sentences: the phase with the lowest CTR and its figure, with a
regeneration from that phase as the suggested action; or, before any results, the posts still in draft.
The same data always gives the same answer.
"""
from .compose import composer, Facts

DRAFT_WORDS = ("draft", "review", "approv", "written", "ready", "publish")
TITLES_NAMED = 3


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _titles(posts: list[dict]) -> str:
    named = [f"“{post['title']}”" for post in posts[:TITLES_NAMED]]
    more = len(posts) - len(named)
    listed = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1] if named else ""
    return listed + (f" and {more} more" if more > 0 else "")


def _alerts(alerts: list[str]) -> str:
    if not alerts:
        return ""
    first = alerts[0].rstrip(".")
    if len(alerts) == 1:
        return f"One alert is open: {first}."
    return f"{len(alerts)} alerts are open, the newest: {first}."


@composer("chat_answer")
def compose_chat_answer(facts: Facts) -> dict:
    values = facts.values
    phases = values.get("phases") or []
    alerts = values.get("alerts") or []
    question = (values.get("question") or "").lower()
    if not phases:
        return {"answer": "This campaign has no strategy yet, so there is nothing to measure. Plan it on the board, "
                          "then ask again once its posts are written.", "action": None}
    measured = [phase for phase in phases if phase.get("impressions")]
    if measured and not any(word in question for word in DRAFT_WORDS):
        return _lowest_ctr(measured, alerts)
    return _drafts(phases, alerts, measured)


def _lowest_ctr(measured: list[dict], alerts: list[str]) -> dict:
    weakest = min(measured, key=lambda phase: (phase["ctr"], phase["number"]))
    number = weakest["number"]
    figure = (f"Phase {number} ({weakest['name']}) has the lowest CTR so far: {weakest['ctr_text']}, "
              f"{_count(weakest['clicks'], 'click')} from {_count(weakest['impressions'], 'impression')}")
    others = [phase for phase in measured if phase is not weakest]
    if others:
        best = max(others, key=lambda phase: (phase["ctr"], -phase["number"]))
        figure += f", against {best['ctr_text']} in phase {best['number']}"
    sentences = [figure + "."]
    posts = [post for post in weakest["posts"] if post.get("impressions")]
    if posts:
        low = min(posts, key=lambda post: (post["ctr"], post["id"]))
        sentences.append(f"Its weakest post is “{low['title']}” on {low['channel']} at {low['ctr_text']}.")
    alert = _alerts(alerts)
    if alert and len(sentences) < 3:
        sentences.append(alert)
    direction = (f"Win back clicks in phase {number}: open each post with one concrete result for the reader, "
                 "keep the copy short, and end with a single clear call to action.")
    return {"answer": " ".join(sentences),
            "action": {"kind": "regenerate", "phase": number, "direction": direction}}


def _drafts(phases: list[dict], alerts: list[str], measured: list[dict]) -> dict:
    posts = [post for phase in phases for post in phase["posts"]]
    drafts = [post for post in posts if post.get("review") == "draft"]
    if drafts:
        first = f"{_count(len(drafts), 'post')} of {len(posts)} {'is' if len(drafts) == 1 else 'are'} still in " \
                f"draft: {_titles(drafts)}."
    else:
        first = f"None of the {len(posts)} posts is in draft; each is in review, approved or sent back for changes."
    sentences = [first]
    if not measured:
        sentences.append("No results are recorded yet, so no phase can be judged on its numbers; record them on "
                         "the Results page.")
    alert = _alerts(alerts)
    if alert and len(sentences) < 3:
        sentences.append(alert)
    return {"answer": " ".join(sentences), "action": None}
