"""The app's Redis client: where it listens, the one client per app, and the check that it answers."""
from pathlib import Path

import redis
from flask import Flask, current_app

SOCKET_NAME = "redis.sock"


class RedisUnavailable(RuntimeError):
    """Raised when no Redis answers; the message says how to get one."""


def redis_url(app: Flask) -> str:
    """Return REDIS_URL, or the unix socket of the embedded server."""
    return app.config["REDIS_URL"] or f"unix://{Path(app.instance_path) / SOCKET_NAME}"


def limiter_storage(app: Flask) -> tuple[str, dict]:
    """Return the storage URI and options that make Flask-Limiter count in the app's Redis.

    The `limits` library names a unix socket `redis+unix://`, where redis-py says `unix://`; the counters
    share the app's connection pool, so they live and close with the app's Redis client."""
    url = redis_url(app)
    if url.startswith("unix://"):
        url = "redis+" + url
    return url, {"connection_pool": connection(app).connection_pool}


def connection(app: Flask | None = None) -> redis.Redis:
    """Return the app's Redis client, created once per app."""
    app = app or current_app._get_current_object()
    client = app.extensions.get("gtm.redis")
    if client is None:
        client = redis.Redis.from_url(redis_url(app), socket_connect_timeout=5, health_check_interval=30)
        app.extensions["gtm.redis"] = client
    return client


def check(app: Flask) -> None:
    """Raise RedisUnavailable with advice when Redis does not answer."""
    try:
        connection(app).ping()
    except redis.exceptions.ConnectionError as exc:
        where = "REDIS_URL" if app.config["REDIS_URL"] else "the embedded Redis (started by `gtm run`)"
        raise RedisUnavailable(
            f"Cannot reach {where} at {redis_url(app)}: {str(exc).rstrip('.')}. "
            "Start everything with `gtm run`, or set REDIS_URL to a running Redis."
        ) from exc
