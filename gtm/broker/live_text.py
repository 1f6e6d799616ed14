"""The live text of runs: the streamed partial output a run's page shows while the model writes.

The text is a preview only, kept in Redis and bounded, so Redis never grows with output; the
run's result lives in the database.
"""
import logging

import redis

from .client import connection

log = logging.getLogger(__name__)

# Enough to watch, bounded so Redis never grows with output.
LIMIT = 64_000
TTL = 3600


def key(run_id: int) -> str:
    return f"gtm:run:{run_id}:text"


def append(run_id: int, text: str) -> None:
    """Append streamed text for a run, keeping only the last LIMIT characters.

    When Redis does not answer, the text is dropped and the run goes on."""
    client = connection()
    name = key(run_id)
    try:
        with client.pipeline() as pipe:
            pipe.append(name, text.encode())
            pipe.expire(name, TTL)
            size = pipe.execute()[0]
        if size > LIMIT * 2:
            tail = client.getrange(name, -LIMIT, -1)
            client.set(name, tail, ex=TTL)
    except redis.exceptions.RedisError as exc:
        log.warning("run %s: live text dropped, Redis does not answer: %s", run_id, exc)


def read(run_id: int) -> str:
    """Return the streamed text of a run so far (the tail, when long)."""
    raw = connection().get(key(run_id)) or b""
    return raw[-LIMIT:].decode(errors="ignore")


def clear(run_id: int) -> None:
    try:
        connection().delete(key(run_id))
    except redis.exceptions.RedisError as exc:
        log.warning("run %s: live text not cleared, Redis does not answer: %s", run_id, exc)


def length(run_id: int) -> int:
    """Return how much streamed text a run has (a cheap way to tell that more arrived)."""
    return int(connection().strlen(key(run_id)))
