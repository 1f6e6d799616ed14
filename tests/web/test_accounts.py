"""Sign-up, log-in, log-out, workspaces and API tokens; a refused log-in takes as long whether or not the email
has an account, and failed log-ins are limited per account."""
import pytest
from werkzeug import security as werkzeug_security

from gtm.cli import cli
from gtm.models import ApiToken, User, Workspace
from gtm.services import accounts

from tests.kit.clients import PASSWORD, log_in, signed_in_pages_work
from tests.kit.pages import check_page

WRONG = "Wrong-passw0rd"


def test_signup_creates_user_and_workspace_and_logs_in(client):
    response = client.post("/signup", data={"email": "New@Example.com", "password": PASSWORD})
    assert response.status_code == 303
    user = User.query.one()
    assert user.email == "new@example.com" and user.password_hash != PASSWORD
    assert Workspace.query.count() == 1
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("email", ["", "plainaddress", "a@", "@example.com", "a b@example.com", "x" * 250 + "@e.com"])
def test_invalid_emails_are_refused(client, email):
    response = client.post("/signup", data={"email": email, "password": PASSWORD})
    assert response.status_code == 422
    assert 'class="field-error" id="email-error"' in response.get_data(as_text=True)
    assert User.query.count() == 0


@pytest.mark.parametrize("password, message", [
    ("short1!", "at least 10"),
    ("onlyletterswithoutdigits", "Mix letters"),
    ("1234567890123", "Mix letters"),
    ("aaaaaaaaa1a1", "more different"),
    ("x" * 120 + "1" * 10, "at most 128"),
])


def test_weak_passwords_are_refused(client, password, message):
    response = client.post("/signup", data={"email": "a@example.com", "password": password})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert User.query.count() == 0


@pytest.mark.parametrize("email, password, expected", [
    ("plainaddress", "short", {"email": "not a valid email", "password": "at least 10"}),
    ("", "onlyletterswithoutdigits", {"email": "Enter your email", "password": "Mix letters"}),
    ("MARKETER@example.com", "aaaaaaaaa1a1", {"email": "already exists", "password": "more different"}),
    # An address that is not one puts no rule on the password: only the email is wrong.
    ("a@", "a-Sturdy-passw0rd", {"email": "not a valid email"}),
])
def test_signup_shows_every_error_at_once(client, user, email, password, expected):
    response = client.post("/signup", data={"email": email, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field, words in expected.items():
        error = page[page.index(f'id="{field}-error"'):]
        assert words in error[:error.index("</")], (field, words)
    assert ('id="password-error"' in page) == ("password" in expected)
    assert ("Fix the 2 fields marked below." in page) == (len(expected) == 2)
    assert User.query.count() == 1


def test_duplicate_signup_is_refused(client, user):
    response = client.post("/signup", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert User.query.count() == 1


def test_login_with_wrong_password_says_so(client, user):
    response = client.post("/login", data={"email": user.email, "password": "Wrong-passw0rd"})
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_redirects_only_to_local_paths(client, user):
    response = client.post("/login?next=https://evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    log_in(client, user.email)
    response = client.post("/login?next=/settings", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/settings"


def test_logout(auth_client):
    assert auth_client.post("/logout").status_code == 303
    assert auth_client.get("/").status_code == 302


def test_pages_need_login(client):
    response = client.get("/campaigns/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/campaigns/new", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")


def test_tokens_are_listed_created_shown_once_and_revoked(auth_client, user):
    response = auth_client.post("/settings/tokens", data={"name": "reporting"})
    page = response.get_data(as_text=True)
    assert response.status_code == 201 and "shown only once" in page
    token = ApiToken.query.one()
    raw = page.split('readonly value="')[1].split('"')[0]
    assert raw.startswith("gtm_") and token.token_hash != raw and raw not in token.prefix
    assert accounts.user_for_token(raw).id == user.id
    page = auth_client.get("/settings").get_data(as_text=True)
    assert "reporting" in page and raw not in page

    assert auth_client.post(f"/settings/tokens/{token.id}/revoke", data={"confirmed": "yes"}).status_code == 303
    assert accounts.user_for_token(raw) is None
    assert "Revoked" in auth_client.get("/settings").get_data(as_text=True)


def test_a_new_token_has_a_copy_button(auth_client):
    page = auth_client.post("/settings/tokens", data={"name": "reporting"}).get_data(as_text=True)
    assert 'id="new-token"' in page and 'readonly value="gtm_' in page
    assert '<button type="button" data-copy="#new-token" aria-live="polite">Copy</button>' in page


def test_revoking_a_token_asks_first_in_the_browser_and_on_a_page_without_scripts(auth_client, user):
    made, raw = accounts.create_token(user.id, "reporting")
    settings = auth_client.get("/settings").get_data(as_text=True)
    # gtm.js asks with the form's data-confirm and fills data-confirmed; no inline handler.
    assert 'data-confirm="Revoke the token “reporting”? Scripts that use it are refused from now on' in settings
    assert '<input type="hidden" name="confirmed" value="" data-confirmed>' in settings
    assert "onsubmit" not in settings and "onclick" not in settings

    # Sent unconfirmed (no scripts, or any other value): a page asks, and nothing is revoked.
    for data in ({}, {"confirmed": ""}, {"confirmed": "no"}, {"confirmed": "YES "}):
        response = auth_client.post(f"/settings/tokens/{made.id}/revoke", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "Revoke the token “reporting”?" in page
        assert '<input type="hidden" name="confirmed" value="yes">' in page and "Cancel" in page
        assert accounts.user_for_token(raw) is not None
    check_page("/settings/tokens/<id>/revoke", response)

    response = auth_client.post(f"/settings/tokens/{made.id}/revoke", data={"confirmed": "yes"})
    assert response.status_code == 303 and response.headers["Location"] == "/settings"
    assert accounts.user_for_token(raw) is None
    assert "The token “reporting” is revoked" in auth_client.get("/settings").get_data(as_text=True)
    # Asked again about a revoked token: it says so and offers nothing to press.
    page = auth_client.post(f"/settings/tokens/{made.id}/revoke").get_data(as_text=True)
    assert "was revoked" in page and 'value="yes"' not in page


def test_another_users_or_an_unknown_token_is_not_found_confirmed_or_not(auth_client):
    rival = accounts.sign_up("rival@example.com", PASSWORD)
    theirs, raw = accounts.create_token(rival.id, "theirs")
    for token_id in (theirs.id, theirs.id + 100):
        for data in ({}, {"confirmed": "yes"}):
            response = auth_client.post(f"/settings/tokens/{token_id}/revoke", data=data)
            assert response.status_code == 404 and "theirs" not in response.get_data(as_text=True)
    assert accounts.user_for_token(raw).id == rival.id


def test_token_name_over_limit_is_refused(auth_client):
    response = auth_client.post("/settings/tokens", data={"name": "n" * 81})
    assert response.status_code == 422 and "at most 80" in response.get_data(as_text=True)
    assert ApiToken.query.count() == 0


def test_api_needs_a_live_token(api, app, token, user):
    anonymous = app.test_client()
    response = anonymous.get("/api/campaigns")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    response = anonymous.get("/api/campaigns", headers={"Authorization": "Bearer gtm_nope"})
    assert response.status_code == 401
    assert api.get("/api/campaigns")[0] == 200
    accounts.revoke_token(user.id, ApiToken.query.one().id)
    assert api.get("/api/campaigns")[0] == 401


def test_cli_creates_users_and_tokens(app):
    runner = app.test_cli_runner()
    invoke = runner.invoke
    runner.invoke = lambda args: invoke(cli, args=args)
    result = runner.invoke(args=["users", "create", "cli@example.com", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create", "cli@example.com", "--password", PASSWORD])
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(args=["users", "create", "weak@example.com", "--password", "short"])
    assert result.exit_code != 0 and "at least 10" in result.output
    result = runner.invoke(args=["tokens", "create", "cli@example.com"])
    assert result.exit_code == 0
    raw = result.output.split()[-1]
    assert accounts.user_for_token(raw).email == "cli@example.com"
    result = runner.invoke(args=["tokens", "create", "nobody@example.com"])
    assert result.exit_code != 0 and "No user" in result.output


def address(n: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"203.0.113.{n}"}}


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
