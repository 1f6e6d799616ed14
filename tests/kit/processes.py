"""Looking into `gtm worker` processes from outside, and killing them as a dying machine would."""
import os
import signal
from pathlib import Path


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
    """Kill a worker and everything it started at once (its work horse, its scheduler) with SIGKILL."""
    for pid in [*children_of(process.pid), process.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if wait:
        process.wait()
