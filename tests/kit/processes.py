"""Processes the tests and benchmarks start (gunicorn, `gtm worker`): their ports and environment, looking
into them from outside, stopping them, and killing them as a dying machine would."""
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(config: dict) -> dict:
    """Environment for a child process that should see the same app as the test: its database, Redis,
    instance folder and model settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GTM_"))}
    env.update({
        "GTM_INSTANCE_PATH": config["INSTANCE_PATH"],
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": config["REDIS_URL"],
        "GTM_LLM": config["GTM_LLM"],
        "OPENAI_BASE_URL": config["OPENAI_BASE_URL"],
        "GTM_MODEL": config["GTM_MODEL"],
        "GTM_LLM_TIMEOUT": str(config["GTM_LLM_TIMEOUT"]),
        "GTM_OFFLINE_PACE": str(config["GTM_OFFLINE_PACE"]),
        "SECRET_KEY": config["SECRET_KEY"],
        "PYTHONUNBUFFERED": "1",
    })
    if "GTM_WEBHOOKS_ALLOW_PRIVATE" in config:
        env["GTM_WEBHOOKS_ALLOW_PRIVATE"] = "1" if config["GTM_WEBHOOKS_ALLOW_PRIVATE"] else "0"
    if "GTM_WEBHOOK_RETRY_INTERVALS" in config:
        env["GTM_WEBHOOK_RETRY_INTERVALS"] = ",".join(str(n) for n in config["GTM_WEBHOOK_RETRY_INTERVALS"])
    if "GTM_WEBHOOK_TIMEOUT" in config:
        env["GTM_WEBHOOK_TIMEOUT"] = str(config["GTM_WEBHOOK_TIMEOUT"])
    if config.get("OPENAI_API_KEY"):
        env["OPENAI_API_KEY"] = config["OPENAI_API_KEY"]
    return env


def run_gtm(args: list[str], tmp_path: Path, **env) -> subprocess.CompletedProcess:
    """Run the `gtm` command to its end on a fresh instance folder, with none of this environment's gtm
    settings, and `env` added."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GTM_", "OPENAI_", "REDIS_URL", "DATABASE_URL"))}
    clean.update(GTM_INSTANCE_PATH=str(tmp_path / "instance"), **env)
    return subprocess.run([sys.executable, "-m", "gtm.cli", *args], env=clean, capture_output=True, text=True,
                          timeout=60)


def stop(processes: list[subprocess.Popen], timeout: float = 10.0) -> None:
    """Stop processes started with `start_new_session=True`, with everything they started: SIGTERM to each
    group, then SIGKILL to a group still there after `timeout` seconds."""
    for process in processes:
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill(process)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL a process started with `start_new_session=True` and its whole group at once, and reap it."""
    _signal_group(process, signal.SIGKILL)
    process.wait()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:  # already gone
        pass


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:  # the process has gone
        return []


def work_horse(worker_pid: int) -> int | None:
    """RQ's work horse: the worker's child that leads its own process group (the scheduler's does not)."""
    for child in children_of(worker_pid):
        try:
            if os.getpgid(child) == child:
                return child
        except ProcessLookupError:
            continue
    return None


def kill_worker_tree(process, wait: bool = True) -> None:
    """Kill a worker and everything it started at once (its work horse, its scheduler) with SIGKILL.

    Not by group: the work horse leads a group of its own."""
    for pid in [*children_of(process.pid), process.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if wait:
        process.wait()
