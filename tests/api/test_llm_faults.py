"""Every LLM fault ends in a good result or a failed run with a readable reason, and nothing half-made."""
import pytest

from gtm.models import Run, StepVersion

from tests.kit.fake_openai import Reply
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
