"""Generate → run → result, on both providers, through pages and the API."""
import pytest

from gtm.models import Run, StepVersion


def test_generate_competitors_offline(htmx, campaign, work):
    response = htmx.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={"notes": "Price matters"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page and "<progress" in page

    work()

    response = htmx.get(f"/campaigns/{campaign.id}/steps/competitors")
    page = response.get_data(as_text=True)
    assert "hx-trigger" not in page, "a finished card must stop polling"
    assert "Floranext" in page and "How we differ" in page and "v1 of 1" in page
    run = Run.query.one()
    assert run.status == "succeeded" and run.provider == "offline" and run.tokens_in > 0


@pytest.mark.llm("openai")
def test_generate_competitors_openai(api, campaign, work, fake_openai):
    status, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    assert status == 202
    work()
    status, run = api.get(f"/api/runs/{body['run_id']}")
    assert run["status"] == "succeeded", run
    assert run["progress"] == {"done": run["progress"]["total"], "total": run["progress"]["total"]}
    status, step = api.get(f"/api/campaigns/{campaign.id}/steps/competitors")
    assert step["current_version"] == 1
    assert step["versions"][0]["content"]["competitors"]
    request = fake_openai.chat_requests[0]
    assert request["response_format"]["json_schema"]["strict"] is True
    assert "Bloom is a CRM" in request["messages"][1]["content"]
    stored = StepVersion.query.one()
    run_row = Run.query.one()
    assert run_row.tokens_in > 0 and run_row.tokens_out > 0 and run_row.model == "fake-model"
    assert stored.number == 1
