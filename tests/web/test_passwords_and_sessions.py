"""Accounts against an attacker: log-in timing, per-account limits, password changes, sessions that end,
and the headers of pages that hold secrets."""
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug import security as werkzeug_security

from gtm.cli import cli
from gtm.extensions import db
from gtm.models import User
from gtm.services import accounts

from tests.kit.clients import PASSWORD, Client, log_in


NEW_PASSWORD = "Fresh-passw0rd-2"
WRONG = "Wrong-passw0rd"


def address(n: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"203.0.113.{n}"}}


def new_client(app):
    """Another browser: its own cookies, and a CSRF token of its own."""
    client = Client(app, app.response_class, use_cookies=True)
    client.fetch_csrf()
    return client


def signed_in_pages_work(client) -> bool:
    return client.get("/settings").status_code == 200


def only_the_remember_cookie(app, value):
    """A browser that kept nothing but the "Keep me logged in" cookie (its session cookie ended)."""
    client = app.test_client()
    client.set_cookie("remember_token", value)
    return client


def remember_cookie(client) -> str:
    return client.get_cookie("remember_token").value


# Log-in timing


def test_an_unknown_email_is_checked_against_a_hash_like_a_real_one(app, user, monkeypatch):
    checked = []

    def counting_check(pwhash, password):
        checked.append(pwhash)
        return werkzeug_security.check_password_hash(pwhash, password)

    # The real check (the session's cache of results is bypassed), counted where accounts calls it.
    monkeypatch.setattr(accounts, "check_password_hash", counting_check)
    assert accounts.authenticate("nobody@example.com", PASSWORD) is None
    assert accounts.authenticate("not an email", PASSWORD) is None
    assert accounts.authenticate(user.email, WRONG) is None
    assert len(checked) == 3, "every refusal checks one password hash, account or not"
    dummy, _, real = checked
    assert dummy != real and dummy.split("$")[0] == real.split("$")[0] == user.password_hash.split("$")[0]
    assert dummy.startswith("scrypt:")
    assert accounts.authenticate(user.email, PASSWORD).id == user.id


# The per-account log-in limit


@pytest.mark.config(GTM_LOGIN_ACCOUNT_LIMIT="3 per 15 minutes")
def test_failed_log_ins_to_one_account_from_many_addresses_are_limited(app, client, user):
    wrong = {"email": user.email, "password": WRONG}
    assert [client.post("/login", data=wrong, **address(n)).status_code for n in (1, 2, 3)] == [401] * 3

    right = {"email": "  Marketer@EXAMPLE.com ", "password": PASSWORD}
    response = client.post("/login", data=right, **address(4))
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many failed log-ins to this account" in page and "even the right password is refused" in page
    assert 'name="password"' in page and 'value="  Marketer@EXAMPLE.com "' in page, "the log-in form, filled in"
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert not signed_in_pages_work(client), "the right password did not get in"

    other = accounts.sign_up("other@example.com", PASSWORD)
    assert client.post("/login", data={"email": other.email, "password": PASSWORD}, **address(4)).status_code == 303


@pytest.mark.config(GTM_LOGIN_ACCOUNT_LIMIT="2 per 15 minutes")
def test_emails_without_an_account_are_limited_alike(client):
    for email in ("nobody@example.com", "not an email"):
        statuses = [client.post("/login", data={"email": email, "password": WRONG}, **address(n)).status_code
                    for n in (1, 2, 3)]
        assert statuses == [401, 401, 429], email


@pytest.mark.config(GTM_LOGIN_ACCOUNT_LIMIT="2 per 15 minutes")
def test_successful_log_ins_do_not_count(app, client, user):
    for n in range(4):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}, **address(n)).status_code == 303
    assert client.post("/login", data={"email": user.email, "password": WRONG}).status_code == 401


def test_the_account_limit_is_a_setting(app, app_config, monkeypatch):
    from gtm import create_app
    from gtm.config import ConfigError

    assert app.config["GTM_LOGIN_ACCOUNT_LIMIT"] == "10 per 15 minutes"
    monkeypatch.setenv("GTM_LOGIN_ACCOUNT_LIMIT", "lots")
    with pytest.raises(ConfigError, match="GTM_LOGIN_ACCOUNT_LIMIT"):
        create_app(app_config)


# Changing the password in Settings


def test_changing_the_password(auth_client, user):
    page = auth_client.get("/settings").get_data(as_text=True)
    assert 'name="current_password"' in page and 'name="new_password"' in page and 'name="confirm_password"' in page
    response = auth_client.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/settings"
    page = auth_client.get("/settings").get_data(as_text=True)
    assert "Your password is changed" in page
    assert "Your password is changed" not in auth_client.get("/settings").get_data(as_text=True), "said once"
    assert accounts.authenticate(user.email, NEW_PASSWORD).id == user.id
    assert accounts.authenticate(user.email, PASSWORD) is None


@pytest.mark.parametrize("fields, field, message", [
    ({"current_password": WRONG}, "current_password", "not your current password"),
    ({"current_password": ""}, "current_password", "not your current password"),
    ({"new_password": "short1!", "confirm_password": "short1!"}, "new_password", "at least 10"),
    ({"new_password": "onlyletterswithoutdigits", "confirm_password": "onlyletterswithoutdigits"}, "new_password",
     "Mix letters"),
    ({"new_password": "marketer-2026!", "confirm_password": "marketer-2026!"}, "new_password", "email address"),
    ({"new_password": PASSWORD, "confirm_password": PASSWORD}, "new_password", "other than the current one"),
    ({"confirm_password": NEW_PASSWORD + "x"}, "confirm_password", "differ"),
    ({"new_password": "x" * 200, "confirm_password": "x" * 200}, "new_password", "at most 128"),
])
def test_a_refused_password_change_says_why_next_to_the_field_and_changes_nothing(auth_client, user, fields,
                                                                                    field, message):
    before = (user.password_hash, user.session_token)
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, **fields}
    response = auth_client.post("/settings/password", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert PASSWORD not in page and NEW_PASSWORD not in page, "no password is written back into the page"
    db.session.expire_all()
    assert (db.session.get(User, user.id).password_hash, db.session.get(User, user.id).session_token) == before
    assert signed_in_pages_work(auth_client)


@pytest.mark.config(GTM_LOGIN_ACCOUNT_LIMIT="2 per 15 minutes")
def test_guessing_the_current_password_is_limited_too(auth_client, user):
    wrong = {"current_password": WRONG, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert [auth_client.post("/settings/password", data=wrong).status_code for _ in range(2)] == [422, 422]
    right = dict(wrong, current_password=PASSWORD)
    response = auth_client.post("/settings/password", data=right)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    next_to_the_field = response.get_data(as_text=True).split('id="current_password-error">')[1]
    assert next_to_the_field.startswith("Too many refused password changes. Try again in")
    assert accounts.authenticate(user.email, PASSWORD).id == user.id


def test_the_password_change_needs_a_session_and_the_form_token(app, auth_client, user):
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert app.test_client().post("/settings/password", data=data).status_code in (302, 400)
    assert auth_client.post("/settings/password", data=data, with_csrf=False).status_code == 400
    assert accounts.authenticate(user.email, PASSWORD).id == user.id


# gtm users set-password


def invoke(app, *args, **kwargs):
    return app.test_cli_runner().invoke(cli, list(args), **kwargs)


def test_an_administrator_sets_a_password_from_the_command_line(app, client, user):
    log_in(client, user.email)
    result = invoke(app, "users", "set-password", "MARKETER@example.com", "--password", NEW_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "marketer@example.com" in result.output
    assert accounts.authenticate(user.email, NEW_PASSWORD).id == user.id
    assert not signed_in_pages_work(client), "the user's sessions ended"

    typed = "Typed-passw0rd-3"
    result = invoke(app, "users", "set-password", user.email, input=f"{typed}\n{typed}\n")
    assert result.exit_code == 0, result.output
    assert "New password" in result.output and typed not in result.output, "asked for twice, hidden"
    assert accounts.authenticate(user.email, typed).id == user.id


def test_set_password_refuses_an_unknown_email_and_a_weak_password(app, user):
    result = invoke(app, "users", "set-password", "nobody@example.com", input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 1 and "No user with the email nobody@example.com" in result.output
    assert "New password" not in result.output, "the email is checked before a password is asked for"
    result = invoke(app, "users", "set-password", "not an email", "--password", NEW_PASSWORD)
    assert result.exit_code == 1 and "not a valid email" in result.output

    before = user.password_hash
    result = invoke(app, "users", "set-password", user.email, "--password", "short")
    assert result.exit_code == 1 and "at least 10" in result.output and "Traceback" not in result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


# Sessions that end


def test_logging_out_ends_every_session_and_remember_cookie(app, user, api):
    remembered = new_client(app)
    response = remembered.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "1"})
    assert response.status_code == 303
    cookie = remember_cookie(remembered)
    assert signed_in_pages_work(only_the_remember_cookie(app, cookie)), "the cookie alone logs in, until log-out"
    elsewhere = log_in(new_client(app), user.email)

    assert elsewhere.post("/logout").status_code == 303
    assert not signed_in_pages_work(elsewhere)
    assert not signed_in_pages_work(remembered), "the other browser's session ended"
    assert not signed_in_pages_work(only_the_remember_cookie(app, cookie)), "and its remember cookie"
    assert api.get("/api/campaigns")[0] == 200, "API tokens are not sessions"

    log_in(elsewhere, user.email)
    assert signed_in_pages_work(elsewhere), "logging in again works"


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, user, api):
    other = new_client(app)
    other.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "1"})
    other_cookie = remember_cookie(other)
    this = new_client(app)
    this.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "1"})
    this.fetch_csrf()

    response = this.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 303
    assert signed_in_pages_work(this), "the browser that changed it stays logged in"
    assert signed_in_pages_work(only_the_remember_cookie(app, remember_cookie(this))), "and stays remembered"
    assert not signed_in_pages_work(other)
    assert not signed_in_pages_work(only_the_remember_cookie(app, other_cookie))
    assert api.get("/api/campaigns")[0] == 200, "API tokens stay; Settings lists them to revoke"


def test_a_session_names_the_users_current_session_token(user):
    token = user.session_token
    assert len(token) == 32 and user.get_id() == f"{user.id}:{token}"
    assert accounts.user_for_session(user.get_id()).id == user.id
    for forged in (str(user.id), f"{user.id}:", f"{user.id}:{'0' * 32}", f"{user.id}:{token}x", f"x:{token}",
                   f"{user.id + 1}:{token}", f" {user.id}:{token}", "", ":"):
        assert accounts.user_for_session(forged) is None, forged
    accounts.end_sessions(user.id)
    assert accounts.user_for_session(f"{user.id}:{token}") is None
    other = accounts.sign_up("other@example.com", PASSWORD)
    assert other.session_token != user.session_token


def test_remember_cookies_last_thirty_days(app, client, user):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "1"})
    expires = client.get_cookie("remember_token").expires
    left = expires - datetime.now(timezone.utc)
    assert timedelta(days=29) < left <= timedelta(days=30)
