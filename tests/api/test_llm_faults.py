"""Every LLM fault ends in a good result or a failed run with a readable reason, and nothing half-made; a text
over the product's limits is such a fault."""
import json

import pytest

from gtm.extensions import db
from gtm.models import Post, Run, StepVersion, Variant
from gtm.services.steps.content import EDIT_TEXT_MAX
from gtm.services.strategy.variants import CALL_TO_ACTION_MAX

from tests.kit.fake_openai import Reply
from tests.kit.plans import schema_name, valid_plan
from tests.kit.workflow import VALID

pytestmark = pytest.mark.llm("openai")


def generate(api, campaign, work):
    status, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    assert status == 202
    work()
    return api.get(f"/api/runs/{body['run_id']}")[1]


def test_rate_limit_then_success(api, campaign, work, fake_openai):
    fake_openai.script(Reply.error(429, "slow down", retry_after=0), Reply.json(VALID, usage=(100, 50)))
    run = generate(api, campaign, work)
    assert run["status"] == "succeeded"
    assert run["tokens"] == {"in": 100, "out": 50}
    assert len(fake_openai.chat_requests) == 2
    assert StepVersion.query.one().content["competitors"][0]["name"] == "Floranext"


def test_repeated_server_errors_fail_the_run_with_a_readable_error(api, campaign, work, fake_openai):
    fake_openai.script(*[Reply.error(500, "upstream exploded")] * 3)
    run = generate(api, campaign, work)
    assert run["status"] == "failed"
    assert "kept failing after 3 tries" in run["error"] and "HTTP 500: upstream exploded" in run["error"]
    assert StepVersion.query.count() == 0
    assert len(fake_openai.chat_requests) == 3


@pytest.mark.config(GTM_LLM_TIMEOUT=0.5)
def test_a_timeout_is_retried(api, campaign, work, fake_openai):
    fake_openai.script(Reply.hang(2), Reply.json(VALID))
    run = generate(api, campaign, work)
    assert run["status"] == "succeeded"
    assert len(fake_openai.chat_requests) == 2


@pytest.mark.config(GTM_LLM_TIMEOUT=0.5, GTM_LLM_ATTEMPTS=2)
def test_timeouts_every_time_fail_the_run(api, campaign, work, fake_openai):
    fake_openai.script(Reply.hang(2), Reply.hang(2))
    run = generate(api, campaign, work)
    assert run["status"] == "failed" and "timed out" in run["error"]
    assert StepVersion.query.count() == 0


def test_truncated_output_is_retried_with_a_larger_budget(api, campaign, work, fake_openai):
    fake_openai.script(Reply.length(), Reply.json(VALID))
    run = generate(api, campaign, work)
    assert run["status"] == "succeeded"
    first, second = fake_openai.chat_requests
    assert second["max_completion_tokens"] == 2 * first["max_completion_tokens"]


def test_truncated_twice_fails_clearly(api, campaign, work, fake_openai):
    fake_openai.script(Reply.length(), Reply.length())
    run = generate(api, campaign, work)
    assert run["status"] == "failed" and "cut off" in run["error"] and "nothing was saved" in run["error"]
    assert StepVersion.query.count() == 0


def test_invalid_json_is_repaired(api, campaign, work, fake_openai):
    fake_openai.script(Reply.text('{"summary": "oops", "competitors": ['), Reply.json(VALID))
    run = generate(api, campaign, work)
    assert run["status"] == "succeeded"
    repair = fake_openai.chat_requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"summary": "oops", "competitors": ['}
    assert "not valid JSON" in repair[-1]["content"]


def test_output_breaking_the_schema_is_repaired(api, campaign, work, fake_openai):
    fake_openai.script(Reply.json({"summary": "no list"}), Reply.json(VALID))
    run = generate(api, campaign, work)
    assert run["status"] == "succeeded"
    assert "competitors: Field required" in fake_openai.chat_requests[1]["messages"][-1]["content"]


def test_invalid_json_twice_fails_and_saves_nothing(api, campaign, work, fake_openai):
    fake_openai.script(Reply.text("not json"), Reply.text("still not json"))
    run = generate(api, campaign, work)
    assert run["status"] == "failed"
    assert "not usable twice" in run["error"] and "nothing was saved" in run["error"]
    assert StepVersion.query.count() == 0
    status, step = api.get(f"/api/campaigns/{campaign.id}/steps/competitors")
    assert step["current_version"] is None and step["versions"] == []


def test_a_refusal_is_surfaced(api, campaign, work, fake_openai):
    fake_openai.script(Reply.refusal("I cannot help with that."))
    run = generate(api, campaign, work)
    assert run["status"] == "failed" and "declined" in run["error"] and "I cannot help with that." in run["error"]


def test_a_bad_api_key_is_not_retried(api, campaign, work, fake_openai):
    fake_openai.script(Reply.error(401, "Incorrect API key"))
    run = generate(api, campaign, work)
    assert run["status"] == "failed" and "OPENAI_API_KEY" in run["error"]
    assert len(fake_openai.chat_requests) == 1


def test_a_failed_run_shows_its_reason_and_retry_reruns_it(htmx, campaign, work, fake_openai):
    fake_openai.script(*[Reply.error(500, "upstream exploded")] * 3)
    htmx.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={"notes": "keep it short"})
    work()
    page = htmx.get(f"/campaigns/{campaign.id}/steps/competitors").get_data(as_text=True)
    assert "The last generation failed." in page and "upstream exploded" in page and ">Retry</button>" in page
    failed = Run.query.one()

    response = htmx.post(f"/campaigns/{campaign.id}/steps/competitors/runs/{failed.id}/retry")
    assert response.status_code == 200 and 'hx-trigger="every 1s"' in response.get_data(as_text=True)
    work()
    retried = Run.query.order_by(Run.id.desc()).first()
    assert retried.id != failed.id and retried.status == "succeeded"
    assert retried.params == failed.params and retried.params["inputs"]["notes"] == "keep it short"
    page = htmx.get(f"/campaigns/{campaign.id}/steps/competitors").get_data(as_text=True)
    assert "The last generation failed." not in page and "v1 of 1" in page


# What the model writes is held to the product's limits: a text over its limit goes back to the model in
# the repair request, naming the field, as every other problem with its answer does.

COMPETITORS = {"summary": "Two rivals.", "competitors": [{
    "name": "Floranext", "positioning": "Broad", "strengths": ["Known"], "weaknesses": ["Costly"],
    "pricing_notes": "From 49 EUR", "how_we_differ": "Simpler"}]}


def test_a_step_text_over_the_limit_goes_back_to_the_model_naming_it(api, campaign, work, fake_openai):
    long = json.loads(json.dumps(COMPETITORS))
    long["competitors"][0]["how_we_differ"] = "d" * (EDIT_TEXT_MAX + 1)
    fake_openai.script(Reply.json(long), Reply.json(COMPETITORS))
    status, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate", json={})
    assert status == 202
    work()
    repair = fake_openai.chat_requests[1]["messages"][-1]["content"]
    assert "competitors.0.how_we_differ: at most 4,000 characters (this has 4,001)" in repair
    assert db.session.get(Run, int(body["run_id"])).status == "succeeded"
    assert StepVersion.query.one().content["competitors"][0]["how_we_differ"] == "Simpler"


def test_a_step_text_over_the_limit_twice_saves_nothing(api, campaign, work, fake_openai):
    long = json.loads(json.dumps(COMPETITORS))
    long["summary"] = "s" * (EDIT_TEXT_MAX + 1)
    fake_openai.script(Reply.json(long), Reply.json(long))
    _, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate", json={})
    work()
    run = db.session.get(Run, int(body["run_id"]))
    assert run.status == "failed" and "summary: at most 4,000 characters" in run.error
    assert StepVersion.query.count() == 0


def test_a_post_whose_call_to_action_stays_too_long_fails_naming_it(api, campaign, work, fake_openai):
    long = {label: {"headline": f"Headline {label}", "body": "Orders in one place.",
                    "call_to_action": "c" * (CALL_TO_ACTION_MAX + 1), "hashtags": ["bloom"],
                    "image_prompt": "A florist at work"} for label in ("a", "b")}

    def responder(body):
        if schema_name(body) == "StrategyPlan":
            return Reply.json(valid_plan(sizes=(2, 2, 2)))
        if "Title: Title of p1-0\n" in body["messages"][1]["content"]:
            return Reply.json(long)
        return None

    fake_openai.responder = responder
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    broken = Post.query.filter_by(key="p1-0").one()
    assert broken.status == "failed"
    assert f"variant A: the call to action has {CALL_TO_ACTION_MAX + 1} characters" in broken.error
    assert Variant.query.filter_by(post_id=broken.id).count() == 0
    asked = [r for r in fake_openai.chat_requests if "Title: Title of p1-0\n" in r["messages"][1]["content"]]
    assert len(asked) == 2 and "the call to action has" in asked[1]["messages"][-1]["content"]
