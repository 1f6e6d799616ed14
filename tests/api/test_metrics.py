"""/metrics: off unless GTM_METRICS=1, behind GTM_METRICS_TOKEN when set, and after a plan it shows the runs, the
model calls and the tokens the plan made. Several processes adding up is in tests/system/test_metrics_processes.py."""
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.kit.clients import log_in, new_client
from tests.kit.plans import valid_plan
from tests.kit.strategy import answer_plans_with, plan_and_write

ON = pytest.mark.config(GTM_METRICS=True)


def samples(response) -> dict[tuple, float]:
    """The scrape as {(sample name, sorted labels): value}, read with prometheus_client's own parser."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404


@ON
@pytest.mark.llm("openai")
def test_a_plan_shows_in_the_scrape(app, client, api, user, campaign, work, fake_openai):
    before = samples(client.get("/metrics"))
    answer_plans_with(fake_openai, valid_plan(sizes=(2, 2, 2)))
    plan_and_write(api, campaign, work)
    assert log_in(new_client(app), user.email).get(f"/campaigns/{campaign.id}/strategy").status_code == 200
    after = samples(client.get("/metrics"))

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    # The plan's run and one run per post, by kind and outcome; nothing failed.
    assert grew("gtm_runs_finished_total", kind="strategy", outcome="succeeded") == 1
    assert grew("gtm_runs_finished_total", kind="post", outcome="succeeded") == 6
    assert grew("gtm_runs_finished_total", kind="strategy", outcome="failed") == 0
    # One call plans, one writes each post's variants, by provider and model, with their tokens.
    model = {"provider": "openai", "model": "fake-model"}
    assert grew("gtm_model_calls_total", **model) == len(fake_openai.chat_requests) == 7
    assert grew("gtm_model_tokens_in_total", **model) > 0
    assert grew("gtm_model_tokens_out_total", **model) > 0
    assert grew("gtm_model_failures_total", **model) == 0
    # Requests by the route's name, never its path (the campaign's id is not a label).
    board = {"method": "GET", "endpoint": "strategy.board", "status": "200"}
    assert grew("flask_http_request_duration_seconds_count", **board) == 1
    assert not any(str(campaign.id) in dict(labels).get("endpoint", "") for _, labels in after)
    # Read at scrape time: the queue is empty, no worker process is running here, no webhook was delivered.
    assert value(after, "gtm_queue_depth", queue="gtm") == 0
    assert value(after, "gtm_queue_oldest_age_seconds", queue="gtm") == 0
    assert ("gtm_workers_alive", ()) in after
    assert all(("gtm_webhook_deliveries", (("status", status),)) in after
               for status in ("pending", "delivered", "failed"))


@ON
@pytest.mark.llm("openai")
def test_failed_model_calls_are_counted(app, client, api, campaign, work, fake_openai):
    from tests.kit.fake_openai import Reply

    before = samples(client.get("/metrics"))
    fake_openai.responder = lambda body: Reply.error(400, "bad request")
    assert api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")[0] == 202
    work()
    after = samples(client.get("/metrics"))
    model = {"provider": "openai", "model": "fake-model"}
    assert value(after, "gtm_model_failures_total", **model) - value(before, "gtm_model_failures_total", **model) == 1
    assert value(after, "gtm_runs_finished_total", kind="step", outcome="failed") - \
        value(before, "gtm_runs_finished_total", kind="step", outcome="failed") == 1


@ON
def test_waiting_jobs_show_their_count_and_the_oldest_age(app, client, api, campaign):
    assert api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")[0] == 202
    found = samples(client.get("/metrics"))
    assert value(found, "gtm_queue_depth", queue="gtm") == 1
    assert value(found, "gtm_queue_oldest_age_seconds", queue="gtm") >= 0


@pytest.mark.config(GTM_METRICS=True, GTM_METRICS_TOKEN="scrape-secret")
def test_a_token_is_needed_when_one_is_set(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "scrape-secret"}).status_code == 401
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert response.status_code == 200 and not response.headers.getlist("Set-Cookie")
    assert "gtm_queue_depth" in response.get_data(as_text=True)
