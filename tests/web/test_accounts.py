"""Sign-up, log-in, log-out, workspaces and API tokens."""
import pytest

from gtm.models import ApiToken, User, Workspace
from gtm.cli import cli
from gtm.services import accounts

from tests.kit.clients import PASSWORD, log_in


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

    assert auth_client.post(f"/settings/tokens/{token.id}/revoke").status_code == 303
    assert accounts.user_for_token(raw) is None
    assert "Revoked" in auth_client.get("/settings").get_data(as_text=True)


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

