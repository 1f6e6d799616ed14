"""An invitation's link, /invitations/<token>: who invited whom to which workspace with which role, and the way
in: log in or sign up with the invited address (both join on the way), or, logged in as that address, Join.
The link needs no workspace, so it is open to anyone who holds it (authorization.PUBLIC)."""
from flask import url_for
from flask_login import current_user, login_required

from ..services import invitations, roles
from .auth import bp, joined
from .htmx import go, page


@bp.get("/invitations/<token>")
def invitation(token: str):
    """Show the invitation and the way in; a link used, withdrawn or expired says so (404)."""
    found = invitations.find(token)
    mismatch = None
    if current_user.is_authenticated and current_user.email != found.email:
        mismatch = invitations.wrong_person(found, current_user.email)
    return page("auth/invitation.html", invitation=found, token=token, mismatch=mismatch,
                role_summary=roles.ROLE_SUMMARIES[found.role],
                login_url=url_for("auth.login", invitation=token),
                signup_url=url_for("auth.signup", invitation=token))


@bp.post("/invitations/<token>/join")
@login_required
def join(token: str):
    """Join the workspace as the logged-in person, when the invitation is for their address."""
    accepted = invitations.accept(token, current_user.id)
    joined(accepted)
    return go("campaigns.index")
