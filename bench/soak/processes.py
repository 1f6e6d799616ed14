"""The soak's `gtm worker` processes, the supervisor that replaces dead ones, and killing them mid-job."""
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

from tests.kit.processes import kill_worker_tree, stop, work_horse

ROOT = Path(__file__).resolve().parents[2]


class Workers:
    """`gtm worker` processes under a small supervisor that starts a new one for each that dies."""

    def __init__(self, env: dict, folder: Path):
        self.env = env
        self.folder = folder
        self.lock = threading.Lock()
        self.processes: list[subprocess.Popen] = []
        self.started = 0
        self.died_alone = 0  # exited while working, without being killed by the soak
        self.refused_to_start = 0  # exited at once, saying that Redis does not answer
        self.killed: set[int] = set()
        self.logs: dict[int, Path] = {}

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            with self.lock:
                number = self.started
                self.started += 1
            path = self.folder / f"worker-{number}.log"
            with open(path, "w") as log:
                process = subprocess.Popen([sys.executable, "-m", "gtm.cli", "worker", "--name",
                                            f"soak-{os.getpid()}-{number}"], env=self.env, stdout=log,
                                           stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
            with self.lock:
                self.processes.append(process)
                self.logs[process.pid] = path

    def kill_busy(self) -> int | None:
        """Kill one worker that is in the middle of a job, with its horse; return the horse's pid."""
        with self.lock:
            alive = [p for p in self.processes if p.poll() is None and p.pid not in self.killed]
        random.shuffle(alive)
        for process in alive:
            horse = work_horse(process.pid)
            if horse is None:
                continue
            self.killed.add(process.pid)
            kill_worker_tree(process, wait=False)  # the supervisor collects it
            return horse
        return None

    def supervise(self) -> None:
        """Replace every worker that has died."""
        with self.lock:
            dead = [p for p in self.processes if p.poll() is not None]
            self.processes = [p for p in self.processes if p.poll() is None]
        for process in dead:
            if process.pid in self.killed:
                continue
            if "Cannot reach REDIS_URL" in self.logs[process.pid].read_text():
                self.refused_to_start += 1
            else:
                self.died_alone += 1
        if dead:
            self.start(len(dead))

    def stop(self) -> None:
        with self.lock:
            processes, self.processes = self.processes, []
        stop(processes, timeout=20)
