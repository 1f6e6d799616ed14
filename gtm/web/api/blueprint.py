"""The API's blueprint, what each of its views is described by, and the Bearer token every call needs."""
from dataclasses import dataclass

from flask import Blueprint, current_app, g, jsonify, request
from pydantic import BaseModel

from ...extensions import csrf
from ...models import User
from ...services import accounts, activity, workspaces
from .. import authorization

# Every resource module registers its routes here, so endpoints are `api.<view>` whatever module holds them.
bp = Blueprint("api", __name__)
csrf.exempt(bp)


@dataclass(frozen=True)
class Operation:
    """What an API view takes and answers, beyond what its URL rule says (set by parsing.documented)."""

    answers: dict[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    body_optional: bool = False
    query: type[BaseModel] | None = None
    # Statuses this view answers besides the ones implied: 401 (all but public views), 404 (views
    # with path variables), 400 (views with a body) and 422 (views with a body or a query).
    errors: tuple[int, ...] = ()
    public: bool = False
    # Media types besides JSON that the success answer may have (a file download, say), described as text.
    files: tuple[str, ...] = ()
    # The view reads the body itself (an upload judged whole by a service); `body` still describes it.
    raw_body: bool = False


def operation_of(view) -> Operation | None:
    return getattr(view, "openapi", None)


@bp.before_request
def authenticate():
    """Require a live Bearer token on every API call but the public ones (the OpenAPI document)."""
    operation = operation_of(current_app.view_functions.get(request.endpoint))
    if operation is not None and operation.public:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    token = accounts.token_for(raw.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        response = jsonify(error="unauthorized",
                           detail="Send `Authorization: Bearer <token>`; create a token under Settings.")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    # The token acts in the workspace it was made for, with its user's role there (removing a member revokes
    # their tokens for the workspace, so a live token's user is a member).
    g.api_user, g.workspace_id = token.user, token.workspace_id or token.user.workspace_id
    g.role = workspaces.role_of(token.user_id, g.workspace_id)
    authorization.check(g.role, request.endpoint)
    activity.set_actor(token.user_id)
    return None


def user() -> User:
    """The user whose token the call carries."""
    return g.api_user


def workspace() -> int:
    """The workspace the call acts in: the one its token was made for."""
    return g.workspace_id
