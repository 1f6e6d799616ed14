"""The API's workspace: the token's workspace with the caller's role and its members; owners change a member's
role or remove them (the workspace keeps at least one owner)."""
from typing import Any, Literal

from pydantic import AliasPath, Field

from ...models import ROLES
from ...services import workspaces
from .answers import Answer, IdText, answer
from .blueprint import bp, user, workspace
from .fields import Body, passed_on
from .parsing import documented


class Member(Answer):
    """A member of the workspace and their role there."""

    user_id: IdText
    email: str = Field(validation_alias=AliasPath("user", "email"))
    role: Literal[ROLES]


class WorkspaceAnswer(Answer):
    """The workspace the token acts in, the caller's role in it, and its members."""

    id: IdText
    name: str
    role: Literal[ROLES] = Field(description="The caller's role in this workspace")
    members: list[Member]


class ChangeRole(Body):
    """A member's new role."""

    role: Any = passed_on({"type": "string", "enum": list(ROLES)})


@bp.get("/workspace")
@documented({200: WorkspaceAnswer})
def get_workspace():
    """Return the token's workspace, the caller's role in it, and its members."""
    found = workspaces.get_workspace(workspace())
    return answer(WorkspaceAnswer(id=found.id, name=found.name, role=workspaces.role_of(user().id, found.id),
                                  members=[Member.model_validate(m) for m in workspaces.members(found.id)]))


@bp.patch("/workspace/members/<int:user_id>")
@documented({200: Member}, body=ChangeRole, errors=(403, 409))
def change_member_role(user_id: int, body: ChangeRole):
    """Give a member another role (owners only); 409 when it would leave the workspace without an owner."""
    return answer(Member.model_validate(workspaces.change_role(workspace(), user().id, user_id, body.role)))


@bp.delete("/workspace/members/<int:user_id>")
@documented({204: None}, errors=(403, 409))
def remove_member(user_id: int):
    """Remove a member (owners only): their tokens for this workspace stop working."""
    workspaces.remove_member(workspace(), user().id, user_id)
    return "", 204
