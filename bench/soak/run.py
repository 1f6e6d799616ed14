"""The soak itself: the services, the load with its chaos, then the recovery and the checks."""
import collections
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from gtm import broker, create_app
from gtm.extensions import db
from gtm.models import STEP_KINDS, Run
from gtm.models.run import UNFINISHED
from gtm.services import accounts
from tests.kit.fake_openai import FakeOpenAI
from tests.kit.processes import free_port, stop

from .checks import Checks
from .clients import Http, Statuses
from .model import HEARTBEAT, LLM_TIMEOUT, PASSWORD, REGENERATE_FROM, Faults, campaign_fields
from .processes import ROOT, Workers
from .recovery import Recovery


@dataclass
class Report:
    campaigns: int = 0
    breaches: list[str] = field(default_factory=list)
    failures: collections.Counter = field(default_factory=collections.Counter)  # failed runs seen, by kind
    reasons: collections.Counter = field(default_factory=collections.Counter)  # their first words
    retries: collections.Counter = field(default_factory=collections.Counter)  # retried in recovery, by kind
    kills: int = 0
    kills_in_flight: int = 0  # kills while another run was in flight too
    redis_restarts: int = 0
    runs_in_flight_at_restart: int = 0
    unavailable: int = 0  # 503 answers (background work unavailable)
    timings: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)

    def breach(self, text: str) -> None:
        self.breaches.append(text)


class Soak(Recovery, Checks):
    def __init__(self, *, campaigns: int, workers: int, kills: int, fault_rate: float, seed: int,
                 concurrency: int, stuck_after: float, database_url: str | None = None, echo=print):
        self.campaigns = campaigns
        self.worker_count = workers
        self.kills = kills
        self.concurrency = concurrency
        self.stuck_after = stuck_after
        self.echo = echo
        self.report = Report(campaigns=campaigns)
        self.faults = Faults(fault_rate, seed)
        self.statuses = Statuses()
        self.folder = Path(tempfile.mkdtemp(prefix="gtm-soak-"))
        self.redis = broker.EmbeddedRedis(self.folder / "r").start()
        self.fake = FakeOpenAI().start()
        self.fake.latency = 0.05
        self.fake.responder = self.faults.chat
        self.fake.image_responder = self.faults.image
        self.database_url = database_url or f"sqlite:///{self.folder / 'soak.db'}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GTM_"))}
        self.env.update({
            "GTM_INSTANCE_PATH": str(self.folder / "instance"), "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url, "GTM_LLM": "openai", "OPENAI_API_KEY": "soak-key",
            "OPENAI_BASE_URL": self.fake.base_url, "GTM_MODEL": "fake-model", "SECRET_KEY": "soak",
            "GTM_LLM_TIMEOUT": str(LLM_TIMEOUT), "GTM_LLM_ATTEMPTS": "3", "GTM_WORKER_HEARTBEAT": str(HEARTBEAT),
            "GTM_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
        })
        self.app = create_app({"INSTANCE_PATH": self.env["GTM_INSTANCE_PATH"],
                               "SQLALCHEMY_DATABASE_URI": self.database_url, "REDIS_URL": self.redis.url,
                               "GTM_LLM": "offline", "SECRET_KEY": "soak"})
        self.context = self.app.app_context()
        self.context.push()
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
        db.create_all()
        self.email = "soak@example.com"
        user = accounts.sign_up(self.email, PASSWORD)
        self.workspace_id = user.workspace_id
        self.token = accounts.create_token(user.id, "soak")[1]
        db.session.remove()
        self.workers = Workers(self.env, self.folder)
        self.web: subprocess.Popen | None = None
        self.port = 0
        self.campaign_ids: list[int] = []
        self.ids_lock = threading.Lock()
        self.loading = threading.Event()
        self.session = Http(0, self.statuses)
        self.session_lock = threading.Lock()

    # -- processes --
    def start(self) -> None:
        self.port = self.session.port = free_port()
        with open(self.folder / "web.log", "w") as log:
            self.web = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                 "--threads", "8", "--timeout", "120", "gtm:create_app()"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Http(self.port, Statuses()).request("GET", "/login")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not answer; see {self.folder / 'web.log'}")
        self.workers.start(self.worker_count)

    def close(self, keep: bool = False) -> None:
        self.workers.stop()
        if self.web is not None:
            stop([self.web], timeout=30)
        db.session.remove()
        db.engine.dispose()
        self.context.pop()
        self.fake.stop()
        self.redis.stop()
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- one marketer --
    def api(self) -> Http:
        return Http(self.port, self.statuses, self.token)

    def start_run(self, client: Http, path: str, body: dict | None = None) -> int | None:
        """POST something that starts a run; while Redis is down the answer is 503, and the marketer tries again."""
        deadline = time.monotonic() + 60
        while True:
            status, answer = client.api("POST", path, body)
            if status == 202:
                return int(answer["run_id"])
            if status == 503 and time.monotonic() < deadline:
                self.report.unavailable += 1
                time.sleep(1)
                continue
            self.report.breach(f"POST {path} answered {status}: {answer}")
            return None

    def wait_run(self, client: Http, run_id: int) -> str | None:
        """Poll the run as the pages do until it ends; None (and a breach) when it does not end in time."""
        deadline = time.monotonic() + self.stuck_after
        while time.monotonic() < deadline:
            status, answer = client.api("GET", f"/api/runs/{run_id}")
            if status == 200 and answer["status"] in ("succeeded", "failed"):
                if answer["status"] == "failed":
                    self.report.reasons[(answer.get("error") or "")[:60]] += 1
                return answer["status"]
            time.sleep(0.25)
        self.report.breach(f"run {run_id} was still unfinished after {self.stuck_after:.0f} s")
        return None

    def load(self, number: int) -> None:
        """One campaign, with faults: the five steps, a plan and a regeneration, stopping at the first failure."""
        client = self.api()
        status, answer = client.api("POST", "/api/campaigns", campaign_fields(number))
        if status != 201:
            self.report.breach(f"creating campaign {number} answered {status}: {answer}")
            return
        campaign_id = int(answer["id"])
        with self.ids_lock:
            self.campaign_ids.append(campaign_id)
        for kind in STEP_KINDS:
            if not self._run_ok(client, "step", f"/api/campaigns/{campaign_id}/steps/{kind}/generate"):
                return
        if not self._run_ok(client, "plan", f"/api/campaigns/{campaign_id}/strategy", {"direction": "Warm"}):
            return
        self._run_ok(client, "regeneration", "/api/agents/regenerate-strategy/", self._regeneration(campaign_id))

    def _regeneration(self, campaign_id: int) -> dict:
        return {"campaign_id": str(campaign_id), "phase_num": REGENERATE_FROM,
                "new_direction": "Pivot to a developer-first strategy with technical demos"}

    def _run_ok(self, client: Http, kind: str, path: str, body: dict | None = None) -> bool:
        run_id = self.start_run(client, path, body)
        if run_id is None:
            return False
        outcome = self.wait_run(client, run_id)
        if outcome == "failed":
            self.report.failures[kind] += 1
        return outcome == "succeeded"

    # -- a reader of pages --
    def read_pages(self) -> None:
        """Open the campaigns' pages and fragments while the load runs, as people watching their boards do."""
        client = Http(self.port, self.statuses)
        client.log_in(self.email)
        chooser = random.Random(1)
        while self.loading.is_set():
            with self.ids_lock:
                ids = list(self.campaign_ids)
            if not ids:
                time.sleep(0.1)
                continue
            campaign_id = chooser.choice(ids)
            for path, htmx in ((f"/campaigns/{campaign_id}", False), (f"/campaigns/{campaign_id}/strategy", False),
                               (f"/campaigns/{campaign_id}/strategy", True),
                               (f"/campaigns/{campaign_id}/steps/{chooser.choice(STEP_KINDS)}", False),
                               (f"/campaigns/{campaign_id}/strategy/versions", False)):
                client.request("GET", path, htmx=htmx)
            time.sleep(0.1)

    # -- chaos --
    def chaos(self, spread: float, until: threading.Thread) -> None:
        """Kill busy workers, `spread` seconds apart, and restart Redis once halfway; replace dead workers."""
        restart_after = max(1, self.kills // 2)
        while until.is_alive():
            self.workers.supervise()
            if self.report.kills == restart_after and not self.report.redis_restarts:
                self._restart_redis()
            elif self.report.kills < self.kills:
                in_flight = self._in_flight()
                if self.workers.kill_busy() is not None:
                    self.report.kills += 1
                    self.report.kills_in_flight += in_flight > 1
                    self.workers.supervise()
                    until.join(spread)
                    continue
            elif not self.report.redis_restarts:
                self._restart_redis()
            until.join(0.05 if self.report.kills < self.kills else 0.5)

    def _in_flight(self) -> int:
        db.session.remove()
        return db.session.scalar(select(func.count()).select_from(Run).where(Run.status.in_(UNFINISHED))) or 0

    def _restart_redis(self) -> None:
        self.report.runs_in_flight_at_restart = self._in_flight()
        self.redis.process.kill()  # a crash: it saves nothing, and everything it held is gone
        self.redis.process.wait()
        time.sleep(1)
        self.redis.start()
        self.report.redis_restarts += 1

    # -- the whole soak --
    def run(self) -> Report:
        """Load with chaos, then recovery, then the checks.

        The chaos and the worker supervisor run in this (the main) thread: the embedded Redis asks Linux to
        stop it when the thread that started it ends, so it must be started again from a thread that lasts."""
        report = self.report
        began = time.monotonic()
        self.start()
        self.loading.set()
        reader = threading.Thread(target=self.read_pages, name="reader", daemon=True)
        reader.start()
        load = threading.Thread(target=self._in_pool, args=(self.load, range(1, self.campaigns + 1)), name="load")
        load.start()
        self.chaos(self.chaos_spread(), until=load)
        load.join()
        report.timings["load"] = time.monotonic() - began
        self.loading.clear()
        reader.join()
        if report.kills < self.kills:
            report.breach(f"only {report.kills} of {self.kills} workers could be killed mid-job")
        if not report.redis_restarts:
            report.breach("Redis was not restarted while the load ran")
        if self.workers.died_alone:
            report.breach(f"{self.workers.died_alone} workers died without being killed")

        began = time.monotonic()
        self.faults.on = False
        recovery = threading.Thread(target=self._in_pool, args=(self.recover, list(self.campaign_ids)),
                                    name="recovery")
        recovery.start()
        while recovery.is_alive():
            self.workers.supervise()
            recovery.join(0.5)
        report.timings["recovery"] = time.monotonic() - began
        self.check()
        report.unavailable = sum(count for status, count in self.statuses.counts.items() if status == 503)
        return report

    def _in_pool(self, work, items) -> None:
        def guarded(item) -> None:
            try:
                work(item)
            except Exception as exc:  # noqa: BLE001 - the soak reports it and goes on with the others
                self.report.breach(f"{work.__name__}({item}) stopped: {type(exc).__name__}: {exc}")

        with ThreadPoolExecutor(self.concurrency, thread_name_prefix=work.__name__) as pool:
            list(pool.map(guarded, items))

    def chaos_spread(self) -> float:
        """Seconds between kills: the kills spread over roughly the first two thirds of the load."""
        return max(0.5, self.campaigns * 0.6 * 8 / max(1, self.worker_count) / max(1, self.kills))

    def print_report(self) -> None:
        report, echo = self.report, self.echo
        echo(f"campaigns: {report.campaigns} · load {report.timings.get('load', 0):.0f} s · "
             f"recovery {report.timings.get('recovery', 0):.0f} s")
        echo(f"model calls: {dict(self.faults.calls)} · faults injected: {sum(self.faults.injected.values())} "
             f"{dict(sorted(self.faults.injected.items()))}")
        echo(f"chaos: {report.kills} workers killed mid-job with SIGKILL ({report.kills_in_flight} with other runs "
             f"in flight) · Redis restarted {report.redis_restarts}× with {report.runs_in_flight_at_restart} runs in "
             f"flight · {self.workers.started} workers started in all · {self.workers.died_alone} died on their own · "
             f"{self.workers.refused_to_start} started while Redis was away said so and stopped")
        echo(f"failed runs seen under load: {dict(report.failures)}")
        for reason, count in report.reasons.most_common(8):
            echo(f"   {count:4d} × {reason}")
        echo(f"started again with the faults off (failures, and what the load did not reach after one): "
             f"{dict(report.retries)}")
        echo(f"HTTP answers: {dict(sorted(self.statuses.counts.items()))} · 503 while Redis was away: "
             f"{report.unavailable}")
        for key, value in report.counts.items():
            echo(f"{key}: {value}")
        if report.breaches:
            echo(f"BREACHES ({len(report.breaches)}):")
            for breach in report.breaches[:40]:
                echo(f"   {breach}")
        else:
            echo("no breaches: every run ended, nothing was made twice, no 500, and every retry succeeded")
