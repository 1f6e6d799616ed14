"""Offline answers for the strategy: a phased plan, and the A/B variants of a post.

The plan always follows the graph rules (gtm.services.graph), so the offline provider
exercises the whole pipeline; its wording comes from the campaign, the direction and the
post's own brief.
"""
import textwrap

from .compose import Facts, composer, first_sentence

PHASES = [
    ("Tease", "Make {audience} feel the problem before they hear of the product",
     ["The hidden cost of {pain}", "A week in the life of {audience_short}", "Why {pain} keeps getting worse",
      "Three signs you have outgrown {pain}", "What {audience_short} told us"]),
    ("Launch", "Introduce {product_short} and get the first sign-ups",
     ["Meet {name}", "How {product_short} works in five minutes", "Launch day: what you get",
      "Founder's note: why we built it", "Live demo invitation"]),
    ("Proof", "Show that it works for people like them",
     ["Customer story: the first month", "Before and after, in numbers", "Answers to the top five questions",
      "How it compares with {competitor}", "Behind the scenes with a customer"]),
    ("Convert", "Turn interest into paid sign-ups before the offer ends",
     ["Last call: the launch offer", "Start in ten minutes", "Your first week, planned for you",
      "Bring a colleague, both save", "Thank you, and what comes next"]),
    ("Retain", "Keep new customers active and turn them into advocates",
     ["Tips from power users", "What we shipped this month", "Share your results", "Community meetup",
      "Referral rewards"]),
]
SIZES = {3: [3, 4, 3], 4: [3, 4, 3, 2], 5: [2, 3, 3, 2, 2]}
START_DAYS = [0, 7, 14, 28, 42]
CHANNEL_NAMES = {"linkedin": "LinkedIn", "x": "X", "instagram": "Instagram", "facebook": "Facebook",
                 "tiktok": "TikTok", "youtube": "YouTube", "email": "email", "blog": "the blog",
                 "newsletter": "the newsletter", "reddit": "Reddit"}
HOOKS_A = ["Straight to the outcome", "A number that matters", "A clear promise"]
HOOKS_B = ["A question to the reader", "A short story", "A surprising contrast"]


def _words(facts: Facts) -> dict:
    campaign = facts.campaign
    audience = (campaign.get("audience") or "our audience").strip()
    competitors = campaign.get("competitors") or []
    product = facts.product_phrase()
    return {
        "audience": audience[0].lower() + audience[1:] if audience else audience,
        "audience_short": textwrap.shorten(audience[0].lower() + audience[1:] if audience else audience, 40,
                                           placeholder="…"),
        "product_short": textwrap.shorten(campaign.get("name") or product, 40, placeholder="…"),
        "name": campaign.get("name") or "the product",
        "pain": "manual work",
        "competitor": competitors[0] if competitors else "the usual tools",
    }


@composer("plan")
def compose_plan(facts: Facts) -> dict:
    values = facts.values
    channels = list(values.get("channels") or ["linkedin"])
    direction = (values.get("direction") or "").strip()
    count = 4 if not direction or "short" not in direction.lower() else 3
    words = _words(facts)
    phases, keys = [], []
    post_index = 0
    for number, size in enumerate(SIZES[count], start=1):
        name, goal, titles = PHASES[number - 1]
        posts, phase_keys = [], []
        for slot in range(size):
            key = f"p{number}-{'abcde'[slot]}"
            channel = channels[post_index % len(channels)]
            title = titles[slot].format(**words)
            brief = (f"{title}, on {CHANNEL_NAMES.get(channel, channel)}, for {words['audience_short']}. "
                     f"It serves the phase goal: {goal.format(**words)[0].lower() + goal.format(**words)[1:]}.")
            if direction:
                brief += f" Direction: {first_sentence(direction, 140)}"
            posts.append({"key": key, "title": title, "channel": channel, "brief": brief,
                          "day": START_DAYS[number - 1] + slot * 2})
            phase_keys.append(key)
            post_index += 1
        phases.append({"number": number, "name": name, "goal": goal.format(**words), "posts": posts})
        keys.append(phase_keys)
    return {"phases": phases, "edges": _edges(keys)}


def _edges(keys: list[list[str]]) -> list[dict]:
    """Join each phase to the next so every post has a parent and a child, with a branch and a merge."""
    edges: list[tuple[str, str]] = []
    for before, after in zip(keys, keys[1:]):
        pairs = {(before[i * len(before) // len(after)], child) for i, child in enumerate(after)}
        pairs |= {(parent, after[i * len(after) // len(before)]) for i, parent in enumerate(before)}
        if len(before) > 1:
            pairs.add((before[1], after[0]))  # a merge: the first post of the next phase has two parents
        if len(after) > 1:
            pairs.add((before[0], after[1]))  # a branch: the first post leads to two posts
        edges.extend(sorted(pairs))
    return [{"from": a, "to": b} for a, b in edges]


def _variant(facts: Facts, label: str, hook: str, salt: str) -> dict:
    values = facts.values
    post = values.get("post") or {}
    limit = int(values.get("body_limit") or 600)
    campaign = facts.campaign
    title = post.get("title") or "Our launch"
    parents = values.get("parents") or []
    lines = [
        f"{hook}: {first_sentence(post.get('brief') or title, 200)}",
        f"{facts.product_phrase()}.",
        f"Built for {(campaign.get('audience') or 'people like you').strip().lower()}, "
        f"so you can reach {first_sentence(campaign.get('goals') or 'your goal', 120).rstrip('.').lower()}.",
    ]
    if parents:
        lines.append(f"Last time: {parents[0].get('title')}. This time we go one step further.")
    if facts.feedback:
        lines.append(f"(Revised: {first_sentence(facts.feedback, 120)})")
    body = "\n\n".join(lines)
    if facts.concise:
        body = lines[0]
    if len(body) > limit:
        body = textwrap.shorten(body, limit, placeholder="…")
    name = (campaign.get("name") or "launch").replace(" ", "")
    return {
        "headline": f"{title}" if label == "A" else f"{title}? Here is how",
        "body": body,
        "call_to_action": facts.pick(["Start your free trial", "Book a demo", "See how it works",
                                      "Join the waiting list"], salt + label)[0],
        "hashtags": [name, (post.get("channel") or "launch").capitalize(), "Launch"][: 3],
        "image_prompt": f"A warm, practical photo for '{title}': {first_sentence(campaign.get('audience') or '', 80)} "
                        f"at work, natural light, no text.",
    }


@composer("post")
def compose_post(facts: Facts) -> dict:
    key = (facts.values.get("post") or {}).get("key", "")
    return {"a": _variant(facts, "A", facts.pick(HOOKS_A, key + "a")[0], key),
            "b": _variant(facts, "B", facts.pick(HOOKS_B, key + "b")[0], key)}


@composer("variant")
def compose_variant(facts: Facts) -> dict:
    values = facts.values
    label = values.get("label") or "A"
    key = (values.get("post") or {}).get("key", "")
    hooks = HOOKS_A if label == "A" else HOOKS_B
    revised = _variant(facts, label, facts.pick(hooks, key + label)[0], key)
    previous = values.get("previous") or {}
    # Feedback that does not mention the headline keeps it, as a person revising the copy would.
    if previous.get("headline") and "headline" not in facts.feedback.lower():
        revised["headline"] = previous["headline"]
    return revised


PIVOT_PHASES = [
    ("Reframe", "Introduce the new angle to {audience_short}: {topic}",
     ["Why we are changing course: {topic}", "What changes for {audience_short}", "A first look at the new {name}",
      "Questions we asked ourselves", "Where {name} fits now"]),
    ("Show", "Prove the new angle with concrete examples: {topic}",
     ["Hands-on: {name} in practice", "A walkthrough for {audience_short}", "Behind the build",
      "Five minutes with {name}", "What changed for our first users"]),
    ("Convert", "Turn the new interest into sign-ups",
     ["Try {name} today", "Your first week with {name}", "Ask us anything",
      "Bring your team to {name}", "The offer, and what comes next"]),
    ("Grow", "Keep new users active and make them advocates",
     ["Tips from early adopters", "What we shipped this month", "Share your results", "Community meetup",
      "Referral rewards"]),
]
NEW_SIZES = [3, 3, 2, 2, 2, 2]


@composer("regenerate")
def compose_regeneration(facts: Facts) -> dict:
    """Plan the new phases of a regeneration, linked from the kept posts of the phase before."""
    values = facts.values
    channels = list(values.get("channels") or ["linkedin"])
    direction = (values.get("direction") or "").strip()
    start = int(values.get("from_phase") or 1)
    taken = set(values.get("all_kept_keys") or [])
    count = max(int(values.get("new_phases_min") or 1), min(int(values.get("new_phases_max") or 3), 5 - start))
    topic = first_sentence(direction, 60).rstrip(".!?") or "our new direction"
    words = {**_words(facts), "topic": topic[0].lower() + topic[1:]}
    day = int(values.get("day_min") or 0)
    phases, keys = [], [list(values.get("kept_keys") or [])]
    post_index = 0
    for offset in range(count):
        number = start + offset
        name, goal, titles = PIVOT_PHASES[min(offset, len(PIVOT_PHASES) - 1)]
        posts, phase_keys = [], []
        for slot in range(NEW_SIZES[offset]):
            key = f"r{number}-{'abcde'[slot]}"
            while key in taken:
                key += "x"
            channel = channels[post_index % len(channels)]
            title = titles[slot].format(**words)
            brief = (f"{title}, on {CHANNEL_NAMES.get(channel, channel)}, for {words['audience_short']}. "
                     f"Direction: {first_sentence(direction, 140)}")
            posts.append({"key": key, "title": title[:200], "channel": channel, "brief": brief,
                          "day": min(365, day + offset * 7 + slot * 2)})
            phase_keys.append(key)
            post_index += 1
        phases.append({"number": number, "name": name, "goal": goal.format(**words), "posts": posts})
        keys.append(phase_keys)
    if not keys[0]:
        keys = keys[1:]
    return {"phases": phases, "edges": _edges(keys)}


@composer("follow_up")
def compose_follow_up(facts: Facts) -> dict:
    """Write one post that follows up on the picked posts, in the channel of the first of them."""
    values = facts.values
    channels = list(values.get("channels") or ["linkedin"])
    picked = values.get("picked") or []
    phase = values.get("phase") or {}
    instruction = " ".join(str(values.get("instruction") or "").split())
    topic = first_sentence(instruction, 90).rstrip(".!?") or "What comes next"
    title = topic[0].upper() + topic[1:]
    channel = next((p["channel_key"] for p in picked if p.get("channel_key") in channels), channels[0])
    words = _words(facts)
    after = " and ".join(f"“{p['title']}”" for p in picked[:3]) or "the earlier posts"
    brief = (f"{title}, on {CHANNEL_NAMES.get(channel, channel)}, for {words['audience_short']}, "
             f"following up on {after}. Instruction: {first_sentence(instruction, 140)}")
    day = min(365, int(values.get("day_min") or 0) + 3)
    new = bool(phase.get("new"))
    return {"title": title[:200], "channel": channel, "brief": brief, "day": day,
            "phase_name": "Follow-up" if new else "",
            "phase_goal": f"Build on what worked so far: {topic[0].lower() + topic[1:]}" if new else ""}
