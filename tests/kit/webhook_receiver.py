"""A real HTTP receiver of webhooks on loopback: it checks every request's Standard Webhooks signature with the
standardwebhooks library, keeps the events it took (by their `webhook-id`, so a repeat shows), and can be
down (answer 503) for its first N requests, answer a redirect, or wait before answering."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


class Receiver:
    def __init__(self, secret: str | None = None):
        self.secret = secret
        self.lock = threading.Lock()
        self.requests = 0
        self.down_for = 0
        self.down_text = "receiver down for maintenance"
        self.redirect_to: str | None = None
        self.delay = 0.0
        self.events: list[dict] = []        # the verified events it answered 200 to, in order
        self.ids: list[str] = []            # their webhook-id headers
        self.unverified = 0                 # requests whose signature did not verify
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, headers: dict, body: bytes) -> tuple[int, str, dict]:
        with self.lock:
            self.requests += 1
            if self.requests <= self.down_for:
                return 503, self.down_text, {}
            if self.redirect_to:
                return 302, "", {"Location": self.redirect_to}
        if self.delay:
            self.release.wait(self.delay)
        try:
            event = Webhook(self.secret).verify(body, headers)
        except Exception as exc:  # noqa: BLE001 - any failure to verify is refused
            with self.lock:
                self.unverified += 1
            return 400, f"bad signature: {exc}", {}
        with self.lock:
            self.events.append(event)
            self.ids.append(headers["webhook-id"])
        return 200, json.dumps({"received": headers["webhook-id"]}), {}

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, text, more = receiver._answer(headers, body)
                data = text.encode()
                try:
                    self.send_response(status)
                    for name, value in more.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the sender gave up waiting
                    pass

            def log_message(self, *args):
                pass

        return Handler
