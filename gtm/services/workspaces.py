"""Workspaces and their members: who belongs where, with which role, and the workspace a person acts in.

A workspace always keeps at least one owner, and every user belongs to at least one workspace: someone
removed from their last one gets an empty workspace of their own. Removing a member revokes their API
tokens for that workspace; their sessions there end on their next request, which finds no membership.
"""
from sqlalchemy import func, select, update

from ..extensions import db
from ..ids import whole
from ..models import ROLES, ApiToken, Membership, User, Workspace
from ..models._base import utcnow
from . import activity, roles
from .errors import Conflict, Forbidden, Invalid, NotFound

WORKSPACE_NAME_MAX = 120


def role_of(user_id: int, workspace_id: int | None) -> str | None:
    """The user's role in the workspace, or None when they are not a member."""
    if workspace_id is None:
        return None
    return db.session.scalar(select(Membership.role).where(Membership.user_id == user_id,
                                                           Membership.workspace_id == workspace_id))


def workspaces_of(user_id: int) -> list[tuple[Workspace, str]]:
    """Every workspace the user belongs to, with their role there, oldest membership first."""
    rows = db.session.execute(select(Workspace, Membership.role).join(Membership, Membership.workspace_id == Workspace.id)
                              .where(Membership.user_id == user_id).order_by(Membership.id)).all()
    return [(workspace, role) for workspace, role in rows]


def acting_workspace(user: User, wanted: int | None) -> tuple[int, str]:
    """The workspace a session acts in, with the user's role there: `wanted` (the session's choice) while the
    user is a member of it, else the one they last acted in, else their oldest membership."""
    for candidate in (wanted, user.workspace_id):
        role = role_of(user.id, candidate)
        if role is not None:
            return candidate, role
    found = workspaces_of(user.id)
    if not found:
        workspace = _own_workspace(user)
        db.session.commit()
        return workspace.id, "owner"
    workspace, role = found[0]
    return workspace.id, role


def switch(user_id: int, workspace_id) -> Workspace:
    """Act in another of the user's workspaces; it is also where their next session starts."""
    number = whole(workspace_id, 1)
    workspace = db.session.get(Workspace, number) if number is not None else None
    if workspace is None or role_of(user_id, workspace.id) is None:
        raise NotFound("You are not a member of that workspace.")
    db.session.get(User, user_id).workspace_id = workspace.id
    db.session.commit()
    return workspace


def get_workspace(workspace_id: int) -> Workspace:
    workspace = db.session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound("No such workspace.")
    return workspace


def members(workspace_id: int) -> list[Membership]:
    """The workspace's members, owners first, then by when they joined."""
    order = {role: n for n, role in enumerate(ROLES)}
    found = list(db.session.scalars(select(Membership).where(Membership.workspace_id == workspace_id)
                                    .order_by(Membership.id)))
    return sorted(found, key=lambda m: order.get(m.role, len(order)))


def check_role(role) -> str:
    if role not in ROLES:
        raise Invalid({"role": f"Choose one of the roles: {', '.join(ROLES)}."})
    return role


def add_member(workspace_id: int, user_id: int, role: str) -> Membership:
    """Make the user a member with `role` (the caller commits); a member already keeps their role."""
    check_role(role)
    found = db.session.scalar(select(Membership).where(Membership.workspace_id == workspace_id,
                                                       Membership.user_id == user_id))
    if found is not None:
        return found
    membership = Membership(workspace_id=workspace_id, user_id=user_id, role=role)
    db.session.add(membership)
    db.session.flush()
    activity.record(workspace_id, "member_joined", f"{_email(user_id)} joined the workspace as {role}",
                    subject=("user", user_id), link=activity.MEMBERS_PATH)
    return membership


def _membership(workspace_id: int, user_id) -> Membership:
    found = db.session.scalar(select(Membership).where(Membership.workspace_id == workspace_id,
                                                       Membership.user_id == user_id)) \
        if isinstance(user_id, int) else None
    if found is None:
        raise NotFound("No such member in this workspace.")
    return found


def _owners(workspace_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.workspace_id == workspace_id, Membership.role == "owner")) or 0


def change_role(workspace_id: int, actor_id: int, user_id, role) -> Membership:
    """Give a member another role; the workspace keeps at least one owner."""
    _require_owner(workspace_id, actor_id)
    membership = _membership(workspace_id, user_id)
    role = check_role(role)
    if membership.role == "owner" and role != "owner" and _owners(workspace_id) == 1:
        raise Conflict("The workspace needs at least one owner: make someone else an owner first.")
    if membership.role != role:
        activity.record(workspace_id, "member_role_changed", f"Changed {_email(membership.user_id)}'s role from "
                        f"{membership.role} to {role}", actor_id=actor_id, subject=("user", membership.user_id),
                        link=activity.MEMBERS_PATH)
    membership.role = role
    db.session.commit()
    return membership


def remove_member(workspace_id: int, actor_id: int, user_id) -> None:
    """Remove a member: their tokens for this workspace are revoked and their sessions here end."""
    _require_owner(workspace_id, actor_id)
    membership = _membership(workspace_id, user_id)
    if membership.role == "owner" and _owners(workspace_id) == 1:
        raise Conflict("The workspace needs at least one owner: make someone else an owner first.")
    user = membership.user
    activity.record(workspace_id, "member_removed", f"Removed {user.email} from the workspace", actor_id=actor_id,
                    subject=("user", user.id), link=activity.MEMBERS_PATH)
    db.session.delete(membership)
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.workspace_id == workspace_id,
                                              ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
    db.session.flush()
    if user.workspace_id == workspace_id:
        others = workspaces_of(user.id)
        user.workspace_id = others[0][0].id if others else _own_workspace(user).id
    db.session.commit()


def _email(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return user.email if user is not None else "Someone"


def _require_owner(workspace_id: int, actor_id: int) -> None:
    role = role_of(actor_id, workspace_id)
    if not roles.can(role, "manage"):
        raise Forbidden(roles.refusal(role, "manage") if role else "You are not a member of this workspace.")


def _own_workspace(user: User) -> Workspace:
    """An empty workspace of the user's own, which they own (the caller commits)."""
    workspace = Workspace(name=user.email.split("@")[0][:WORKSPACE_NAME_MAX])
    db.session.add(workspace)
    db.session.flush()
    db.session.add(Membership(workspace_id=workspace.id, user_id=user.id, role="owner"))
    db.session.flush()
    return workspace
