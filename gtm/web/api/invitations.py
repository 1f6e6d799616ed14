"""The API's invitations: an owner invites an email address to the workspace with a role."""
from typing import Any

from pydantic import Field

from ...models import ROLES
from ...services import invitations
from ..links import external
from .answers import Answer, IdText, Timestamp, answer
from .blueprint import bp, user, workspace
from .fields import Body, passed_on
from .parsing import documented


class InvitationInput(Body):
    """Who to invite, and with which role."""

    email: Any = passed_on({"type": "string", "format": "email", "maxLength": 254})
    role: Any = passed_on({"type": "string", "enum": list(ROLES)})


class InvitationMade(Answer):
    """An invitation made: its link works once, for the invited address, until `expires_at`. It is emailed when
    the server has email set up; the link is answered only here, once."""

    id: IdText
    url: str = Field(description="The link to give the invited person")
    expires_at: Timestamp


@bp.post("/workspace/invitations")
@documented({201: InvitationMade}, body=InvitationInput)
def create_invitation(body: InvitationInput):
    """Invite an email address to the token's workspace with a role (owners only)."""
    made, raw = invitations.invite(workspace(), user().id, body.email, body.role)
    url = external("auth.invitation", token=raw)
    invitations.send(made, url)
    return answer(InvitationMade(id=made.id, url=url, expires_at=made.expires_at), 201)
