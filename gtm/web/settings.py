"""Settings: API tokens."""
from flask import Blueprint, request
from flask_login import current_user, login_required

from ..services import accounts
from ..services.errors import Invalid
from . import go, page

bp = Blueprint("settings", __name__)


@bp.get("/settings")
@login_required
def index():
    """List the user's API tokens."""
    return page("settings/index.html", tokens=accounts.list_tokens(current_user.id), new_token=None, errors={})


@bp.post("/settings/tokens")
@login_required
def create_token():
    """Create an API token and show it once."""
    try:
        _, raw = accounts.create_token(current_user.id, request.form.get("name", ""))
    except Invalid as exc:
        return page("settings/index.html", tokens=accounts.list_tokens(current_user.id), new_token=None,
                    errors=exc.fields, status=422)
    return page("settings/index.html", tokens=accounts.list_tokens(current_user.id), new_token=raw, errors={},
                status=201)


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke an API token."""
    accounts.revoke_token(current_user.id, token_id)
    return go("settings.index")
