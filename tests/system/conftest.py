"""Real `gtm worker` processes on the test's database and Redis."""
import os
import subprocess
import sys

import pytest

from gtm import queue

from tests.kit.processes import kill, process_env


@pytest.fixture
def worker_process(app, app_config, tmp_path):
    """Start `gtm worker` processes against the test's database and Redis; kill them afterwards."""
    processes = []

    def start(count=1, **env_overrides):
        env = process_env(app_config)
        env.update(env_overrides)
        for number in range(count):
            # The child keeps its own copy of the file descriptor, so ours can close at once.
            with open(tmp_path / f"worker-{len(processes)}.log", "w") as log:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "gtm.cli", "worker", "--name", f"test-{os.getpid()}-{len(processes)}"],
                    env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        # A killed worker's registration lapses with its heartbeat, so only the live ones are counted.
        assert queue.wait_for_workers(app, sum(p.poll() is None for p in processes)), "workers did not register"
        return processes[-count:] if count > 1 else processes[-1]

    yield start
    for process in processes:
        kill(process)
