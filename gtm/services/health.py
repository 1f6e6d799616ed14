"""Whether this instance can serve work: its database, its Redis and at least one worker.

Each check answers in words only ("ok", "missing", "unknown"): what failed is logged here, never said to
whoever asked, since the readiness address is open to anyone."""
import logging

from flask import Flask
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .. import broker, queue
from ..extensions import db

log = logging.getLogger(__name__)

# The longest a PostgreSQL `SELECT 1` may take before the database counts as missing.
DATABASE_TIMEOUT_MS = 2000


def readiness(app: Flask) -> dict[str, str]:
    """Return each part's state: `database`, `redis`, `workers`. The workers are `unknown` while Redis is
    missing (they are registered there), so the answer names only the part that is really away."""
    checks = {"database": _database(), "redis": _redis(app)}
    checks["workers"] = _workers(app) if checks["redis"] == "ok" else "unknown"
    return checks


def missing(checks: dict[str, str]) -> list[str]:
    """The parts that are away, in the order they are checked; none when the instance is ready."""
    return [name for name, state in checks.items() if state == "missing"]


def _database() -> str:
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # LOCAL: it ends with this transaction, so the pooled connection keeps its usual settings.
                connection.execute(text(f"SET LOCAL statement_timeout = {DATABASE_TIMEOUT_MS}"))
            connection.execute(text("SELECT 1"))
        return "ok"
    except (SQLAlchemyError, OSError) as exc:
        log.warning("readiness: the database does not answer: %s", exc)
        return "missing"


def _redis(app: Flask) -> str:
    try:
        broker.connection(app).ping()
        return "ok"
    except (RedisError, OSError) as exc:
        log.warning("readiness: Redis does not answer: %s", exc)
        return "missing"


def _workers(app: Flask) -> str:
    try:
        return "ok" if queue.live_workers(app) else "missing"
    except (RedisError, OSError) as exc:
        log.warning("readiness: cannot read the workers from Redis: %s", exc)
        return "missing"
