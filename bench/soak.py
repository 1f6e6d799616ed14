"""Fault soak: model faults, killed workers and a Redis restart never leave a run stuck or a post doubled.

Run it as `.venv/bin/python bench/soak.py` (or `-m bench.soak`); `--help` lists the knobs. It starts an
embedded Redis, a temporary SQLite database (or DATABASE_URL when set), the fake OpenAI server from
tests/fake_openai.py, gunicorn serving gtm, and real `gtm worker` processes. Then:

1. Load, with faults: the fake answers 20% of the model calls with a fault, drawn evenly from 429 (with
   Retry-After), 500, a timeout (no answer within GTM_LLM_TIMEOUT), output cut off at its length limit,
   and invalid JSON; image calls get the first three. Marketers, through the HTTP API, take each of 50
   campaigns through the five analysis steps, plan its strategy (6 posts) and regenerate it from phase 2
   (4 new posts), waiting for each run as the pages do. A reader opens the campaigns' pages meanwhile.
2. Chaos, while runs are in flight: 10 busy workers are killed with SIGKILL together with their work
   horse (as when a machine dies), and the embedded Redis is killed and started again once, losing
   everything it held. A supervisor starts a new worker for each one that died, as systemd would.
3. Recovery, with the faults turned off: every step, plan, post and regeneration that failed is retried
   through the API or the pages, as a marketer would, and must succeed.
4. Checks, each a breach when broken: every run has ended (none stuck); no strategy version, step
   version, post or variant was made twice; no page or API call answered 500 (a 503 saying that
   background work is unavailable is allowed while Redis is down); every retry succeeded; and every
   campaign ends with five steps and a regenerated strategy whose posts are all written with images.

It prints the counts and exits with status 1 on any breach. tests/test_soak.py runs a short version
(5 campaigns, 2 kills and the Redis restart) in `make test`.
"""
import argparse
import collections
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/soak.py` puts bench/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from gtm import broker, create_app  # noqa: E402
from gtm.extensions import db  # noqa: E402
from gtm.models import STEP_KINDS, Campaign, Post, Run, StepVersion, StrategyVersion, Variant  # noqa: E402
from gtm.models.run import UNFINISHED  # noqa: E402
from gtm.services import accounts  # noqa: E402
from tests.fake_openai import FakeOpenAI, Reply  # noqa: E402
from tests.plans import schema_name, valid_plan, valid_regeneration  # noqa: E402

PASSWORD = "Sturdy-passw0rd"
CHANNELS = ["linkedin", "email", "instagram"]
PLAN_SIZES = (2, 2, 2)
REGENERATE_FROM = 2
REGENERATE_SIZES = (2, 2)
PLAN = valid_plan(PLAN_SIZES, CHANNELS)
REGENERATION = valid_regeneration(REGENERATE_FROM, [post["key"] for post in PLAN["phases"][0]["posts"]],
                                  REGENERATE_SIZES, CHANNELS)
CHAT_FAULTS = ("429", "500", "timeout", "truncated", "invalid JSON")
IMAGE_FAULTS = ("429", "500", "timeout")
LLM_TIMEOUT = 2.0
HEARTBEAT = 1  # GTM_WORKER_HEARTBEAT of the soak's workers: a dead worker's job is noticed in about 11 s


def campaign_fields(number: int) -> dict:
    return {"name": f"Soak {number}", "product": "Bloom is a CRM for independent florists.",
            "audience": "Owners of independent flower shops", "goals": "300 paid sign-ups in 90 days",
            "competitors": ["Floranext", "Spreadsheets"], "channels": CHANNELS, "budget": "12000",
            "currency": "EUR", "brief": "Launch at the spring trade fair."}


# --- The model, with faults ------------------------------------------------------------------------------

class Faults:
    """Decides, per model call, whether the fake answers with a fault; seeded, so a run can be repeated."""

    def __init__(self, rate: float, seed: int):
        self.rate = rate
        self.on = True
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: collections.Counter = collections.Counter()
        self.calls: collections.Counter = collections.Counter()

    def _pick(self, kinds: tuple[str, ...], call: str) -> str | None:
        with self.lock:
            self.calls[call] += 1
            if not self.on or self.random.random() >= self.rate:
                return None
            kind = self.random.choice(kinds)
            self.injected[kind] += 1
            return kind

    def chat(self, body: dict) -> Reply | None:
        fault = self._pick(CHAT_FAULTS, "chat")
        if fault:
            return _fault_reply(fault)
        name = schema_name(body)
        if name == "StrategyPlan":
            return Reply.json(PLAN)
        if name == "StrategyRegeneration":
            return Reply.json(REGENERATION)
        return None  # the fake's own answer, built from the request's schema

    def image(self, body: dict) -> Reply | None:
        fault = self._pick(IMAGE_FAULTS, "image")
        return _fault_reply(fault) if fault else None


def _fault_reply(kind: str) -> Reply:
    return {
        "429": lambda: Reply.error(429, "Rate limit reached for requests", retry_after=0.2),
        "500": lambda: Reply.error(500, "The server had an error while processing your request"),
        "timeout": lambda: Reply.hang(LLM_TIMEOUT + 1),
        "truncated": lambda: Reply.length('{"'),
        "invalid JSON": lambda: Reply.text('{"this is": not json'),
    }[kind]()


# --- HTTP, as a marketer's browser and API client -------------------------------------------------------

class Statuses:
    """Every answer's status, and the requests that answered 5xx."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: collections.Counter = collections.Counter()
        self.server_errors: list[str] = []

    def record(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.counts[status] += 1
            if status >= 500:
                self.server_errors.append(f"{status} {method} {path}")


class Http:
    """One person's HTTP client: a Bearer token for the API, or a logged-in session (with CSRF) for pages."""

    def __init__(self, port: int, statuses: Statuses, token: str | None = None):
        self.port = port
        self.statuses = statuses
        self.token = token
        self.cookie = ""
        self.csrf = ""

    def request(self, method: str, path: str, *, body: dict | None = None, form: dict | None = None,
                htmx: bool = False) -> tuple[int, bytes]:
        headers = {}
        data = None
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urlencode({**form, "csrf_token": self.csrf})
        if htmx:
            headers["HX-Request"] = "true"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            content = response.read()
            cookie = response.getheader("Set-Cookie")
        finally:
            connection.close()
        if cookie and cookie.startswith("session="):
            self.cookie = cookie.split(";", 1)[0]
        self.statuses.record(method, path, response.status)
        return response.status, content

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        status, content = self.request(method, path, body=body)
        try:
            return status, json.loads(content or b"{}")
        except ValueError:
            return status, {}

    def log_in(self, email: str) -> None:
        _, page = self.request("GET", "/login")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request("POST", "/login", form={"email": email, "password": PASSWORD})
        if status != 303:
            raise RuntimeError(f"logging in answered {status}")
        _, page = self.request("GET", "/")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


# --- Processes -------------------------------------------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
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
            for pid in [horse, *children_of(process.pid), process.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
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
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- The soak --------------------------------------------------------------------------------------------

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


class Soak:
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
        self.port = self.session.port = _free_port()
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
        if self.web is not None and self.web.poll() is None:
            os.killpg(self.web.pid, signal.SIGTERM)
            self.web.wait(timeout=30)
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

    # -- recovery --
    def recover(self, campaign_id: int) -> None:
        """With the faults off, retry whatever failed, and finish what the load did not reach."""
        with self.app.app_context():
            self._recover(campaign_id)

    def _recover(self, campaign_id: int) -> None:
        client = self.api()
        pages = Http(self.port, self.statuses)
        for kind in STEP_KINDS:
            if self._current_step(campaign_id, kind) is None:
                self._retry(client, "step", lambda: self.start_run(
                    client, f"/api/campaigns/{campaign_id}/steps/{kind}/generate"))
        if not self._versions(campaign_id, "plan"):
            self._retry(client, "plan", lambda: self.start_run(client, f"/api/campaigns/{campaign_id}/strategy"))
        self._retry_posts(client, pages, campaign_id)
        if not self._versions(campaign_id, "regenerate"):
            failed = self._latest_run(campaign_id, "regenerate")
            if failed is not None and failed.status == "failed":
                self._log_in(pages)
                path = f"/campaigns/{campaign_id}/strategy/regenerate/{failed.id}/retry"
                self._retry(client, "regeneration", lambda: self._page_run(
                    pages, path, lambda: self._latest_run(campaign_id, "regenerate")))
            else:
                self._retry(client, "regeneration", lambda: self.start_run(
                    client, "/api/agents/regenerate-strategy/", self._regeneration(campaign_id)))
        self._retry_posts(client, pages, campaign_id)

    def _retry(self, client: Http, kind: str, start) -> None:
        self.report.retries[kind] += 1
        run_id = start()
        if run_id is None:
            return
        outcome = self.wait_run(client, run_id)
        if outcome != "succeeded":
            db.session.remove()
            run = db.session.get(Run, run_id)
            self.report.breach(f"retrying a {kind} (run {run_id}) ended {outcome}: {run.error if run else ''}")

    def _retry_posts(self, client: Http, pages: Http, campaign_id: int) -> None:
        """Retry each failed post of the current version, found as an API client finds them: in /nodes."""
        status, nodes = client.api("GET", f"/api/campaigns/{campaign_id}/nodes")
        if status != 200:
            self.report.breach(f"GET /api/campaigns/{campaign_id}/nodes answered {status}")
            return
        failed = [post["id"] for phase in nodes["phases"] for post in phase["posts"] if post["status"] == "failed"]
        for post_id in failed:
            self._log_in(pages)
            subject = f"post:{post_id}"
            self._retry(client, "post", lambda: self._page_run(
                pages, f"/campaigns/{campaign_id}/posts/{post_id}/retry",
                lambda: self._latest_run(campaign_id, "post", subject)))

    def _page_run(self, pages: Http, path: str, newest) -> int | None:
        before = newest()
        status, content = pages.request("POST", path, form={})
        after = newest()
        if status not in (200, 303) or after is None or (before is not None and after.id == before.id):
            self.report.breach(f"POST {path} answered {status} and started nothing: {content[:200]!r}")
            return None
        return after.id

    def _log_in(self, pages: Http) -> None:
        """Share one logged-in session among the recovery's page clients: log-ins are rate limited."""
        if pages.cookie:
            return
        with self.session_lock:
            if not self.session.cookie:
                self.session.log_in(self.email)
        pages.cookie, pages.csrf = self.session.cookie, self.session.csrf

    def _latest_run(self, campaign_id: int, kind: str, subject: str = "") -> Run | None:
        db.session.remove()
        return db.session.scalar(select(Run).where(Run.campaign_id == campaign_id, Run.kind == kind,
                                                   Run.subject == subject).order_by(Run.id.desc()).limit(1))

    def _current_step(self, campaign_id: int, kind: str) -> StepVersion | None:
        db.session.remove()
        return db.session.scalar(select(StepVersion).where(StepVersion.campaign_id == campaign_id,
                                                           StepVersion.kind == kind, StepVersion.is_current.is_(True)))

    def _versions(self, campaign_id: int, origin: str) -> list[StrategyVersion]:
        db.session.remove()
        return db.session.scalars(select(StrategyVersion).where(StrategyVersion.campaign_id == campaign_id,
                                                                StrategyVersion.origin == origin)).all()

    # -- checks --
    def check(self) -> None:
        """Breaches: a run unfinished, anything made twice, an incomplete campaign, a 500."""
        client = self.api()
        db.session.remove()
        for run_id in db.session.scalars(select(Run.id).where(Run.status.in_(UNFINISHED))).all():
            client.api("GET", f"/api/runs/{run_id}")  # reading a run reconciles it with RQ
        db.session.remove()
        stuck = db.session.scalars(select(Run).where(Run.status.in_(UNFINISHED))).all()
        for run in stuck:
            self.report.breach(f"run {run.id} ({run.kind}) is still {run.status}: {run.message}")
        self._check_duplicates()
        self._check_complete()
        for error in self.statuses.server_errors:
            if not error.startswith("503 "):
                self.report.breach(f"answered {error}")
        runs_by = collections.Counter((kind, status) for kind, status in db.session.execute(
            select(Run.kind, Run.status)).all())
        self.report.counts = {
            "runs": sum(runs_by.values()),
            "runs by kind and status": dict(sorted(runs_by.items())),
            "strategy versions": db.session.scalar(select(func.count()).select_from(StrategyVersion)),
            "step versions": db.session.scalar(select(func.count()).select_from(StepVersion)),
            "posts": db.session.scalar(select(func.count()).select_from(Post)),
            "variants": db.session.scalar(select(func.count()).select_from(Variant)),
            "retried job attempts": db.session.scalar(select(func.count()).select_from(Run).where(Run.attempts > 1)),
        }

    def _check_duplicates(self) -> None:
        db.session.remove()
        twice = [
            ("strategy versions saved twice by one run", select(StrategyVersion.run_id).where(
                StrategyVersion.run_id.is_not(None)).group_by(StrategyVersion.run_id).having(func.count() > 1)),
            ("step versions saved twice by one run", select(StepVersion.run_id).where(
                StepVersion.run_id.is_not(None)).group_by(StepVersion.run_id).having(func.count() > 1)),
            ("posts made twice in one version", select(Post.campaign_id, Post.version, Post.key).group_by(
                Post.campaign_id, Post.version, Post.key).having(func.count() > 1)),
            # Nothing in the soak asks for a new variant, so each post has exactly one A and one B.
            ("variants written twice", select(Variant.post_id, Variant.label).group_by(
                Variant.post_id, Variant.label).having(func.count() > 1)),
            ("variants saved twice by one run", select(Variant.run_id, Variant.label).group_by(
                Variant.run_id, Variant.label).having(func.count() > 1)),
        ]
        for what, query in twice:
            found = db.session.execute(query).all()
            if found:
                self.report.breach(f"{len(found)} {what}: {[tuple(row) for row in found[:5]]}")

    def _check_complete(self) -> None:
        db.session.remove()
        expected_posts = sum(REGENERATE_SIZES) + PLAN_SIZES[0]
        for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)).all():
            steps = db.session.scalar(select(func.count()).select_from(StepVersion).where(
                StepVersion.campaign_id == campaign.id, StepVersion.is_current.is_(True)))
            current = db.session.scalar(select(StrategyVersion).where(
                StrategyVersion.campaign_id == campaign.id, StrategyVersion.number == campaign.current_version))
            posts = db.session.scalars(select(Post).where(Post.campaign_id == campaign.id,
                                                          Post.is_active.is_(True))).all()
            variants = db.session.scalars(select(Variant).where(
                Variant.post_id.in_([post.id for post in posts]), Variant.is_current.is_(True))).all()
            problems = []
            if steps != len(STEP_KINDS):
                problems.append(f"{steps} of {len(STEP_KINDS)} steps")
            if current is None or current.origin != "regenerate":
                problems.append(f"current version is {current.origin if current else 'missing'}")
            if len(posts) != expected_posts or any(post.status != "ready" for post in posts):
                problems.append(f"posts {collections.Counter(post.status for post in posts)}")
            if len(variants) != 2 * len(posts) or any(not variant.media_path for variant in variants):
                problems.append(f"{len(variants)} current variants, "
                                f"{sum(not variant.media_path for variant in variants)} without an image")
            if problems:
                self.report.breach(f"campaign {campaign.id} ({campaign.name}) is incomplete: {'; '.join(problems)}")

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
        echo(f"retried with the faults off: {dict(report.retries)}")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="workers running at once")
    parser.add_argument("--kills", type=int, default=10, help="busy workers to kill with SIGKILL")
    parser.add_argument("--fault-rate", type=float, default=0.2, help="share of model calls answered with a fault")
    parser.add_argument("--concurrency", type=int, default=10, help="marketers working at once")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--stuck-after", type=float, default=300, help="seconds after which a run counts as stuck")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with the logs")
    args = parser.parse_args()
    soak = Soak(campaigns=args.campaigns, workers=args.workers, kills=args.kills, fault_rate=args.fault_rate,
                seed=args.seed, concurrency=args.concurrency, stuck_after=args.stuck_after,
                database_url=os.environ.get("DATABASE_URL"))
    print(f"gtm fault soak · {args.campaigns} campaigns · {args.workers} workers · {args.fault_rate:.0%} faults · "
          f"{os.cpu_count()} CPU cores · database {soak.database_url.split(':')[0]} · logs in {soak.folder}")
    try:
        soak.run()
    finally:
        soak.print_report()
        soak.close(keep=args.keep or bool(soak.report.breaches))
    sys.exit(1 if soak.report.breaches else 0)


if __name__ == "__main__":
    main()
