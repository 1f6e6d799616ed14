"""Passwords and sessions against an attacker: changing the password in Settings (current one first, limited
per account), setting one from the command line, and sessions that end: log-out and a new password end
every other session and remember cookie."""
from datetime import datetime, timedelta, timezone

import pytest

from gtm.cli import cli
from gtm.extensions import db
from gtm.models import User
from gtm.services import accounts

from tests.kit.clients import PASSWORD, log_in, new_client, signed_in_pages_work

NEW_PASSWORD = "Fresh-passw0rd-2"
WRONG = "Wrong-passw0rd"


def only_the_remember_cookie(app, value):
    """A browser that kept nothing but the "Keep me logged in" cookie (its session cookie ended)."""
    client = app.test_client()
    client.set_cookie("remember_token", value)
    return client


def remember_cookie(client) -> str:
    return client.get_cookie("remember_token").value


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
