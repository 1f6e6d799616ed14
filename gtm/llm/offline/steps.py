"""Offline answers for the five analysis steps.

Each composer builds its answer from the campaign's fields, the step form's inputs, the
structured content of the earlier steps (`vars["earlier"]`) and the feedback, so a later
step visibly builds on the earlier ones: objectives name the customer segments, mechanics
serve the objectives, and costs price the mechanics.

What it cannot know (what a named competitor is good or bad at, what it charges, what a line
of the budget costs) it invents, so it marks that text as a placeholder to check.
"""
import re
from decimal import Decimal

from ..schemas.steps import PLACEHOLDER_CLAIM, PLACEHOLDER_ESTIMATE, is_placeholder, without_placeholder
from . import objectives as _objectives  # noqa: F401 - registers the objectives' composer
from .compose import Facts, clause, composer, first_sentence, lower_first, split_list

STRENGTHS = [
    "Name recognition with {audience}", "A large installed base and many integrations",
    "A polished onboarding flow", "Aggressive paid acquisition and search presence",
    "A broad feature set that covers adjacent needs", "Strong partner and reseller channels",
    "An active community and plenty of tutorials",
]
WEAKNESSES = [
    "Generic messaging that does not speak to {audience} specifically", "Pricing that climbs steeply with usage",
    "A complex product that takes weeks to adopt", "Slow to ship what smaller teams ask for",
    "Support that is hard to reach below the enterprise tier", "Lock-in that makes switching away painful",
]
STATUS_QUO = ["The status quo: spreadsheets and manual work", "An all-in-one suite that bundles this in",
              "A low-cost point tool"]

CHANNEL_NAMES = {
    "linkedin": "LinkedIn", "x": "X (Twitter)", "instagram": "Instagram", "facebook": "Facebook",
    "tiktok": "TikTok", "youtube": "YouTube", "email": "Email", "blog": "Blog", "newsletter": "Newsletter",
    "reddit": "Reddit",
}


def _audience(facts: Facts) -> str:
    return (facts.campaign.get("audience") or "buyers").strip() or "buyers"


def _earlier(facts: Facts, kind: str) -> dict:
    return (facts.values.get("earlier") or {}).get(kind) or {}


def _previous_item(facts: Facts, key: str, name_key: str, name: str) -> dict:
    """Return the item of the version being revised that has this name, if any."""
    for item in (facts.values.get("previous_content") or {}).get(key) or []:
        if isinstance(item, dict) and item.get(name_key) == name:
            return item
    return {}


def _revise(facts: Facts, previous: list | None, fresh: list, count: int, key=lambda item: item) -> list:
    """Build on the previous list: keep its items in order, trimmed or topped up with fresh ones.

    A revision reads as an edit of what was there, not a new draft; feedback asking for a
    different angle is the exception, and starts afresh. `key` says when a fresh item repeats
    a kept one.
    """
    if not previous or "angle" in facts.feedback.lower():
        return fresh[:count]
    kept = list(previous[:count])
    seen = {key(item) for item in kept}
    return kept + [item for item in fresh if key(item) not in seen][:count - len(kept)]


def _without_dropped(facts: Facts, items: list | None) -> list | None:
    """The items that do not name a channel the feedback drops."""
    names = [CHANNEL_NAMES[key].split(" ")[0].lower() for key in facts.dropped if key in CHANNEL_NAMES]
    if items is None or not names:
        return items
    return [item for item in items if not any(name in str(item).lower() for name in names)]


def _claim(text: str) -> str:
    """Mark an invented claim about a competitor as a placeholder to check."""
    return text if is_placeholder(text) else PLACEHOLDER_CLAIM + text


def _channel_key(text: str) -> str | None:
    """Map a word the marketer typed ("LinkedIn", "e-mail") to a channel key."""
    word = re.sub(r"[^a-z]", "", text.lower())
    aliases = {"twitter": "x", "mail": "email", "emails": "email", "newsletters": "newsletter", "ig": "instagram",
               "fb": "facebook", "youtube": "youtube", "blogs": "blog"}
    if word in CHANNEL_NAMES:
        return word
    return aliases.get(word)


@composer("competitors")
def compose_competitors(facts: Facts) -> dict:
    names = split_list(facts.inputs.get("known_competitors")) or split_list(facts.campaign.get("competitors"))
    names = names[:8] or STATUS_QUO
    audience = _audience(facts)
    product = facts.product_phrase()
    goals = first_sentence(facts.campaign.get("goals", ""), 120)
    notes = (facts.inputs.get("notes") or "").strip()
    competitors = []
    for name in names:
        before = _previous_item(facts, "competitors", "name", name)
        # Kept items stay as they were: a marketer who checked one and removed its mark keeps it unmarked.
        strengths = _revise(facts, before.get("strengths"), [
            _claim(s.format(audience=audience)) for s in facts.pick(STRENGTHS, name + "s", len(STRENGTHS))],
            facts.count(3), key=without_placeholder)
        weaknesses = _revise(facts, before.get("weaknesses"), [
            _claim(w.format(audience=audience)) for w in facts.pick(WEAKNESSES, name + "w", len(WEAKNESSES))],
            facts.count(2), key=without_placeholder)
        weakest = without_placeholder(weaknesses[0])
        competitors.append({
            "name": name,
            "positioning": _claim(f"{name} is what {lower_first(audience)} already compare against; it sells breadth "
                                  f"and safety rather than the specific outcome {facts.product_name()} promises."),
            "strengths": strengths,
            "weaknesses": weaknesses,
            "pricing_notes": _claim(f"{name}'s prices are not known here. Look up its public pricing, its entry tier "
                                    "and any discount on annual plans, then position our offer against the price of "
                                    "the plan a new customer would really need."),
            "how_we_differ": f"{product}. If the check confirms it, we win where {name} is weakest: "
                             f"{weakest[0].lower() + weakest[1:]}.",
        })
    summary = (f"{len(competitors)} alternatives compete for the attention of {lower_first(clause(audience))}. "
               f"The opening is to lead with the concrete outcome ({goals or product}) where rivals sell breadth. "
               "What this draft says about each rival is a placeholder, not research: check each marked claim, "
               "then edit the version to remove its mark.")
    if notes:
        summary += f" Marketer's notes taken into account: {first_sentence(notes, 120)}"
    more = f"The sharpest contrast is with {names[0]}: lead with it in the launch posts."
    return {"summary": facts.shaped(summary, more), "competitors": competitors}


SEGMENT_SHAPES = [
    ("Switchers from {alt}", "{audience} who rely on {alt} today and feel its limits every week."),
    ("First-time buyers", "{audience} who have never paid for a tool like this and manage by hand."),
    ("Growing teams", "{audience} who are hiring and need the way they work to scale beyond one person."),
    ("Busy owner-operators", "{audience} who do everything themselves and buy only what saves them time at once."),
    ("Price-conscious shoppers", "{audience} who compare every subscription against its cost per month."),
]
PAINS = [
    "Time lost to manual, repetitive work", "Mistakes when details live in several places",
    "No clear view of which customers come back", "Tools built for larger companies",
    "Costs that are hard to predict", "Hours spent chasing information instead of serving customers",
    "Missed follow-ups that lose repeat business",
]
JOBS = [
    "Keep every order and its details in one place", "Know who their best customers are",
    "Get through the busy season without dropped balls", "Look professional to new customers",
    "Spend less time on admin and more on the craft", "Bring customers back without discounting",
]
OBJECTIONS = [
    "Switching costs: moving what they have out of {alt}", "Price: yet another monthly subscription",
    "Time: no room to learn a new tool in the busy season", "Trust: will this product still be here next year?",
    "Fit: tools like this are made for bigger companies", "Data: who owns our customer list?",
]
REACH = {
    "linkedin": "LinkedIn, in groups and posts by peers", "x": "X, in conversations with peers",
    "instagram": "Instagram, where they show their work", "facebook": "Facebook groups for the trade",
    "tiktok": "TikTok, behind-the-scenes videos", "youtube": "YouTube tutorials and reviews",
    "email": "Email, with a practical newsletter", "blog": "Search, through practical blog guides",
    "newsletter": "Trade newsletters they already read", "reddit": "Reddit communities of the trade",
}


@composer("customers")
def compose_customers(facts: Facts) -> dict:
    audience = _audience(facts)
    competitors = [c.get("name") for c in _earlier(facts, "competitors").get("competitors", []) if c.get("name")]
    alternatives = competitors or split_list(facts.campaign.get("competitors")) or ["their current tools"]
    previous = [s.get("name") for s in (facts.values.get("previous_content") or {}).get("segments", [])]
    wanted = split_list(facts.inputs.get("segments"))
    count = facts.count(3)
    shapes = facts.pick(SEGMENT_SHAPES, "segments", len(SEGMENT_SHAPES))
    names = wanted or previous or []
    if not wanted:
        names = (names + [shape[0].format(alt=alternatives[i % len(alternatives)]) for i, shape in enumerate(shapes)])
    names = list(dict.fromkeys(names))[:max(count, len(wanted))]
    reach_all = [REACH[c] for c in facts.campaign.get("channels") or []
                 if c in REACH and c not in facts.dropped] or [REACH["email"]]
    segments = []
    for index, name in enumerate(names):
        alt = alternatives[index % len(alternatives)]
        shape = next((s for s in SEGMENT_SHAPES if s[0].format(alt=alt) == name), None)
        description = (shape[1] if shape else
                       name + ": {audience} of this kind, who feel the same pains more sharply than the rest.")
        before = _previous_item(facts, "segments", "name", name)
        reach = facts.pick(reach_all, name + "r", len(reach_all)) + ["Trade fairs and local business associations"]
        segments.append({
            "name": name,
            "description": before.get("description") or description.format(audience=audience, alt=alt),
            "pains": _revise(facts, before.get("pains"), facts.pick(PAINS, name + "p", len(PAINS)), facts.count(3)),
            "jobs_to_be_done": _revise(facts, before.get("jobs_to_be_done"), facts.pick(JOBS, name + "j", len(JOBS)),
                                       facts.count(2)),
            "where_to_reach": _revise(facts, _without_dropped(facts, before.get("where_to_reach")), reach,
                                      min(len(reach), facts.count(3))),
            "objections": _revise(facts, before.get("objections"), [
                o.format(alt=alt) for o in facts.pick(OBJECTIONS, name + "o", len(OBJECTIONS))], facts.count(2)),
        })
    summary = (f"{len(segments)} segments of {lower_first(clause(audience))} matter most for the launch. "
               f"Lead with the ones who feel the limits of {alternatives[0]} today.")
    notes = (facts.inputs.get("notes") or "").strip()
    if notes:
        summary += f" Marketer's notes taken into account: {first_sentence(notes, 120)}"
    more = f"{segments[0]['name']} come first: their pains are the sharpest and they decide fastest." if segments else ""
    return {"summary": facts.shaped(summary, more), "segments": segments}


TACTICS = {
    "linkedin": [("Founder story posts", "Short posts on why the product exists, told through a customer's week."),
                 ("Peer proof carousel", "Carousels built from customer quotes and before/after numbers."),
                 ("Sponsored content to lookalikes", "Paid posts to people like the best early customers.")],
    "email": [("Welcome sequence", "Five emails over two weeks that get a new sign-up to their first result."),
              ("Monthly tips letter", "One practical tip per email, with a link to the feature that does it."),
              ("Win-back nudge", "A personal note to trials that went quiet, offering a setup call.")],
    "instagram": [("Behind-the-scenes reels", "Short reels of real customers using the product on a busy day."),
                  ("Story polls", "Polls on the pains from the customer analysis, followed by a tip."),
                  ("Creator partnerships", "Small creators in the trade show how they use it.")],
}
GENERIC_TACTICS = [("How-to guides", "Practical guides that solve one pain from the customer analysis."),
                   ("Customer spotlights", "A customer's story with the numbers that changed."),
                   ("Launch offer", "A time-limited offer for the launch window.")]
CADENCE = {"linkedin": "Three posts a week", "email": "One email a week",
           "instagram": "Four posts and daily stories a week", "x": "Daily", "blog": "One article a week",
           "newsletter": "Every two weeks", "tiktok": "Three videos a week", "youtube": "One video every two weeks",
           "facebook": "Three posts a week", "reddit": "Two helpful threads a week"}
LOYALTY = [
    ("Refer a peer", "referral", "Each customer gets a personal link; when a peer subscribes, both are rewarded.",
     "One free month for both"),
    ("Founding customer club", "loyalty", "The first customers get early features and a say in the roadmap.",
     "A founding badge and a locked-in price"),
    ("Milestone thank-yous", "loyalty", "A thank-you with a tip at the 100th order handled in the product.",
     "A small gift and a feature tip"),
    ("Partner referrals", "referral", "Suppliers and partners recommend the product to their customers.",
     "A revenue share on each new customer"),
]


@composer("mechanics")
def compose_mechanics(facts: Facts) -> dict:
    objectives = [o.get("objective") or o.get("kpi") for o in _earlier(facts, "objectives").get("objectives", [])]
    objectives = [o for o in objectives if o] or [first_sentence(facts.campaign.get("goals") or "The campaign goal")]
    include = split_list(facts.inputs.get("include"))
    exclude = split_list(facts.inputs.get("exclude"))
    excluded = ({_channel_key(x) for x in exclude} - {None}) | facts.dropped
    excluded_words = [x.lower() for x in exclude if _channel_key(x) is None]
    channels = [c for c in facts.campaign.get("channels") or ["linkedin", "email"] if c not in excluded]
    extra_tactics = []
    for item in include:
        key = _channel_key(item)
        if key and key not in channels and key not in excluded:
            channels.append(key)
        elif not key:
            extra_tactics.append(item)
    channels = channels or ["email"]
    plans = []
    serve = 0
    for channel in channels:
        options = [t for t in TACTICS.get(channel, GENERIC_TACTICS)
                   if not any(word in (t[0] + " " + t[1]).lower() for word in excluded_words)]
        label = CHANNEL_NAMES.get(channel, channel)
        before = [t.get("name") for t in _previous_item(facts, "channels", "channel", label).get("tactics", [])]
        names = _revise(facts, [n for n in before if n in {o[0] for o in options}],
                        [o[0] for o in facts.pick(options, channel, len(options))], facts.count(2))
        chosen = [next(o for o in options if o[0] == n) for n in names]
        if channel == channels[0]:
            chosen = [(t, f"Included at the marketer's request: {t}.") for t in extra_tactics] + chosen
        tactics = []
        for name, description in chosen:
            tactics.append({"name": name, "description": description, "serves": objectives[serve % len(objectives)]})
            serve += 1
        plans.append({"channel": CHANNEL_NAMES.get(channel, channel), "cadence": CADENCE.get(channel, "Weekly"),
                      "tactics": tactics})
    loyalty = []
    before = [m.get("name") for m in (facts.values.get("previous_content") or {}).get("loyalty_and_referral") or []]
    names = _revise(facts, [n for n in before if n in {m[0] for m in LOYALTY}],
                    [m[0] for m in facts.pick(LOYALTY, "loyalty", len(LOYALTY))], facts.count(2))
    for index, (name, kind, how, reward) in enumerate(next(m for m in LOYALTY if m[0] == n) for n in names):
        if any(word in (name + " " + how).lower() for word in excluded_words):
            continue
        loyalty.append({"name": name, "type": kind, "how_it_works": how, "reward": reward,
                        "serves": objectives[(index + 1) % len(objectives)]})
    summary = (f"{len(plans)} channels carry the launch, each with a steady cadence, and "
               f"{len(loyalty)} loyalty or referral mechanic{'s turn' if len(loyalty) != 1 else ' turns'} first "
               "customers into the next ones.")
    if exclude:
        summary += f" Left out on request: {', '.join(exclude)}."
    dropped = [CHANNEL_NAMES[key] for key in sorted(facts.dropped - {_channel_key(x) for x in exclude})
               if key in CHANNEL_NAMES]
    if dropped:
        summary += f" {' and '.join(dropped)} {'is' if len(dropped) == 1 else 'are'} left out of this plan."
    more = f"{plans[0]['channel']} leads: it reaches the first segment where it already looks for advice." \
        if plans else ""
    return {"summary": facts.shaped(summary, more), "channels": plans, "loyalty_and_referral": loyalty}


# Unit costs are round planning figures, not quotes, so every line is marked as a placeholder;
# paid reach grows or shrinks to fit the budget.
MEDIA = {
    "linkedin": ("Sponsored content, per 1,000 impressions", 38.0),
    "instagram": ("Promoted reels, per 1,000 impressions", 9.5),
    "facebook": ("Boosted posts, per 1,000 impressions", 8.0),
    "x": ("Promoted posts, per 1,000 impressions", 6.5),
    "tiktok": ("Spark ads, per 1,000 impressions", 10.0),
    "youtube": ("In-stream ads, per 1,000 views", 22.0),
    "reddit": ("Promoted threads, per 1,000 impressions", 5.0),
}
FIXED = [("Content production, per day of a freelancer", "", 450.0, 4),
         ("Email platform, per month", "Email", 49.0, 3),
         ("Design of launch assets, per set", "", 600.0, 1)]


@composer("costs")
def compose_costs(facts: Facts) -> dict:
    mechanics = _earlier(facts, "mechanics").get("channels", [])
    names = [c.get("channel", "") for c in mechanics] or [CHANNEL_NAMES.get(c, c)
                                                          for c in facts.campaign.get("channels") or []]
    names = [n for n in names if _channel_key(n.split(" (")[0]) not in facts.dropped]
    keys = {name: next((k for k, label in CHANNEL_NAMES.items() if label == name), None) for name in names}
    fixed = list(FIXED[:facts.count(2)]) if not facts.detailed else list(FIXED)
    if "Email" not in names:
        fixed = [f for f in fixed if f[1] != "Email"]
    items = [{"item": item, "channel": channel, "unit_cost": cost, "quantity": quantity,
              "notes": f"{PLACEHOLDER_ESTIMATE} A fixed cost of the launch."}
             for item, channel, cost, quantity in fixed]
    media = [(name, MEDIA[key]) for name, key in keys.items() if key in MEDIA]
    cap = facts.values.get("budget_cap") or facts.campaign.get("budget") or ""
    fixed_total = sum(Decimal(str(i["unit_cost"])) * Decimal(str(i["quantity"])) for i in items)
    per_channel = None
    if cap and media:
        # Spend 90% of what is left after the fixed costs, evenly across the paid channels.
        per_channel = max(Decimal(cap) * Decimal("0.9") - fixed_total, Decimal(0)) / len(media)
    for name, (item, cost) in media:
        quantity = int(per_channel / Decimal(str(cost))) if per_channel is not None else 50
        scaled = " Quantity scaled to the budget; lower it to leave room for tests." if per_channel else ""
        items.append({"item": item, "channel": name, "unit_cost": cost, "quantity": max(quantity, 1),
                      "notes": PLACEHOLDER_ESTIMATE + scaled})
    summary = (f"{len(items)} line items cover production, tools and paid reach on "
               f"{len(media)} channel{'s' if len(media) != 1 else ''}. "
               "Quantities of paid reach are sized to the budget; fixed costs come first. "
               "Unit costs are placeholder planning figures, not quotes: replace each marked line with a real "
               "quote before you commit the budget.")
    more = "Fixed costs come to " + f"{fixed_total:,.0f}" + " before any paid reach."
    return {"summary": facts.shaped(summary, more), "line_items": items}
