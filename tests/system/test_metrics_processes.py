"""/metrics adds up processes that share PROMETHEUS_MULTIPROC_DIR: two gunicorn servers and a `gtm worker` whose
work horses count the runs, model calls and tokens of a plan made through the real fake-OpenAI server."""
import json
import subprocess
import sys
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gtm.services import accounts

from tests.kit.plans import valid_plan
from tests.kit.processes import free_port, process_env, stop
from tests.kit.strategy import answer_plans_with
from tests.kit.wait import wait_for


def get(url, token=None, method="GET"):
    request = urllib.request.Request(url, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read().decode()


def scrape(base) -> dict[tuple, float]:
    status, text = get(f"{base}/metrics")
    assert status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.mark.llm("openai")
def test_processes_sharing_the_folder_add_up(app, app_config, user, campaign, fake_openai, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**process_env(app_config), "GTM_METRICS": "1", "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    ports = [free_port(), free_port()]
    commands = [[sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "gtm:create_app()"]
                for port in ports]
    commands.append([sys.executable, "-m", "gtm.cli", "worker", "--name", f"metrics-{ports[0]}"])
    processes = []
    for number, command in enumerate(commands):
        with open(tmp_path / f"process-{number}.log", "w") as log:
            processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                              start_new_session=True))
    first, second = (f"http://127.0.0.1:{port}" for port in ports)
    try:
        def ready():
            try:
                return all(get(f"{base}/readyz")[0] == 200 for base in (first, second))
            except OSError:
                return False
        wait_for(ready, timeout=60, interval=0.3, message="both servers and the worker to be ready")

        token = accounts.create_token(user.id, "metrics", user.workspace_id)[1]
        answer_plans_with(fake_openai, valid_plan(sizes=(2, 2, 2)))
        status, body = get(f"{first}/api/campaigns/{campaign.id}/strategy", token, method="POST")
        assert status == 202
        run_url = f"{second}/api/runs/{json.loads(body)['run_id']}"
        run = wait_for(lambda: (lambda r: r if r["status"] in ("succeeded", "failed") else None)(
            json.loads(get(run_url, token)[1])), timeout=60, message="the plan to finish")
        assert run["status"] == "succeeded", run["error"]
        wait_for(lambda: json.loads(get(f"{first}/api/campaigns/{campaign.id}/nodes", token)[1])["version"] == 1,
                 message="the posts to be written")

        for base, times in ((first, 3), (second, 2)):
            for _ in range(times):
                assert get(f"{base}/login")[0] == 200
        found = scrape(first)
        assert scrape(second) == found, "either server shows every process's counts"
    finally:
        stop(processes)

    login = ("flask_http_request_duration_seconds_count",
             (("endpoint", "auth.login"), ("method", "GET"), ("status", "200")))
    assert found[login] == 5, "each server counted its own requests; the scrape adds them up"
    model = (("model", "fake-model"), ("provider", "openai"))
    assert found["gtm_model_calls_total", model] == len(fake_openai.chat_requests) == 7
    assert found["gtm_model_tokens_in_total", model] > 0 and found["gtm_model_tokens_out_total", model] > 0
    assert found["gtm_runs_finished_total", (("kind", "strategy"), ("outcome", "succeeded"))] == 1
    assert found["gtm_runs_finished_total", (("kind", "post"), ("outcome", "succeeded"))] == 6
    assert found["gtm_workers_alive", ()] == 1
    # Seven jobs ran, each in a work horse of its own, and all wrote to their worker's file.
    assert len(list(folder.glob("counter_*.db"))) <= 3
