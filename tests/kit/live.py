"""A live server: a real gunicorn serving the app and a real `gtm worker`, on the test's database and Redis."""
import contextlib
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from gtm import queue

from .processes import free_port, process_env, stop
from .wait import wait_for


class LiveServer:
    def __init__(self, url: str, processes: list, logs: Path):
        self.url = url
        self.processes = processes
        self.logs = logs

    def log_text(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.logs.glob("*.log")))

    @contextlib.contextmanager
    def worker_paused(self):
        """Hold the worker still (SIGSTOP), so a run stays unfinished for as long as the test needs."""
        worker = self.processes[1]  # started after the web server, below
        os.kill(worker.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(worker.pid, signal.SIGCONT)


@pytest.fixture
def live_server(app, app_config, tmp_path):
    port = free_port()
    env = process_env(app_config)
    # The offline model answers at once; a test that watches progress fill in asks for pacing
    # (TEST_OFFLINE_PACE, in seconds between streamed chunks), so it sees what a person would.
    env["GTM_OFFLINE_PACE"] = os.environ.get("TEST_OFFLINE_PACE", "0")
    commands = {
        "web": [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8",
                "gtm:create_app()"],
        "worker": [sys.executable, "-m", "gtm.cli", "worker", "--name", f"live-{port}"],
    }
    processes = []
    for name, command in commands.items():
        with open(tmp_path / f"{name}.log", "w") as log:
            processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                              start_new_session=True))
    url = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return urllib.request.urlopen(f"{url}/login", timeout=1).status == 200
        except OSError:
            return False

    server = LiveServer(url, processes, tmp_path)
    try:
        wait_for(answers, timeout=30, interval=0.2, message="the live server to answer")
        assert queue.wait_for_workers(app, 1), "the live worker did not register"
    except AssertionError:
        print(server.log_text())
        stop(processes)
        raise
    yield server
    stop(processes)
