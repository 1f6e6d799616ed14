"""Settings: the password and API tokens."""
from flask import Blueprint, flash, request
from flask_limiter import RequestLimit
from flask_login import current_user, login_remembered, login_required, login_user

from ..extensions import limiter
from ..services import accounts
from ..services.errors import Invalid
from . import go, page
from .auth import account_limit
from .security import seconds_until, wait_words

bp = Blueprint("settings", __name__)
PASSWORD_REFUSED = 422


def _settings_page(new_token: str | None = None, errors: dict | None = None, status: int = 200):
    return page("settings/index.html", tokens=accounts.list_tokens(current_user.id), new_token=new_token,
                errors=errors or {}, password_min=accounts.PASSWORD_MIN, status=status)


@bp.get("/settings")
@login_required
def index():
    """Show the password form and list the user's API tokens."""
    return _settings_page()


def _this_account() -> str:
    return f"password:{current_user.id}"


def _refused(response) -> bool:
    return response.status_code == PASSWORD_REFUSED


def _password_waits(limit: RequestLimit):
    """Answer the limit next to the current-password field, saying how long to wait."""
    wait = wait_words(seconds_until(limit.reset_at))
    return _settings_page(errors={"current_password": f"Too many refused password changes. Try again in {wait}."},
                          status=429)


@bp.post("/settings/password")
@login_required
# Checking the current password must not let whoever holds a session guess it faster than the log-in page does.
@limiter.limit(account_limit, key_func=_this_account, deduct_when=_refused, on_breach=_password_waits)
def change_password():
    """Change the password, given the current one; every other session ends and this one stays logged in."""
    remembered = login_remembered()
    form = request.form
    try:
        user = accounts.change_password(current_user.id, form.get("current_password", ""),
                                        form.get("new_password", ""), form.get("confirm_password", ""))
    except Invalid as exc:
        return _settings_page(errors=exc.fields, status=PASSWORD_REFUSED)
    login_user(user, remember=remembered)
    flash("Your password is changed, and every other session is logged out. "
          "Your API tokens still work: revoke any you do not recognise below.")
    return go("settings.index")


@bp.post("/settings/tokens")
@login_required
def create_token():
    """Create an API token and show it once."""
    try:
        _, raw = accounts.create_token(current_user.id, request.form.get("name", ""))
    except Invalid as exc:
        return _settings_page(errors=exc.fields, status=422)
    return _settings_page(new_token=raw, status=201)


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke an API token."""
    accounts.revoke_token(current_user.id, token_id)
    return go("settings.index")
