"""Offline answers for the five analysis steps."""
from . import Facts, composer, first_sentence, split_list

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


@composer("competitors")
def compose_competitors(facts: Facts) -> dict:
    names = split_list(facts.inputs.get("known_competitors")) or split_list(facts.campaign.get("competitors"))
    names = names[:8] or STATUS_QUO
    audience = facts.campaign.get("audience", "buyers").strip() or "buyers"
    product = facts.product_phrase()
    goals = first_sentence(facts.campaign.get("goals", ""), 120)
    notes = (facts.inputs.get("notes") or "").strip()
    competitors = []
    for name in names:
        strengths = [s.format(audience=audience) for s in facts.pick(STRENGTHS, name + "s", facts.count(3))]
        weaknesses = [w.format(audience=audience) for w in facts.pick(WEAKNESSES, name + "w", facts.count(2))]
        competitors.append({
            "name": name,
            "positioning": f"{name} is what {audience} already compare against; it sells breadth and safety "
                           f"rather than the specific outcome {facts.campaign.get('name', 'we')} promises.",
            "strengths": strengths,
            "weaknesses": weaknesses,
            "pricing_notes": f"Check {name}'s public pricing and its entry tier; expect discounts on annual plans. "
                             "Position our offer against the price of the plan a new customer would really need.",
            "how_we_differ": f"{product}. We win where {name} is weakest: "
                             f"{weaknesses[0][0].lower() + weaknesses[0][1:]}.",
        })
    summary = (f"{len(competitors)} alternatives compete for the attention of {audience}. "
               f"The opening is to lead with the concrete outcome ({goals or product}) where rivals sell breadth.")
    if notes:
        summary += f" Marketer's notes taken into account: {first_sentence(notes, 120)}"
    return {"summary": summary + facts.revision_note(), "competitors": competitors}
