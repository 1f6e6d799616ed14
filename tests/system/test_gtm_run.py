"""`gtm run` starts everything on embedded defaults, serves real work, and stops with no orphans."""
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.kit.clients import PASSWORD
from tests.kit.processes import free_port
from tests.kit.wait import wait_for

ROOT = Path(__file__).resolve().parents[2]


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        path = Path(f"/proc/{current}/task/{current}/children")
        if path.exists():
            kids = {int(k) for k in path.read_text().split()}
            found |= kids
            todo.extend(kids)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def call(url, method="GET", body=None, token=None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


@pytest.mark.parametrize("stop", ["sigterm", "ctrl-c"])
def test_gtm_run_serves_generates_and_stops_cleanly(tmp_path, stop):
    instance = tmp_path / "i"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "GTM_", "REDIS_URL", "DATABASE_URL", "SECRET_KEY"))}
    env.update(GTM_INSTANCE_PATH=str(instance), GTM_WORKERS="1", GTM_OFFLINE_PACE="0", PYTHONUNBUFFERED="1")
    gtm = [sys.executable, "-m", "gtm.cli"]
    port = free_port()
    with open(tmp_path / "run.log", "w") as log:
        # Its own process group, like a command typed in a terminal: Ctrl-C signals the whole group.
        server = subprocess.Popen([*gtm, "run", "--port", str(port)], env=env, cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def up():
            try:
                return urllib.request.urlopen(f"{base}/login", timeout=1).status == 200
            except OSError:
                return False
        wait_for(up, timeout=60, interval=0.3, message="gtm run to serve")
        assert (instance / "gtm.db").exists() and (instance / "secret_key").exists()
        # It says it is running once /readyz answers: the database, Redis and a worker are there.
        wait_for(lambda: "gtm is running on" in (tmp_path / "run.log").read_text(), timeout=60,
                 message="gtm run to say it is running")
        assert "not ready" not in (tmp_path / "run.log").read_text()
        assert call(f"{base}/readyz") == (200, {"status": "ready",
                                               "checks": {"database": "ok", "redis": "ok", "workers": "ok"}})
        assert (instance / "metrics").is_dir(), "the processes' shared metrics folder"

        subprocess.run([*gtm, "users", "create", "run@example.com", "--password", PASSWORD], env=env, check=True,
                       capture_output=True)
        out = subprocess.run([*gtm, "tokens", "create", "run@example.com"], env=env, check=True,
                             capture_output=True, text=True).stdout
        token = out.split()[-1]
        status, campaign = call(f"{base}/api/campaigns", "POST", {"name": "Run", "product": "A tool",
                                "audience": "Teams", "goals": "Sign-ups"}, token)
        assert status == 201
        status, started = call(f"{base}/api/campaigns/{campaign['id']}/steps/competitors/generate", "POST", {}, token)
        assert status == 202
        run_url = f"{base}/api/runs/{started['run_id']}"
        run = wait_for(lambda: (lambda r: r if r["status"] in ("succeeded", "failed") else None)(
            call(run_url, token=token)[1]), timeout=30, message="the run to finish")
        assert run["status"] == "succeeded", run["error"]

        children = descendants(server.pid)
        assert len(children) >= 4, "redis, a worker and gunicorn should be running"
    finally:
        if stop == "sigterm":
            server.send_signal(signal.SIGTERM)
        else:
            os.killpg(server.pid, signal.SIGINT)
        code = server.wait(timeout=30)
    log_text = (tmp_path / "run.log").read_text()
    assert code == 0, log_text[-2000:]
    assert "Traceback" not in log_text, "stopping must be orderly: Redis goes last"
    wait_for(lambda: not any(alive(pid) for pid in children), timeout=10, message="children to exit")
    assert not (instance / "redis.sock").exists()
