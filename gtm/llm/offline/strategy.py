"""Offline answers for the strategy: a phased plan, and the A/B variants of a post.

The plan always follows the graph rules (gtm.services.graph), so the offline provider
exercises the whole pipeline. Its wording comes from the campaign (the product's own name, the
audience), and a direction shapes it rather than being quoted: it can shorten the plan, leave a
channel out, take another angle, and say what the posts lead with.
"""
import re

from .compose import (Facts, asks_new_angle, clause, composer, dropped_channels, hashtags, lower_first, shorten,
                      tidy, upper_first)

PHASES = [
    ("Tease", "Make {audience_short} feel the problem before they hear of the product",
     ["The hidden cost of {pain}", "A week in the life of {audience_short}", "Why {pain} keeps getting worse",
      "Three signs you have outgrown {pain}", "What {audience_short} told us", "The busiest day of the year"]),
    ("Launch", "Introduce {name} and get the first sign-ups",
     ["Meet {name}", "How {name} works in five minutes", "Launch day: what you get",
      "Founder's note: why we built {name}", "Live demo invitation", "{name}, made for {audience_short}"]),
    ("Proof", "Show that it works for people like them",
     ["Customer story: the first month", "Before and after, in numbers", "Answers to the top five questions",
      "How {name} compares with {competitor}", "Behind the scenes with a customer", "A day with {name}"]),
    ("Convert", "Turn interest into paid sign-ups before the offer ends",
     ["Last call: the launch offer", "Start in ten minutes", "Your first week, planned for you",
      "Bring a colleague, both save", "Thank you, and what comes next", "Questions before you start?"]),
    ("Retain", "Keep new customers active and turn them into advocates",
     ["Tips from power users", "What we shipped this month", "Share your results", "Community meetup",
      "Referral rewards", "Your first month in review"]),
]
SIZES = {3: [3, 4, 3], 4: [3, 4, 3, 2], 5: [2, 3, 3, 2, 2]}
START_DAYS = [0, 7, 14, 28, 42]
CHANNEL_NAMES = {"linkedin": "LinkedIn", "x": "X", "instagram": "Instagram", "facebook": "Facebook",
                 "tiktok": "TikTok", "youtube": "YouTube", "email": "email", "blog": "the blog",
                 "newsletter": "the newsletter", "reddit": "Reddit"}
# A post's angle by its place in its phase, so the posts of a phase never share one.
ANGLES = ["customer story", "how-to", "numbers that matter", "behind the scenes", "questions answered"]
HOOKS_A = ["outcome", "promise", "proof"]
HOOKS_B = ["question", "story", "contrast"]
# What a direction asks the posts to lead with, found by its words: it shapes the briefs, never appears in them.
FOCI = [
    (("click", "ctr"), "a sharper offer and a clearer call to action"),
    (("sign-up", "signup", "sign up", "conversion", "convert"), "proof from real customers and a simpler next step"),
    (("cost", "spend", "budget", "cpa", "cheaper"), "fewer, stronger posts on the channels that pay back"),
    (("reach", "awareness", "impression", "visib"), "formats people like to share"),
    (("developer", "technical", "demo"), "hands-on demos"),
    (("story", "stories", "testimonial"), "stories from real customers"),
    (("price", "offer", "discount"), "a clear, time-limited offer"),
    (("video", "reel"), "short videos"),
]
PHASE_TAGS = {"Tease": "WorkSmarter", "Launch": "ProductLaunch", "Proof": "CustomerStories", "Convert": "FreeTrial",
              "Retain": "Community", "Refocus": "WorkSmarter", "Show": "HowTo", "Grow": "Community"}


def focus_of(direction: str) -> str:
    """What the posts should lead with, read from a direction's words; empty when it names nothing known."""
    lowered = direction.lower()
    return next((focus for words, focus in FOCI if any(word in lowered for word in words)), "")


def _words(facts: Facts) -> dict:
    competitors = facts.campaign.get("competitors") or []
    return {
        "audience": facts.audience(),
        "audience_short": facts.audience_short(),
        "name": facts.product_name(),
        "pain": "manual work",
        "competitor": competitors[0] if competitors else "the usual tools",
    }


def _channels(values: dict, *requests: str) -> list[str]:
    """The campaign's channels, less those a request drops (never all of them)."""
    channels = list(values.get("channels") or ["linkedin"])
    dropped = set().union(*(dropped_channels(text) for text in requests))
    return [c for c in channels if c not in dropped] or channels


def _titles(facts: Facts, titles: list[str], size: int, salt: str, fresh: bool) -> list[str]:
    """The phase's titles: its first ones, or (for another angle) a deterministic other choice."""
    return facts.pick(titles, salt, size) if fresh else titles[:size]


def _brief(title: str, channel: str, words: dict, goal: str, focus: str) -> str:
    brief = (f"{title}, on {CHANNEL_NAMES.get(channel, channel)}, for {words['audience_short']}. "
             f"It serves the phase goal: {lower_first(clause(goal))}.")
    if focus and focus not in goal:
        brief += f" It leads with {focus}."
    return tidy(brief)


@composer("plan")
def compose_plan(facts: Facts) -> dict:
    values = facts.values
    direction = (values.get("direction") or "").strip()
    channels = _channels(values, direction)
    count = 3 if "short" in direction.lower() else 4
    fresh, focus = asks_new_angle(direction), focus_of(direction)
    words = _words(facts)
    phases, keys = [], []
    post_index = 0
    for number, size in enumerate(SIZES[count], start=1):
        name, goal, titles = PHASES[number - 1]
        goal = goal.format(**words)
        posts, phase_keys = [], []
        for slot, title in enumerate(_titles(facts, titles, size, f"plan{number}{direction}", fresh)):
            key = f"p{number}-{'abcde'[slot]}"
            channel = channels[post_index % len(channels)]
            title = upper_first(title.format(**words))
            posts.append({"key": key, "title": title, "channel": channel, "angle": ANGLES[slot],
                          "brief": _brief(title, channel, words, goal, focus),
                          "day": START_DAYS[number - 1] + slot * 2})
            phase_keys.append(key)
            post_index += 1
        phases.append({"number": number, "name": name, "goal": goal, "posts": posts})
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


def _opening(hook: str, name: str, what: str, audience: str) -> str:
    """The body's first paragraph, by the variant's hook."""
    return {
        "outcome": f"Less time on manual work, more time for your customers. {name} is {what}.",
        "promise": f"{upper_first(name)} is {what}, and it is ready for you today.",
        "proof": f"{upper_first(name)} is {what}, shaped with {audience} from day one.",
        "question": f"How much of your week goes to manual work? {upper_first(name)} is {what}.",
        "story": f"It started with a question from {audience}: why is the admin still so hard? "
                 f"{upper_first(name)} is our answer: {what}.",
        "contrast": f"Most tools are built for big companies. {upper_first(name)} is {what}.",
    }[hook]


def _headline(title: str, label: str, short: bool) -> str:
    if short:
        return shorten(title.split(":")[0].split(",")[0].strip(), 60)
    return title if label == "A" or len(title) > 40 or ":" in title else f"{title}: the short version"


def _variant(facts: Facts, label: str, hook: str, salt: str) -> dict:
    values = facts.values
    post = values.get("post") or {}
    phase = values.get("phase") or {}
    limit = int(values.get("body_limit") or 600)
    title = clause(post.get("title") or "Our launch") if (post.get("title") or "").endswith(".") else \
        (post.get("title") or "Our launch")
    name, audience = facts.product_name(), facts.audience_short()
    paragraphs = [_opening(hook, name, facts.product_what(), audience)]
    if facts.product_detail():
        paragraphs.append(facts.product_detail())
    parents = values.get("parents") or []
    if parents and parents[0].get("title"):
        paragraphs.append(f"After “{clause(parents[0]['title'])}”, here is the next step.")
    if facts.detailed:
        paragraphs.append(f"Made for {facts.audience()}.")
    fits = values.get("channel_limits") or {}
    tags_max = values.get("hashtags_max")
    tags = hashtags(name, " ".join(audience.split()[-2:]), PHASE_TAGS.get(phase.get("name", ""), "SmallBusiness"),
                    limit=tags_max if isinstance(tags_max, int) else 3)
    headline = _headline(title, label, facts.concise)
    if fits.get("headline_max") and len(headline) > fits["headline_max"]:
        headline = _headline(headline, label, True)[:fits["headline_max"]]
    # The body fits the channel: its own limit, and what the whole post may hold (headline and hashtags too).
    posted = fits.get("posted_max")
    room = posted - len(headline) - sum(len(t) + 2 for t in tags) - 4 if posted else None
    limit = min(x for x in (limit, fits.get("body_max"), room) if x)
    body = tidy("\n\n".join(paragraphs[:1] if facts.concise else paragraphs))
    while len(body) > limit and "\n\n" in body:  # whole paragraphs go first, so no sentence is cut
        body = body.rsplit("\n\n", 1)[0]
    if len(body) > limit:
        body = shorten(body, limit)
    return {
        "headline": headline,
        "body": body,
        "call_to_action": facts.pick(["Start your free trial", "Book a demo", "See how it works",
                                      "Join the waiting list"], salt + label)[0],
        "hashtags": tags,
        "image_prompt": tidy(f"A warm, practical photo for “{title}”: {facts.audience()} at work, natural light, "
                             "no text."),
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
    hook = facts.pick(hooks, key + label.lower())[0]
    if facts.new_angle:
        # Another angle: the next hook along, so the new version opens differently.
        hook = hooks[(hooks.index(hook) + 1) % len(hooks)]
    revised = _variant(facts, label, hook, key)
    previous = values.get("previous") or {}
    # A request that does not touch the headline keeps it, as a person revising the copy would.
    if previous.get("headline") and not (facts.concise or facts.new_angle or "headline" in facts.feedback.lower()):
        revised["headline"] = previous["headline"]
    elif previous.get("headline") and facts.concise:
        revised["headline"] = _headline(previous["headline"], "A", True)
    return revised


PIVOT_PHASES = [
    (("Refocus", "Reframe", "Reset"), "Win back attention from {audience_short} with {focus}",
     ["A closer look at {name}", "What {audience_short} asked us for", "Where {name} helps most",
      "Three things we learned from you", "The one job {name} does best", "{name}, seen from a new side"]),
    (("Show", "Prove", "Demonstrate"), "Show {name} at work, with concrete examples",
     ["Hands-on: {name} in practice", "A walkthrough for {audience_short}", "Behind the build",
      "Five minutes with {name}", "What changed for our first users", "A real week with {name}"]),
    (("Convert",), "Turn the new interest into sign-ups",
     ["Try {name} today", "Your first week with {name}", "Ask us anything",
      "Bring your team to {name}", "The offer, and what comes next"]),
    (("Grow",), "Keep new users active and make them advocates",
     ["Tips from early adopters", "What we shipped this month", "Share your results", "Community meetup",
      "Referral rewards"]),
]
NEW_SIZES = [3, 3, 2, 2, 2, 2]


@composer("regenerate")
def compose_regeneration(facts: Facts) -> dict:
    """Plan the new phases of a regeneration, linked from the kept posts of the phase before. The direction
    chooses what the posts lead with and which titles they take; it is never written into them."""
    values = facts.values
    direction = (values.get("direction") or "").strip()
    channels = _channels(values, direction)
    start = int(values.get("from_phase") or 1)
    taken = set(values.get("all_kept_keys") or [])
    count = max(int(values.get("new_phases_min") or 1), min(int(values.get("new_phases_max") or 3), 5 - start))
    focus = focus_of(direction) or "a fresh angle and concrete examples"
    words = {**_words(facts), "focus": focus}
    day = int(values.get("day_min") or 0)
    phases, keys = [], [list(values.get("kept_keys") or [])]
    post_index = 0
    for offset in range(count):
        number = start + offset
        names, goal, titles = PIVOT_PHASES[min(offset, len(PIVOT_PHASES) - 1)]
        name = facts.pick(list(names), f"name{offset}{direction}")[0]
        goal = goal.format(**words)
        posts, phase_keys = [], []
        for slot, title in enumerate(facts.pick(titles, f"pivot{offset}{direction}", NEW_SIZES[offset])):
            key = f"r{number}-{'abcde'[slot]}"
            while key in taken:
                key += "x"
            channel = channels[post_index % len(channels)]
            title = upper_first(title.format(**words))
            posts.append({"key": key, "title": title[:200], "channel": channel, "angle": ANGLES[slot],
                          "brief": _brief(title, channel, words, goal, focus),
                          "day": min(365, day + offset * 7 + slot * 2)})
            phase_keys.append(key)
            post_index += 1
        phases.append({"number": number, "name": name, "goal": goal, "posts": posts})
        keys.append(phase_keys)
    if not keys[0]:
        keys = keys[1:]
    return {"phases": phases, "edges": _edges(keys)}


# What a follow-up's instruction asks for, by the words that say it, with the title and the aim it makes:
# the instruction shapes the post and is never quoted into it.
FOLLOW_UP_INTENTS = (
    (("demo", "webinar", "live", "event", "workshop"), "See {name} live: join the demo",
     "invite the readers to see {name} live"),
    (("offer", "discount", "deal", "price", "trial", "coupon"), "An offer for {audience_short} who read this far",
     "turn the readers' interest into a trial with a clear offer"),
    (("story", "case", "customer", "testimonial", "example"), "How one of our customers gets more done with {name}",
     "show a customer's result with {name}"),
    (("question", "faq", "ask", "answer", "objection"), "Your questions about {name}, answered",
     "answer the questions the earlier posts raised"),
    (("thank", "thanks", "grateful"), "Thank you from the {name} team", "thank the readers who joined in"),
    (("remind", "reminder", "last", "deadline", "ends", "closing"), "A reminder before the launch offer ends",
     "remind the readers before the offer ends"),
)
FOLLOW_UP_DEFAULT = ("What comes next with {name}", "take the readers one step further with {name}")


def follow_up_intent(instruction: str, words: dict) -> tuple[str, str]:
    """The title and the aim of a follow-up post from what its instruction asks for first."""
    said = re.findall(r"[a-z]+", instruction.lower())
    first = {word: said.index(word) for word in reversed(said)}
    found = [(min(first[k] for k in keys if k in first), t, a) for keys, t, a in FOLLOW_UP_INTENTS
             if any(k in first for k in keys)]
    _, title, aim = min(found, default=(0, *FOLLOW_UP_DEFAULT))
    return title.format(**words), aim.format(**words)


@composer("follow_up")
def compose_follow_up(facts: Facts) -> dict:
    """Write one post that follows up on the picked posts, in the channel of the first of them."""
    values = facts.values
    channels = list(values.get("channels") or ["linkedin"])
    picked = values.get("picked") or []
    phase = values.get("phase") or {}
    instruction = " ".join(str(values.get("instruction") or "").split())
    words = _words(facts)
    title, aim = follow_up_intent(instruction, words)
    topic = aim
    channel = next((p["channel_key"] for p in picked if p.get("channel_key") in channels), channels[0])
    after = " and ".join(f"“{p['title']}”" for p in picked[:3]) or "the earlier posts"
    brief = tidy(f"{title}, on {CHANNEL_NAMES.get(channel, channel)}, for {words['audience_short']}. "
                 f"It follows up on {after}: its aim is to {aim}.")
    day = min(365, int(values.get("day_min") or 0) + 3)
    new = bool(phase.get("new"))
    taken = {p.get("angle") for p in picked}
    angle = next((a for a in ANGLES if a not in taken), ANGLES[0])
    return {"title": title[:200], "channel": channel, "angle": angle, "brief": brief, "day": day,
            "phase_name": "Follow-up" if new else "",
            "phase_goal": f"Build on what worked so far: {lower_first(topic)}" if new else ""}
