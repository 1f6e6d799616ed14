"""What a chat answer's model call may know, bounded whatever the campaign's history.

The campaign (name, product, goals, launch date), the current version's phases and posts in short
(title, channel, phase, day, review state), the latest results per phase and post (CTR, conversions),
the open alerts, the last few messages (at most HISTORY_MESSAGES, and HISTORY_CHARS together), and the
brand voice in force. Each text is shortened; a strategy holds at most 6 phases of 5 posts, so the
prompt does not grow with the number of messages, versions or metric rows.
"""
from sqlalchemy import select

from ... import llm
from ...extensions import db
from ...models import Campaign, ChatMessage, Phase
from .. import graph, results, strategy, voice
from ..results.alerts import alert_sentence
from ..results.summary import by_post_and_variant, current_posts
from ..results.totals import Totals, metric_text

HISTORY_MESSAGES = 6
HISTORY_CHARS = 640
HISTORY_TEXT_CHARS = 140
HISTORY_REPLY_CHARS = 180
FACT_CHARS = 300
TITLE_CHARS = 80
PHASE_NAME_CHARS = 60
POSTS_MAX = graph.PHASES_MAX * graph.POSTS_MAX
ALERTS_MAX = 5
ALERT_CHARS = 200
REVIEW_WORDS = {"draft": "draft", "in_review": "in review", "approved": "approved",
                "changes_requested": "changes requested"}


def short(text, limit: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def answer_prompt(campaign: Campaign, message: ChatMessage) -> llm.Prompt:
    """Render the answering call of a question."""
    return llm.render("chat_answer", **answer_context(campaign, message))


def answer_context(campaign: Campaign, message: ChatMessage) -> dict:
    """The prompt values of a question's answer (the offline model composes its answer from them too)."""
    return {
        "campaign": {"name": short(campaign.name, TITLE_CHARS), "product": short(campaign.product, FACT_CHARS),
                     "goals": short(campaign.goals, FACT_CHARS),
                     "launch_date": campaign.launch_date.isoformat() if campaign.launch_date else ""},
        "version": campaign.current_version,
        "phases": _phases(campaign),
        "alerts": [short(alert_sentence(alert), ALERT_CHARS)
                   for alert in results.open_alerts(campaign.workspace_id, campaign.id)[:ALERTS_MAX]],
        "history": _history(message),
        "question": message.text,
        "text_max": strategy.DIRECTION_MAX,
        "voice": voice.prompt_voice(campaign),
    }


def _rate(totals: Totals) -> dict:
    return {"ctr": totals.ctr, "ctr_text": metric_text("ctr", totals.ctr), "impressions": totals.impressions,
            "clicks": totals.clicks, "conversions": totals.conversions}


def _phases(campaign: Campaign) -> list[dict]:
    """The current version's phases with their posts in short, and the numbers each has so far."""
    if not campaign.current_version:
        return []
    posts = current_posts(campaign)[:POSTS_MAX]
    sums = by_post_and_variant(campaign.id, [post.id for post in posts]) if posts else {}
    rows = db.session.scalars(select(Phase).where(Phase.campaign_id == campaign.id,
                                                  Phase.version == campaign.current_version).order_by(Phase.number))
    found, names = [], strategy.channel_names()
    for phase in rows:
        listed, phase_totals = [], Totals()
        for post in (p for p in posts if p.phase == phase.number):
            totals = Totals.of(sums.get(post.id, {}).values())
            phase_totals.add(totals)
            listed.append({"id": post.id, "title": short(post.title, TITLE_CHARS), "channel": names.get(post.channel, post.channel),
                           "day": post.day, "review": REVIEW_WORDS.get(post.review, post.review),
                           "written": post.status == "written", **_rate(totals)})
        found.append({"number": phase.number, "name": short(phase.name, PHASE_NAME_CHARS), "posts": listed,
                      **_rate(phase_totals)})
    return found


def _history(message: ChatMessage) -> list[dict]:
    """The messages before this one, oldest first: at most HISTORY_MESSAGES, each shortened, HISTORY_CHARS in all."""
    earlier = db.session.scalars(select(ChatMessage).where(
        ChatMessage.campaign_id == message.campaign_id, ChatMessage.id < message.id)
        .order_by(ChatMessage.id.desc()).limit(HISTORY_MESSAGES)).all()
    kept, used = [], 0
    for row in earlier:
        item = {"text": short(row.text, HISTORY_TEXT_CHARS), "reply": short(row.reply, HISTORY_REPLY_CHARS)}
        size = len(item["text"]) + len(item["reply"])
        if used + size > HISTORY_CHARS:
            break
        kept.append(item)
        used += size
    return kept[::-1]
