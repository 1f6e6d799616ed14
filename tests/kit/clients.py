"""Who talks to the app in a test: a signed-up user, test clients that send the CSRF token as the pages do,
and an /api client that checks every answer against the OpenAPI document."""
import re

import pytest
from flask.testing import FlaskClient

from gtm.services import accounts

from .openapi_check import AnswerChecker

PASSWORD = "Sturdy-passw0rd"


class Client(FlaskClient):
    """A test client that sends the session's CSRF token on unsafe requests, like the pages do."""

    csrf: str | None = None

    def open(self, *args, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if self.csrf and method not in ("GET", "HEAD", "OPTIONS") and kwargs.pop("with_csrf", True):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf)
            kwargs["headers"] = headers
        kwargs.pop("with_csrf", None)
        return super().open(*args, **kwargs)

    def fetch_csrf(self) -> str:
        page = self.get("/login").get_data(as_text=True)
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.csrf


def new_client(app) -> Client:
    """Another browser: its own cookies, and a CSRF token of its own."""
    client = Client(app, app.response_class, use_cookies=True)
    client.fetch_csrf()
    return client


def log_in(client, email, password=PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    client.fetch_csrf()
    return client


def signed_in_pages_work(client) -> bool:
    return client.get("/settings").status_code == 200


@pytest.fixture
def client(app):
    return new_client(app)


@pytest.fixture
def user(app):
    return accounts.sign_up("marketer@example.com", PASSWORD)


@pytest.fixture
def auth_client(client, user):
    return log_in(client, user.email)


@pytest.fixture
def htmx(auth_client):
    """The logged-in client sending HX-Request, as htmx does."""
    auth_client.environ_base["HTTP_HX_REQUEST"] = "true"
    return auth_client


@pytest.fixture
def token(user):
    return accounts.create_token(user.id, "tests")[1]


@pytest.fixture(scope="session")
def answer_checker():
    """Built from the first OpenAPI document served; every app of the session serves the same one."""
    found = {}

    def checker(client) -> AnswerChecker:
        if "checker" not in found:
            found["checker"] = AnswerChecker(client.get("/api/openapi.json").get_json())
        return found["checker"]
    return checker


class Api:
    """`get` and `post` return (status, json), after checking the answer against what /api/openapi.json
    documents for that route and status."""

    def __init__(self, app, raw_token, checker):
        self.app = app
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {raw_token}"}
        self.checker = checker

    def get(self, path):
        return self._checked("GET", path, self.client.get(path, headers=self.headers))

    def post(self, path, json=None, **kwargs):
        return self._checked("POST", path, self.client.post(path, json=json, headers=self.headers, **kwargs))

    def put(self, path, json=None, **kwargs):
        return self._checked("PUT", path, self.client.put(path, json=json, headers=self.headers, **kwargs))

    def patch(self, path, json=None, **kwargs):
        return self._checked("PATCH", path, self.client.patch(path, json=json, headers=self.headers, **kwargs))

    def delete(self, path, json=None, **kwargs):
        return self._checked("DELETE", path, self.client.delete(path, json=json, headers=self.headers, **kwargs))

    def _checked(self, method, path, response):
        answer = response.get_json(silent=True)
        self.checker(self.client).check(self.app, method, path, response.status_code, answer)
        return response.status_code, answer


@pytest.fixture
def api(app, token, answer_checker):
    """A client for /api with a Bearer token (see Api)."""
    return Api(app, token, answer_checker)
