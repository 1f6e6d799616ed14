"""Production settings: the Content-Security-Policy and the other security headers, pages without inline
code, GTM_BEHIND_PROXY, the log-in and sign-up rate limits, and GTM_SIGNUP=closed."""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from gtm import create_app
from gtm.web import assets
from gtm.cli import cli
from gtm.config import ConfigError
from gtm.models import Post, User

from tests.kit.clients import PASSWORD, log_in
from tests.kit.processes import run_gtm


DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
}


def policy_of(response) -> dict[str, list[str]]:
    value = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in value.split(";"))}


def assert_secure_headers(response, where=""):
    assert policy_of(response) == DIRECTIVES, where
    assert "unsafe" not in response.headers["Content-Security-Policy"], where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert response.headers["Referrer-Policy"] == "same-origin", where


def test_every_kind_of_response_carries_the_policy_and_headers(app, auth_client, api, campaign):
    anonymous = app.test_client()
    answers = {
        "a page": anonymous.get("/login"),
        "a static file": anonymous.get("/static/js/gtm.js"),
        "a redirect": anonymous.get("/campaigns/new"),
        "a missing page": auth_client.get("/nowhere"),
        "a fragment": auth_client.get(f"/campaigns/{campaign.id}/steps/competitors", headers={"HX-Request": "true"}),
        "JSON": api.client.get(f"/api/campaigns/{campaign.id}", headers=api.headers),
        "a JSON error": api.client.get("/api/campaigns/999999", headers=api.headers),
    }
    for where, response in answers.items():
        assert_secure_headers(response, where)
        response.close()


def test_htmx_from_the_cdn_is_allowed_as_that_one_file(client, monkeypatch):
    monkeypatch.setattr(assets, "HTMX_LOCAL", "vendor/htmx-missing.min.js")
    response = client.get("/login")
    assert f'<script src="{assets.HTMX_CDN}" integrity="{assets.HTMX_SRI}"' in response.get_data(as_text=True)
    assert policy_of(response)["script-src"] == ["'self'", assets.HTMX_CDN]
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_pages_ask_htmx_for_no_eval_and_no_injected_style(client):
    page = client.get("/login").get_data(as_text=True)
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>""" in page
    assert '<script src="/static/js/gtm.js" defer></script>' in page
    with client.get("/static/css/gtm.css") as response:
        css = response.get_data(as_text=True)
    assert ".htmx-request .htmx-indicator" in css, "the indicator rules htmx would inject live in our stylesheet"


class InlineCode(HTMLParser):
    """Collects what a strict CSP blocks: inline scripts and styles, handler and style attributes, js: URLs,
    and what htmx would have to evaluate (hx-on, js: values, event filters)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs.items():
            value = value or ""
            if name.startswith("on") or name == "style" or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("hx-vals", "hx-vars", "hx-headers") and value.lstrip().startswith(("js:", "javascript:")):
                self.found.append(f"<{tag} {name}> with code")
            if name == "hx-trigger" and "[" in value:
                self.found.append(f"<{tag} hx-trigger> with an event filter: {value}")
            if name in ("href", "src", "action") and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])


def inline_code(response) -> InlineCode:
    parser = InlineCode()
    parser.feed(response.get_data(as_text=True))
    return parser


def test_no_page_or_dialog_carries_inline_code(client, auth_client, campaign, work):
    for path in ("/login", "/signup"):
        assert inline_code(client.get(path)).found == [], path
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
    auth_client.post(f"/campaigns/{campaign.id}/strategy/plan", data={})
    work()
    auth_client.post(f"/campaigns/{campaign.id}/strategy/plan", data={})  # version 2, so version 1 can be restored
    work()
    auth_client.post("/settings/tokens", data={"name": "crawl"})  # the new token's field selects itself on focus

    seen, todo = set(), ["/", f"/campaigns/{campaign.id}/strategy/graph", f"/campaigns/{campaign.id}/strategy/versions"]
    while todo and len(seen) < 60:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = auth_client.get(path)
        assert response.status_code == 200, path
        parser = inline_code(response)
        assert parser.found == [], path
        for href in parser.links:
            parts = urlsplit(urljoin(path, href))
            if not parts.netloc and parts.path.startswith("/") and not parts.path.startswith(("/static/", "/api/")):
                todo.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    post = Post.query.filter_by(is_active=True).first()
    assert {f"/campaigns/{campaign.id}", f"/campaigns/{campaign.id}/strategy", "/settings",
            f"/campaigns/{campaign.id}/posts/{post.id}"} <= seen

    dialogs = [f"/campaigns/{campaign.id}/steps/competitors/regenerate",
               f"/campaigns/{campaign.id}/posts/{post.id}/variants/A/regenerate",
               f"/campaigns/{campaign.id}/strategy/regenerate",
               f"/campaigns/{campaign.id}/strategy/versions/1/restore"]
    for path in dialogs:
        response = auth_client.get(path, headers={"HX-Request": "true"})
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and body.lstrip().startswith("<dialog"), path
        assert " data-open" in body.split(">", 1)[0], f"{path}: gtm.js opens the dialog"
        assert inline_code(response).found == [], path


def test_pages_with_secrets_are_not_stored(client, auth_client):
    for path in ("/login", "/signup", "/settings"):
        assert auth_client.get(path).headers["Cache-Control"] == "no-store", path
    response = auth_client.post("/settings/tokens", data={"name": "reporting"})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    response = auth_client.post("/login", data={"email": "x@example.com", "password": "Wrong-passw0rd"})
    assert response.status_code == 401 and response.headers["Cache-Control"] == "no-store"


@pytest.mark.config(GTM_BEHIND_PROXY=True)
def test_behind_a_proxy_browsers_are_told_to_use_https_only(client, auth_client):
    for path in ("/login", "/", "/settings"):
        assert auth_client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_without_a_proxy_there_is_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.mark.config(GTM_BEHIND_PROXY=True, GTM_LOGIN_LIMIT="2 per minute")
def test_behind_a_proxy_the_client_address_and_https_come_from_its_headers(app, client, user):
    assert isinstance(app.wsgi_app, ProxyFix)
    assert (app.wsgi_app.x_for, app.wsgi_app.x_proto, app.wsgi_app.x_host) == (1, 1, 1)
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "gtm.example",
                 # Over HTTPS the CSRF check also wants a same-site Referer: it matches the forwarded host.
                 "Referer": "https://gtm.example/login"}
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "1"},
                           headers=forwarded)
    assert response.status_code == 303
    cookies = {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        flags = [flag.strip().lower() for flag in cookies[name].split(";")]
        assert {"secure", "httponly", "samesite=lax"} <= set(flags), cookies[name]

    # The limit counts per real client: the address the proxy forwards, not the proxy's own.
    wrong = {"email": user.email, "password": "Wrong-passw0rd"}
    assert [client.post("/login", data=wrong, headers=forwarded).status_code for _ in range(2)] == [401, 429]
    other = dict(forwarded, **{"X-Forwarded-For": "198.51.100.2"})
    assert client.post("/login", data=wrong, headers=other).status_code == 401


@pytest.mark.config(GTM_LOGIN_LIMIT="2 per minute")
def test_without_a_proxy_forwarded_headers_are_ignored_and_cookies_allow_http(app, client, user):
    assert not isinstance(app.wsgi_app, ProxyFix)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "1"})
    for header in response.headers.getlist("Set-Cookie"):
        flags = {flag.strip().lower() for flag in header.split(";")}
        assert "secure" not in flags and {"httponly", "samesite=lax"} <= flags, header
    wrong = {"email": user.email, "password": "Wrong-passw0rd"}
    statuses = [client.post("/login", data=wrong, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
                for n in range(2)]
    assert statuses == [401, 429], "a forged X-Forwarded-For does not buy more attempts"


def test_proxy_hop_counts_come_from_the_environment(app_config, monkeypatch):
    monkeypatch.setenv("GTM_BEHIND_PROXY", "1")
    monkeypatch.setenv("GTM_PROXY_X_FOR", "2")
    monkeypatch.setenv("GTM_PROXY_X_HOST", "0")
    proxied = create_app(app_config)
    assert (proxied.wsgi_app.x_for, proxied.wsgi_app.x_proto, proxied.wsgi_app.x_host) == (2, 1, 0)
    assert proxied.config["SESSION_COOKIE_SECURE"] and proxied.config["REMEMBER_COOKIE_SECURE"]
    monkeypatch.setenv("GTM_BEHIND_PROXY", "perhaps")
    with pytest.raises(ConfigError, match="GTM_BEHIND_PROXY"):
        create_app(app_config)


@pytest.mark.config(GTM_LOGIN_LIMIT="3 per minute")
def test_logging_in_too_often_answers_429_saying_when_to_try_again(client, user):
    wrong = {"email": user.email, "password": "Wrong-passw0rd"}
    assert [client.post("/login", data=wrong).status_code for _ in range(3)] == [401] * 3
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "<h1>Too many attempts</h1>" in page
    assert "Try again in" in page and 0 < int(response.headers["Retry-After"]) <= 60
    assert "text/html" in response.content_type
    assert client.get("/").status_code == 302, "the right password did not get in either"
    assert client.get("/login").status_code == 200, "only posts are limited"

    htmx = client.post("/login", data=wrong, headers={"HX-Request": "true"})
    assert htmx.status_code == 429 and htmx.headers["HX-Retarget"] == "#flash"
    assert "Try again in" in htmx.get_data(as_text=True)


@pytest.mark.own_app
def test_the_limit_answers_json_under_api(app, monkeypatch):
    from gtm.extensions import limiter
    from gtm.web import authorization

    # A probe open to anyone: a route must be in the table of who may call what, or everyone is refused.
    monkeypatch.setitem(authorization.ENDPOINTS, "limited_probe", authorization.PUBLIC)

    @limiter.limit("1 per minute")
    def limited_probe():
        return {"ok": True}
    app.add_url_rule("/api/limited-probe", view_func=limited_probe)
    client = app.test_client()
    assert client.get("/api/limited-probe").status_code == 200
    response = client.get("/api/limited-probe")
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert response.get_json()["error"] == "too_many_requests" and "Try again in" in response.get_json()["detail"]


@pytest.mark.config(GTM_SIGNUP_LIMIT="2 per hour")
def test_signing_up_too_often_answers_429_and_creates_nobody(client):
    emails = ["one@example.com", "two@example.com", "three@example.com"]
    statuses = []
    for email in emails:
        statuses.append(client.post("/signup", data={"email": email, "password": PASSWORD}).status_code)
        client.post("/logout")
        client.fetch_csrf()
    assert statuses == [303, 303, 429]
    assert sorted(u.email for u in User.query) == emails[:2]
    assert "Try again in" in client.post("/signup", data={"email": "x@example.com", "password": PASSWORD}).get_data(as_text=True)


def test_the_default_limits_leave_room_for_people(app):
    assert app.config["GTM_LOGIN_LIMIT"] == "10 per minute" and app.config["GTM_SIGNUP_LIMIT"] == "5 per hour"


@pytest.mark.parametrize("name", ["GTM_LOGIN_LIMIT", "GTM_SIGNUP_LIMIT"])
def test_a_limit_that_is_not_a_rate_fails_at_start_up(app_config, name):
    with pytest.raises(ConfigError, match=name):
        create_app(dict(app_config, **{name: "lots"}))


@pytest.mark.config(GTM_SIGNUP="closed")
def test_closed_sign_up_sends_people_to_an_administrator(app, client):
    page = client.get("/signup").get_data(as_text=True)
    assert "Sign-up is closed" in page and "administrator" in page and 'name="password"' not in page
    response = client.post("/signup", data={"email": "new@example.com", "password": PASSWORD})
    assert response.status_code == 403 and "Sign-up is closed" in response.get_data(as_text=True)
    assert User.query.count() == 0
    login = client.get("/login").get_data(as_text=True)
    assert "/signup" not in login and "Create an account" not in login

    result = app.test_cli_runner().invoke(cli, ["users", "create", "new@example.com", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert [u.email for u in User.query] == ["new@example.com"]
    log_in(client, "new@example.com")


def test_open_sign_up_shows_the_form_and_the_link(client):
    assert 'name="password"' in client.get("/signup").get_data(as_text=True)
    assert "Create an account" in client.get("/login").get_data(as_text=True)


def test_an_unknown_sign_up_mode_fails_at_start_up(app_config, monkeypatch, tmp_path):
    monkeypatch.setenv("GTM_SIGNUP", "invite-only")
    with pytest.raises(ConfigError, match="GTM_SIGNUP must be one of open, closed, not 'invite-only'"):
        create_app(app_config)
    result = run_gtm(["users", "create", "x@example.com", "--password", PASSWORD], tmp_path, GTM_SIGNUP="invite-only")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "GTM_SIGNUP must be one of open, closed, not 'invite-only'" in result.stderr


def test_the_settings_are_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = [line for line in readme.splitlines() if line.startswith("| `")]
    for name in ("GTM_BEHIND_PROXY", "GTM_PROXY_X_FOR", "GTM_PROXY_X_PROTO", "GTM_PROXY_X_HOST", "GTM_LOGIN_LIMIT",
                 "GTM_SIGNUP_LIMIT", "GTM_SIGNUP"):
        assert any(line.split("|")[1].count(f"`{name}`") for line in table), f"{name} is in the configuration table"
    policy = " ".join(readme.split("Every response carries", 1)[1].split("`")[1].split())
    assert policy == "; ".join(f"{name} {' '.join(sources)}" for name, sources in DIRECTIVES.items())
