"""The offline model's copy, linted: what a newcomer without an API key sees first must be publishable.

Through the real code path (the five steps, a plan with every post written, a regeneration started from an
alert, a variant rewritten with "make it shorter", a follow-up post, a step revised with "drop LinkedIn"), every title, body,
headline and hashtag is checked for the faults a marketer would be embarrassed to publish: feedback or a
direction quoted into the copy, "Revised", evidence figures, the campaign's name standing in for the
product's, mangled punctuation, malformed hashtags, objectives due before the launch, and a channel kept
after it was dropped."""
import re
from datetime import date, timedelta

import pytest

from gtm.extensions import db
from gtm.llm.offline.compose import dropped_channels, hashtag, product_name, tidy
from gtm.models import Phase, Post, Run, StepVersion, Variant
from gtm.services import campaigns, results

from tests.kit.triggers import alerts_of, current_posts, low_ctr, phase, record
from tests.kit.workflow import PLAIN

LAUNCH = date.today() + timedelta(days=45)
CAMPAIGN = {
    "name": "Bloom CRM spring launch",
    "product": "Bloom CRM is a CRM for independent florists in the US with 1-10 staff. It tracks orders, "
               "deliveries and repeat customers.",
    "audience": "Independent florists in the US with 1-10 staff.",
    "goals": "300 paid sign-ups in 90 days; 1,000 trial starts",
    "competitors": ["Floranext", "Spreadsheets"],
    "channels": ["linkedin", "email", "instagram"],
    "budget": "12000",
    "currency": "EUR",
    "brief": "Launch at the spring trade fair. Warm, practical tone.",
    "launch_date": LAUNCH.isoformat(),
}
INPUTS = {"competitors": {}, "customers": {}, "objectives": {}, "mechanics": {}, "costs": {"budget_cap": "10000"}}
SHORTER = "Make it shorter"
DROP = "Drop LinkedIn"
FOLLOW_UP = "Invite the readers of both posts to the live demo on Thursday"
# A direction drafted from an alert, and the evidence the alert holds: neither is copy.
EVIDENCE_WORDS = re.compile(r"CTR is|threshold|impressions,|\d+(\.\d+)?% \(", re.I)
BRANDS = {"linkedin": "LinkedIn", "tiktok": "TikTok", "youtube": "YouTube", "instagram": "Instagram"}


def faults(text: str, *, quoted: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with one piece of copy; empty when it is clean."""
    found = []
    for phrase in quoted:
        if phrase and phrase.lower() in text.lower():
            found.append(f"quotes {phrase!r}")
    if re.search(r"\bRevised\b", text):
        found.append("says Revised")
    if EVIDENCE_WORDS.search(text):
        found.append("carries evidence figures")
    if CAMPAIGN["name"].lower() in text.lower() or "spring launch" in text.lower():
        found.append("names the campaign instead of the product")
    for pattern, what in ((r"\.\.(?!\.)", "'..'"), (r"\.,", "'.,'"), (r",,", "',,'"), (r"[!?.,;:]{2,}", "doubled marks"),
                          (r" [,.;:!?]", "a space before a mark"), (r"\., so|\. so\b", "', so' after a full stop")):
        if re.search(pattern, text.replace("…", "")):
            found.append(what)
    return found


def tag_faults(tags: list[str]) -> list[str]:
    found = []
    for tag in tags:
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]+", tag):
            found.append(f"#{tag} is not CamelCase")
        if tag.lower() in BRANDS and tag != BRANDS[tag.lower()]:
            found.append(f"#{tag} misspells {BRANDS[tag.lower()]}")
        if tag.lower() == CAMPAIGN["name"].replace(" ", "").lower():
            found.append(f"#{tag} is the campaign's name")
    return found


def lint_variant(variant: Variant, quoted: tuple[str, ...] = ()) -> list[str]:
    where = f"post {variant.post_id} {variant.label} v{variant.number}"
    problems = [f"{where} {part}: {fault}"
                for part, text in (("headline", variant.headline), ("body", variant.body),
                                   ("call to action", variant.call_to_action))
                for fault in faults(text, quoted=quoted)]
    problems += [f"{where}: breaks a channel rule: {w['message']}" for w in variant.warnings or []]
    return problems + [f"{where}: {fault}" for fault in tag_faults(variant.hashtags)]


def lint_posts(posts: list[Post], quoted: tuple[str, ...] = ()) -> list[str]:
    problems = [f"post {p.key} title: {fault}" for p in posts for fault in faults(p.title, quoted=quoted)]
    for post in posts:
        variants = Variant.query.filter_by(post_id=post.id, is_current=True).all()
        assert {v.label for v in variants} == {"A", "B"}, post.key
        for variant in variants:
            problems += lint_variant(variant, quoted)
    return problems


def step_texts(content, path="") -> list[tuple[str, str]]:
    """Every text of a step's content, with where it is."""
    if isinstance(content, dict):
        return [item for key, value in content.items() for item in step_texts(value, f"{path}.{key}")]
    if isinstance(content, list):
        return [item for index, value in enumerate(content) for item in step_texts(value, f"{path}[{index}]")]
    return [(path, content)] if isinstance(content, str) else []


def current_step(campaign_id: int, kind: str) -> StepVersion:
    db.session.expire_all()
    return StepVersion.query.filter_by(campaign_id=campaign_id, kind=kind, is_current=True).one()


@pytest.fixture
def bloom(user):
    return campaigns.create_campaign(user.workspace_id, dict(CAMPAIGN))


def test_the_offline_drafts_of_a_whole_campaign_are_clean(auth_client, api, bloom, work):
    campaign = bloom
    # The five steps.
    for kind, inputs in INPUTS.items():
        response = auth_client.post(f"/campaigns/{campaign.id}/steps/{kind}/generate", data=inputs, headers=PLAIN)
        assert response.status_code == 303, (kind, response.get_data(as_text=True)[:300])
        work()
    problems = []
    for kind in INPUTS:
        problems += [f"{kind}{where}: {fault}" for where, text in step_texts(current_step(campaign.id, kind).content)
                     for fault in faults(text)]
    objectives = current_step(campaign.id, "objectives").content["objectives"]
    assert objectives and all(date.fromisoformat(o["date"]) >= LAUNCH for o in objectives), \
        [(o["date"], LAUNCH.isoformat()) for o in objectives]
    assert [o["kpi"] for o in objectives][:2] == ["Paid sign-ups", "Trial starts"], "one KPI a goal, no 'days'"
    assert not any(re.search(r"\bdays\b|;", o["kpi"]) for o in objectives)

    # A plan, every post written.
    status, _ = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202
    work()
    posts = current_posts(campaign.id)
    assert len(posts) >= 8
    problems += lint_posts(posts)
    assert any("Bloom CRM" in p.title for p in posts), "the product's name, from the product field"
    tags = {tag for post in posts for v in Variant.query.filter_by(post_id=post.id) for tag in v.hashtags}
    assert "BloomCRM" in tags and "BloomCRMspringlaunch" not in tags

    # A regeneration from an alert: the suggested direction states the intent, and the evidence stays out.
    results.create_trigger(campaign.workspace_id, campaign.id, {
        "metric": "ctr", "comparison": "<", "threshold": 1, "min_impressions": 1000, "scope_phase": 2,
        "action": "regenerate"})
    record(campaign, low_ctr(phase(posts, 2)))
    alert = alerts_of(campaign.id)[0]
    direction = alert.action["direction"]
    assert direction.startswith("Win back clicks in phase 2: ") and not EVIDENCE_WORDS.search(direction)
    response = auth_client.post(f"/campaigns/{campaign.id}/strategy/regenerate", headers=PLAIN, data={
        "phase_num": "2", "new_direction": direction, "alert_id": str(alert.id)})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    work()
    assert Run.query.filter_by(kind="regenerate").one().status == "succeeded"
    new = [p for p in current_posts(campaign.id) if p.phase >= 2]
    assert new and all(p.version == 2 for p in new)
    problems += lint_posts(new, quoted=(direction, direction.split(": ", 1)[1], alert.evidence["sentence"]))
    titles = [p.title for p in new]
    assert not any("changing course" in t.lower() for t in titles), titles
    goals = [ph.goal for ph in Phase.query.filter_by(campaign_id=campaign.id, version=2)]
    problems += [f"phase goal: {fault}" for goal in goals for fault in faults(goal, quoted=(direction,))]

    # A variant rewritten with "make it shorter": shorter, and the feedback nowhere in it.
    post = new[0]
    before = Variant.query.filter_by(post_id=post.id, label="A", is_current=True).one()
    response = auth_client.post(f"/campaigns/{campaign.id}/posts/{post.id}/variants/A/regenerate",
                                data={"feedback": SHORTER})
    assert response.status_code == 303
    work()
    db.session.expire_all()
    after = Variant.query.filter_by(post_id=post.id, label="A", is_current=True).one()
    assert after.number == before.number + 1
    assert len(after.body) < len(before.body) and len(after.headline) <= len(before.headline)
    problems += lint_variant(after, quoted=(SHORTER, "shorter"))

    # A follow-up after two posts of the last phase: the instruction shapes the post and is not its title.
    last = max(p.phase for p in current_posts(campaign.id))
    picked = [p for p in current_posts(campaign.id) if p.phase == last][:2]
    status, started = api.post(f"/api/campaigns/{campaign.id}/follow-ups", json={
        "after": [str(p.id) for p in picked], "instruction": FOLLOW_UP})
    assert status == 202, started
    work()
    added = [p for p in current_posts(campaign.id) if p.version == started["version"]]
    assert len(added) == 1 and added[0].title == "See Bloom CRM live: join the demo", added[0].title
    problems += lint_posts(added, quoted=(FOLLOW_UP, "readers of both posts"))

    # A step revised with "drop LinkedIn": the channel leaves the step, and the request is not quoted.
    for kind in ("mechanics", "customers"):
        auth_client.post(f"/campaigns/{campaign.id}/steps/{kind}/regenerate", data={"feedback": DROP},
                         headers=PLAIN)
        work()
        revised = current_step(campaign.id, kind)
        assert revised.number == 2 and revised.feedback == DROP
        problems += [f"{kind} v2{where}: {fault}" for where, text in step_texts(revised.content)
                     for fault in faults(text, quoted=(DROP,))]
        assert "Revised for" not in revised.content["summary"]
    mechanics = current_step(campaign.id, "mechanics").content
    assert "LinkedIn" not in [c["channel"] for c in mechanics["channels"]]
    assert "LinkedIn is left out of this plan." in mechanics["summary"]
    customers = current_step(campaign.id, "customers").content
    assert not any("LinkedIn" in place for s in customers["segments"] for place in s["where_to_reach"])

    assert problems == []


def test_the_lint_finds_each_fault_it_is_for():
    """The checks above would catch the faults of the old offline copy."""
    assert faults("Why we are changing course: phase 2 CTR is 0.6% (threshold 1%)")
    assert faults("Meet Bloom CRM spring launch") and faults("Last time: it. (Revised: shorter)")
    assert faults("in the us with 1-10 staff., so you can") and faults("1-10 staff..") and faults("Hello , world")
    assert faults("A shorter week, please", quoted=(SHORTER,)) == []
    assert faults("Now make it shorter", quoted=("make it shorter",))
    assert tag_faults(["BloomCRMspringlaunch"]) and tag_faults(["Linkedin"]) and tag_faults(["bloom"])
    assert faults("Bloom CRM is a CRM for independent florists.") == [] and tag_faults(["BloomCRM", "LinkedIn"]) == []


@pytest.mark.parametrize("product, name", [
    ("Bloom CRM is a CRM for independent florists.", "Bloom CRM"),
    ("Acme Cloud: backups for small teams.", "Acme Cloud"),
    ("Bloom tracks orders for florists.", "Bloom"),
    ("A CRM for independent florists.", "our CRM"),
])
def test_the_product_is_named_from_the_product_field(product, name):
    assert product_name(product) == name


def test_requests_and_clean_up():
    assert dropped_channels("Drop LinkedIn") == {"linkedin"}
    assert dropped_channels("no X and no email, please") == {"x", "email"}
    assert dropped_channels("without the newsletter") == {"newsletter"} and dropped_channels(SHORTER) == set()
    assert [hashtag(t) for t in ("Bloom CRM", "linkedin", "independent florists")] == \
        ["BloomCRM", "LinkedIn", "IndependentFlorists"]
    assert tidy("in the US with 1-10 staff., so you can.. go ,now") == "in the US with 1-10 staff, so you can. Go, now"
