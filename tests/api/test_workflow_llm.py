"""The analysis workflow on the openai provider, against the fake OpenAI server: what the model is
sent (the previous version, the feedback, the earlier steps), what the code does not trust it with, and
which provider, model and tokens every generated row records."""
import json

import pytest

from gtm.extensions import db
from gtm.models import STEP_KINDS, Post, Run, StepVersion, Variant
from gtm.services import steps

from tests.kit.fake_openai import Reply
from tests.kit.plans import valid_plan
from tests.kit.schema_samples import sample_from_schema
from tests.kit.strategy import answer_plans_with
from tests.kit.workflow import counts

pytestmark = pytest.mark.llm("openai")

KIND_OF_SCHEMA = {"CompetitorAnalysis": "competitors", "CustomerAnalysis": "customers",
                  "ObjectivesPlan": "objectives", "MechanicsPlan": "mechanics", "CostEstimate": "costs"}


@pytest.fixture
def marked(fake_openai):
    """Answer every step with a schema-valid object whose summary says which step and which call it is."""
    calls = {}

    def respond(body):
        fmt = body["response_format"]["json_schema"]
        kind = KIND_OF_SCHEMA[fmt["name"]]
        calls[kind] = calls.get(kind, 0) + 1
        answer = sample_from_schema(fmt["schema"])
        answer["summary"] = f"MARK-{kind}-{calls[kind]}"
        return answer

    fake_openai.responder = respond
    return fake_openai


def generate(api, work, campaign, kind, **body):
    status, answer = api.post(f"/api/campaigns/{campaign.id}/steps/{kind}/generate", json=body or None)
    assert status == 202, answer
    work()
    status, run = api.get(f"/api/runs/{answer['run_id']}")
    assert run["status"] == "succeeded", run
    return run


def user_message(request) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


@pytest.mark.parametrize("kind", STEP_KINDS)
def test_regenerate_sends_the_previous_version_the_feedback_and_the_earlier_steps(api, campaign, work, marked,
                                                                                  kind):
    for earlier in STEP_KINDS[:STEP_KINDS.index(kind) + 1]:
        generate(api, work, campaign, earlier)
    first = StepVersion.query.filter_by(campaign_id=campaign.id, kind=kind).one()
    assert first.content["summary"] == f"MARK-{kind}-1"

    generate(api, work, campaign, kind, feedback="Speak to owners of a single shop")

    prompt = user_message(marked.chat_requests[-1])
    assert "Speak to owners of a single shop" in prompt, "the feedback"
    assert f"MARK-{kind}-1" in prompt, "the previous version"
    assert json.dumps(first.content, ensure_ascii=False)[:200] in prompt, "the previous version, whole"
    for earlier in STEP_KINDS[:STEP_KINDS.index(kind)]:
        assert f"[{earlier}]\nsummary: MARK-{earlier}-1" in prompt, f"the {earlier} step as context"
    assert "Bloom is a CRM for independent florists" in prompt, "the campaign"
    for later in STEP_KINDS[STEP_KINDS.index(kind) + 1:]:
        assert f"[{later}]" not in prompt, "only earlier steps are context"

    versions = StepVersion.query.filter_by(campaign_id=campaign.id, kind=kind).order_by("number").all()
    assert [(v.number, v.is_current, v.based_on, v.feedback) for v in versions] == [
        (1, False, None, ""), (2, True, 1, "Speak to owners of a single shop")]
    assert versions[1].content["summary"] == f"MARK-{kind}-2"


def test_a_first_generation_carries_no_previous_version(api, campaign, work, marked):
    generate(api, work, campaign, "competitors")
    generate(api, work, campaign, "competitors")
    prompt = user_message(marked.chat_requests[-1])
    assert "This is a revision" not in prompt and "MARK-competitors-1" not in prompt


def test_refresh_sends_the_current_version_and_the_new_context(api, auth_client, campaign, work, marked):
    for kind in ("competitors", "customers"):
        generate(api, work, campaign, kind)
    generate(api, work, campaign, "competitors", feedback="Add Teleflora")
    auth_client.post(f"/campaigns/{campaign.id}/steps/customers/refresh")
    work()
    prompt = user_message(marked.chat_requests[-1])
    assert "summary: MARK-competitors-2" in prompt, "the new context"
    assert "The earlier analysis steps changed" in prompt and "MARK-customers-1" in prompt
    assert "What should change" not in prompt, "a refresh needs no feedback"
    assert not steps.status_summary(campaign.id)["customers"]["stale"]


ODD_COSTS = {
    "summary": "Launch costs.",
    "line_items": [
        {"item": "Sponsored posts", "channel": "LinkedIn", "unit_cost": 0.1, "quantity": 3, "notes": "",
         "total": 0.30000000000000004, "line_total": 999},
        {"item": "Designer", "channel": "", "unit_cost": 1234.565, "quantity": 1, "notes": "A day", "total": 1},
        {"item": "Reels", "channel": "Instagram", "unit_cost": 19.99, "quantity": 7.5, "notes": "", "total": 12},
    ],
    "grand_total": 5, "total": 5, "over_budget": False,
}


def test_costs_totals_are_computed_by_the_code_not_the_model(api, auth_client, campaign, work, fake_openai):
    for kind in ("competitors", "customers", "objectives", "mechanics"):
        generate(api, work, campaign, kind)
    fake_openai.script(Reply.json(ODD_COSTS))
    generate(api, work, campaign, "costs", inputs={"budget_cap": "1000", "currency": "eur"})

    request = fake_openai.chat_requests[-1]
    schema = json.dumps(request["response_format"]["json_schema"]["schema"])
    assert "total" not in schema and "over_budget" not in schema, "the model is not even asked for totals"
    assert "Budget cap: 1000.00 EUR" in user_message(request)

    content = StepVersion.query.filter_by(campaign_id=campaign.id, kind="costs").one().content
    # 0.1 × 3, 1234.565 × 1 rounded half up, 19.99 × 7.5 = 149.925 rounded half up.
    assert [i["total"] for i in content["line_items"]] == ["0.30", "1234.57", "149.93"]
    assert [i["unit_cost"] for i in content["line_items"]] == ["0.1", "1234.565", "19.99"]
    assert content["grand_total"] == "1384.80"
    assert content["budget"] == "1000.00" and content["currency"] == "EUR"
    assert content["over_budget"] is True and content["over_by"] == "384.80"
    assert [i["over_budget"] for i in content["line_items"]] == [False, True, True]
    assert "line_total" not in content["line_items"][0]

    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    card = page[page.index('id="step-costs"'):]
    assert "Over budget" in card and "384.80 EUR" in card and "1,384.80 EUR" in card and "1,234.57 EUR" in card
    assert "999" not in card


def test_costs_within_budget_are_not_flagged(api, campaign, work, fake_openai):
    for kind in ("competitors", "customers", "objectives", "mechanics"):
        generate(api, work, campaign, kind)
    fake_openai.script(Reply.json(ODD_COSTS))
    generate(api, work, campaign, "costs")  # the campaign's budget: 12,000 EUR
    content = StepVersion.query.filter_by(campaign_id=campaign.id, kind="costs").one().content
    assert content["over_budget"] is False and content["remaining"] == "10615.20" and content["over_by"] is None
    assert not any(i["over_budget"] for i in content["line_items"])


def test_a_failed_run_shows_its_reason_and_retry_reruns_it_with_the_same_feedback(htmx, api, campaign, work,
                                                                                   fake_openai):
    generate(api, work, campaign, "competitors")
    fake_openai.script(Reply.text("this is not JSON"), Reply.text("still not JSON"))
    status, answer = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate",
                              json={"feedback": "Name the pricing tiers"})
    work()
    run = db.session.get(Run, int(answer["run_id"]))
    assert run.status == "failed" and "not usable twice" in run.error
    card = htmx.get(f"/campaigns/{campaign.id}/steps/competitors").get_data(as_text=True)
    assert "The last generation failed." in card and "not valid JSON" in card and ">Retry</button>" in card
    assert "v1 of 1" in card, "the last good version is still shown"

    response = htmx.post(f"/campaigns/{campaign.id}/steps/competitors/runs/{run.id}/retry")
    assert response.status_code == 200 and "<progress" in response.get_data(as_text=True)
    retried = Run.query.order_by(Run.id.desc()).first()
    assert retried.params == run.params and retried.params["feedback"] == "Name the pricing tiers"
    work()
    assert retried.status == "succeeded"
    assert "Name the pricing tiers" in user_message(fake_openai.chat_requests[-1])
    version = StepVersion.query.filter_by(campaign_id=campaign.id, kind="competitors", is_current=True).one()
    assert version.number == 2 and version.feedback == "Name the pricing tiers" and version.based_on == 1


def test_a_failed_run_saves_nothing(api, app, campaign, work, fake_openai):
    fake_openai.script(Reply.text("{"), Reply.text("{"))
    api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    work()
    _, runs_count, versions_count = counts(app)
    assert versions_count == 0 and runs_count == 1


@pytest.mark.llm("openai")
def test_step_versions_and_variants_record_who_wrote_them(api, campaign, work, fake_openai):
    status, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    work()
    version = StepVersion.query.one()
    run = db.session.get(Run, int(body["run_id"]))
    assert (version.provider, version.model) == ("openai", "fake-model")
    assert (version.tokens_in, version.tokens_out) == (run.tokens_in, run.tokens_out) and version.tokens_in > 0
    status, step = api.get(f"/api/campaigns/{campaign.id}/steps/competitors")
    assert step["versions"][0]["provider"] == "openai" and step["versions"][0]["tokens"]["in"] == run.tokens_in

    answer_plans_with(fake_openai, valid_plan())
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.order_by(Post.id).first()
    a, b = (Variant.query.filter_by(post_id=post.id, label=label).one() for label in "AB")
    post_run = Run.query.filter_by(kind="post", subject=f"post:{post.id}").one()
    assert {a.provider, b.provider} == {"openai"} and {a.model, b.model} == {"fake-model"}
    assert a.tokens_in + b.tokens_in == post_run.tokens_in > 0
    assert a.tokens_out + b.tokens_out == post_run.tokens_out
