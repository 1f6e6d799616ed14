"""HTTP as a marketer's browser and API client sees it, counting every answer's status."""
import collections
import http.client
import json
import re
import threading
from urllib.parse import urlencode

from .model import PASSWORD


class Statuses:
    """Every answer's status, and the requests that answered 5xx."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: collections.Counter = collections.Counter()
        self.server_errors: list[str] = []

    def record(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.counts[status] += 1
            if status >= 500:
                self.server_errors.append(f"{status} {method} {path}")


class Http:
    """One person's HTTP client: a Bearer token for the API, or a logged-in session (with CSRF) for pages."""

    def __init__(self, port: int, statuses: Statuses, token: str | None = None):
        self.port = port
        self.statuses = statuses
        self.token = token
        self.cookie = ""
        self.csrf = ""

    def request(self, method: str, path: str, *, body: dict | None = None, form: dict | None = None,
                htmx: bool = False) -> tuple[int, bytes]:
        headers = {}
        data = None
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urlencode({**form, "csrf_token": self.csrf})
        if htmx:
            headers["HX-Request"] = "true"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            content = response.read()
            cookie = response.getheader("Set-Cookie")
        finally:
            connection.close()
        if cookie and cookie.startswith("session="):
            self.cookie = cookie.split(";", 1)[0]
        self.statuses.record(method, path, response.status)
        return response.status, content

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        status, content = self.request(method, path, body=body)
        try:
            return status, json.loads(content or b"{}")
        except ValueError:
            return status, {}

    def log_in(self, email: str) -> None:
        _, page = self.request("GET", "/login")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request("POST", "/login", form={"email": email, "password": PASSWORD})
        if status != 303:
            raise RuntimeError(f"logging in answered {status}")
        _, page = self.request("GET", "/")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
