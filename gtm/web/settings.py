"""Settings: the password, API tokens, and the workspace a session acts in."""
from flask import Blueprint, flash, request, session
from flask_limiter import RequestLimit
from flask_login import current_user, login_remembered, login_required, login_user

from ..extensions import limiter
from ..services import accounts, workspaces
from .context import workspace_id
from .forms import submit
from .htmx import go, page
from .security import account_limit, seconds_until, wait_words

bp = Blueprint("settings", __name__)
PASSWORD_REFUSED = 422


def _settings_page(new_token: str | None = None, errors: dict | None = None, status: int = 200,
                   problem: str | None = None):
    return page("settings/index.html", tokens=accounts.list_tokens(current_user.id), new_token=new_token,
                errors=errors or {}, problem=problem, password_min=accounts.PASSWORD_MIN, status=status)


def _refused(status: int, errors: dict, problem: str | None):
    """An `again` for the settings forms: the page with each message beside its field."""
    return _settings_page(errors=errors, status=status, problem=problem)


@bp.get("/settings")
@login_required
def index():
    """Show the password form and list the user's API tokens."""
    return _settings_page()


def _this_account() -> str:
    return f"password:{current_user.id}"


def _password_refused(response) -> bool:
    return response.status_code == PASSWORD_REFUSED


def _password_waits(limit: RequestLimit):
    """Answer the limit next to the current-password field, saying how long to wait."""
    wait = wait_words(seconds_until(limit.reset_at))
    return _settings_page(errors={"current_password": f"Too many refused password changes. Try again in {wait}."},
                          status=429)


@bp.post("/settings/password")
@login_required
# Checking the current password must not let whoever holds a session guess it faster than the log-in page does.
@limiter.limit(account_limit, key_func=_this_account, deduct_when=_password_refused, on_breach=_password_waits)
def change_password():
    """Change the password, given the current one; every other session ends and this one stays logged in."""
    form, remembered = request.form, login_remembered()
    return submit(lambda: accounts.change_password(current_user.id, form.get("current_password", ""),
                                                   form.get("new_password", ""), form.get("confirm_password", "")),
                  done=_password_changed(remembered), again=_refused)


def _password_changed(remembered: bool):
    """A `done` for the password form: log this device in again under the user's new session id, remembered
    as it was."""
    def done(user):
        login_user(user, remember=remembered)
        flash("Your password is changed, and every other session is logged out. "
              "Your API tokens still work: revoke any you do not recognise below.")
        return go("settings.index")
    return done


@bp.post("/settings/tokens")
@login_required
def create_token():
    """Create an API token and show it once."""
    return submit(lambda: accounts.create_token(current_user.id, request.form.get("name", ""), workspace_id()),
                  done=lambda made: _settings_page(new_token=made[1], status=201), again=_refused)


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke an API token once confirmed; unconfirmed, ask first on a page of its own."""
    # gtm.js confirms in the browser and marks the form confirmed; without scripts the page asks instead.
    if request.form.get("confirmed") != "yes":
        token = accounts.get_token(current_user.id, token_id)
        return page("settings/revoke.html", token=token)
    token = accounts.revoke_token(current_user.id, token_id)
    flash(f"The token “{token.name}” is revoked: scripts that use it are refused from now on.")
    return go("settings.index")


@bp.post("/settings/workspace")
@login_required
def switch_workspace():
    """Act in another of the person's workspaces, in this session; the next session starts there too."""
    workspace = workspaces.switch(current_user.id, request.form.get("workspace_id", ""))
    session["workspace_id"] = workspace.id
    flash(f"You are working in {workspace.name}.")
    return go("campaigns.index")
