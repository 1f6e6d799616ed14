"""gtm: a self-hostable go-to-market campaign workbench."""
import os
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from . import access_log, broker
from . import config as settings
from .extensions import csrf, db, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Create and configure an app; `config` overrides what the environment says."""
    instance = os.environ.get("GTM_INSTANCE_PATH") or (config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(Path(instance).resolve()) if instance else None,
                instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings.from_environment(Path(app.instance_path)))
    app.config.update(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        # Flask-Login's default is a year; a log-out or a new password ends the cookie sooner anyway.
        REMEMBER_COOKIE_DURATION=timedelta(days=30),
        # Said on every app: one Limiter serves them all and would keep a disabled state otherwise.
        RATELIMIT_ENABLED=True,
    )
    if config:
        app.config.update(config)
    if app.config["GTM_BEHIND_PROXY"]:
        _behind_proxy(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file has no server to drop the connection, so skip the ping before every checkout.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": False}
    settings.check(app.config)  # fail early on a typo

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    storage_uri, storage_options = broker.limiter_storage(app)
    app.config.update(RATELIMIT_STORAGE_URI=storage_uri, RATELIMIT_STORAGE_OPTIONS=storage_options)
    limiter.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)

    from . import web

    web.init_app(app)
    access_log.install()  # unchanged polls (204) summarised in the access log, not a line each
    return app


def _behind_proxy(app: Flask) -> None:
    """Trust the proxy's X-Forwarded-* headers, and send the cookies over HTTPS only."""
    config = app.config
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config["GTM_PROXY_X_FOR"], x_proto=config["GTM_PROXY_X_PROTO"],
                            x_host=config["GTM_PROXY_X_HOST"])
    config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Use WAL, wait for locks instead of failing, and enforce foreign keys."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    # In WAL mode NORMAL is still safe against corruption and skips an fsync on every commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
