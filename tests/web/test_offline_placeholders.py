"""The offline model invents what it says about named competitors and what the budget's lines cost:
it marks those as placeholders, and the campaign page shows the mark, while real model output stays unmarked.
Whatever the offline model wrote keeps its "Offline draft" badge, also once a real provider is set."""
from html import unescape

import pytest
from markupsafe import escape

from gtm.extensions import db
from gtm.llm import schemas
from gtm.llm.offline import COMPOSERS, Facts
from gtm.llm.schemas.steps import PLACEHOLDER_CLAIM, PLACEHOLDER_ESTIMATE
from gtm.models import Post
from gtm.services.steps import versions as step_versions

from tests.kit.campaigns import CAMPAIGN
from tests.kit.fake_openai import Reply
from tests.kit.pages import check_page
from tests.kit.workflow import INPUTS, PLAIN, current, generate_until, section

BADGE = '<span class="badge placeholder"'


def compose(kind: str, **values) -> dict:
    return COMPOSERS[kind](Facts({"campaign": dict(CAMPAIGN), "inputs": {}, "today": "2030-01-01", **values}))


def claims(competitor: dict) -> list[str]:
    """What the analysis says about a rival: the parts the offline model cannot know."""
    return [competitor["positioning"], competitor["pricing_notes"], *competitor["strengths"], *competitor["weaknesses"]]


def test_offline_claims_about_competitors_are_marked_as_placeholders():
    content = compose("competitors")
    schemas.CompetitorAnalysis.model_validate(content)
    assert [c["name"] for c in content["competitors"]] == ["Floranext", "Spreadsheets"]
    for competitor in content["competitors"]:
        for text in claims(competitor):
            assert text.startswith(PLACEHOLDER_CLAIM) and schemas.is_placeholder(text), text
        # Our own positioning is not a claim about the rival; it only leans on one, conditionally.
        assert "Placeholder" not in competitor["how_we_differ"]
        assert "If the check confirms it" in competitor["how_we_differ"]
    assert "placeholder, not research" in content["summary"]
    assert compose("competitors") == content, "deterministic"


def test_offline_cost_lines_are_marked_as_placeholder_estimates():
    earlier = {"mechanics": {"channels": [{"channel": "LinkedIn"}, {"channel": "Instagram"}, {"channel": "Email"}]}}
    content = compose("costs", earlier=earlier, budget_cap="10000")
    schemas.CostEstimate.model_validate(content)
    assert len(content["line_items"]) >= 3
    for line in content["line_items"]:
        assert line["notes"].startswith(PLACEHOLDER_ESTIMATE), line
        assert line["unit_cost"] > 0 and line["quantity"] > 0, "still a usable first draft"
    assert "not quotes" in content["summary"]
    assert compose("costs", earlier=earlier, budget_cap="10000") == content, "deterministic"


def test_a_revision_keeps_a_checked_claim_unmarked_and_does_not_repeat_it():
    first = compose("competitors")["competitors"][0]
    checked = schemas.without_placeholder(first["strengths"][0])
    previous = {"competitors": [{**first, "strengths": [checked]}]}
    revised = compose("competitors", previous_content=previous, feedback="More detail")["competitors"][0]
    assert revised["strengths"][0] == checked, "the marketer removed the mark; a revision keeps it removed"
    others = revised["strengths"][1:]
    assert others and all(schemas.is_placeholder(s) for s in others), "what the model adds is marked"
    assert checked not in [schemas.without_placeholder(s) for s in others], "no duplicate of the checked claim"


def test_the_campaign_page_marks_offline_placeholders(auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "costs")
    response = auth_client.get(f"/campaigns/{campaign.id}")
    check_page("/campaigns", response)
    page = response.get_data(as_text=True)

    competitors = section(page, "competitors")
    content = current(campaign, "competitors").content
    assert competitors.count(BADGE) == sum(len(claims(c)) for c in content["competitors"])
    strength = content["competitors"][0]["strengths"][0]
    assert f"Placeholder</span> {escape(schemas.without_placeholder(strength))}</li>" in competitors, \
        "the badge stands in for the mark, before the claim"
    assert PLACEHOLDER_CLAIM not in unescape(competitors), "the mark shows as a badge, not as raw text"
    assert "How we differ" in competitors and "Strengths" in competitors

    costs = section(page, "costs")
    lines = current(campaign, "costs").content["line_items"]
    assert costs.count(BADGE) == len(lines), "every invented cost line has a badge"
    assert unescape(costs).count(PLACEHOLDER_ESTIMATE) == len(lines), "each line's note says what to do"
    assert "Line total" in costs

    for kind in ("customers", "objectives", "mechanics"):
        assert BADGE not in section(page, kind), "only invented claims and figures are marked"


REAL_COMPETITORS = {
    "summary": "Two rivals.",
    "competitors": [{"name": "Floranext", "positioning": "Florist software suite.",
                     "strengths": ["Wire-service integrations"], "weaknesses": ["Dated interface"],
                     "pricing_notes": "From 99 USD a month.", "how_we_differ": "Built for one-person shops."}],
}
REAL_COSTS = {
    "summary": "Launch costs.",
    "line_items": [{"item": "Trade fair stand", "channel": "Events", "unit_cost": 2500, "quantity": 1,
                    "notes": "Quote from the organiser"}],
}


@pytest.mark.llm("openai")
def test_real_model_output_is_not_marked(auth_client, campaign, work, fake_openai):
    fake_openai.script(Reply.json(REAL_COMPETITORS))
    generate_until(auth_client, work, campaign, "mechanics")  # the steps after the first get schema-valid samples
    fake_openai.script(Reply.json(REAL_COSTS))
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/costs/generate", data=INPUTS["costs"], headers=PLAIN)
    assert response.status_code == 303
    work()

    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Wire-service integrations" in section(page, "competitors")
    assert "From 99 USD a month." in section(page, "competitors")
    assert "Quote from the organiser" in section(page, "costs")
    assert "Placeholder" not in page, "real model output never looks like a placeholder"


@pytest.mark.llm("openai")
def test_offline_drafts_keep_their_badge_after_a_key_is_set(auth_client, campaign, api, work):
    # Written earlier by the offline model; the app now runs on a real provider (the fake server).
    step_versions.add_current(campaign.id, "competitors", content={"summary": "Drafted offline", "competitors": []},
                              provider="offline", model="offline")
    db.session.commit()
    card = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors").get_data(as_text=True)
    assert "Offline draft" in card

    api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    work()
    card = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors").get_data(as_text=True)
    assert "v2 of 2" in card and "Offline draft" not in card and "fake-model" in card
    older = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors?v=1").get_data(as_text=True)
    assert "Offline draft" in older


def test_offline_variants_carry_the_badge(auth_client, campaign, api, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.order_by(Post.id).first()
    page = auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert page.count("Offline draft") == 2
