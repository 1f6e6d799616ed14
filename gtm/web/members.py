"""Settings › Members: who belongs to the workspace and with which role; owners change roles, remove members,
invite people by a link that works once, and make a password reset link for a member."""
from flask import flash, request, session
from flask_login import current_user, login_required

from ..services import invitations, password_resets, roles, workspaces
from ..services.errors import Conflict
from .context import workspace_id
from .forms import submit
from .htmx import go, page
from .links import external
from .settings import bp


def members_page(status: int = 200, errors: dict | None = None, problem: str | None = None,
                 problem_for: int | None = None, values: dict | None = None, **shown):
    """The members page. `problem_for` puts `problem` in that member's row; `shown` carries a link made just now
    (`new_invitation` with `invitation_link` and `emailed`, or `reset_for` with `reset_link`)."""
    here = workspace_id()
    return page("settings/members.html", status=status, workspace=workspaces.get_workspace(here),
                members=workspaces.members(here), invitations=invitations.pending(here),
                role_summaries=roles.ROLE_SUMMARIES, roles_in_order=list(roles.ROLE_NAMES),
                errors=errors or {}, problem=problem, problem_for=problem_for, values=values or {}, **shown)


@bp.get("/settings/members")
@login_required
def members():
    """List the workspace's members and, for owners, the pending invitations."""
    return members_page()


def _wanted_user(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@bp.post("/settings/members/<int:user_id>/role")
@login_required
def change_role(user_id: int):
    """Give a member another role; the last owner keeps theirs, and the refusal shows in their row."""
    def changed(membership):
        flash(f"{membership.user.email} is now {roles.ROLE_NAMES[membership.role].lower()}.")
        return go("settings.members")
    return submit(lambda: workspaces.change_role(workspace_id(), current_user.id, user_id, request.form.get("role")),
                  done=changed,
                  again=lambda status, errors, problem: members_page(
                      status, problem=problem or next(iter(errors.values()), None), problem_for=user_id))


@bp.post("/settings/members/<int:user_id>/remove")
@login_required
def remove_member(user_id: int):
    """Remove a member once confirmed (gtm.js asks in the browser; without scripts a page asks)."""
    member = next((m for m in workspaces.members(workspace_id()) if m.user_id == user_id), None)
    if member is None:
        workspaces.remove_member(workspace_id(), current_user.id, user_id)  # says there is no such member
    if request.form.get("confirmed") != "yes":
        return page("settings/remove_member.html", member=member)
    email = member.user.email
    try:
        workspaces.remove_member(workspace_id(), current_user.id, user_id)
    except Conflict as exc:
        return members_page(exc.status, problem=exc.message, problem_for=user_id)
    if user_id == current_user.id:
        session.pop("workspace_id", None)
        flash("You left the workspace.")
        return go("campaigns.index")
    flash(f"{email} is no longer a member: their API tokens for this workspace are revoked.")
    return go("settings.members")


@bp.post("/settings/invitations")
@login_required
def invite():
    """Invite an email address with a role: the link is shown once to copy, and emailed when email is set up."""
    values = {"email": request.form.get("email", ""), "role": request.form.get("role", "")}

    def invited(made):
        invitation, raw = made
        link = external("auth.invitation", token=raw)
        emailed = invitations.send(invitation, link)
        return members_page(201, new_invitation=invitation, invitation_link=link, emailed=emailed)
    return submit(lambda: invitations.invite(workspace_id(), current_user.id, values["email"], values["role"]),
                  done=invited, again=lambda status, errors, problem: members_page(status, errors=errors,
                                                                                  problem=problem, values=values))


@bp.post("/settings/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int):
    """Withdraw a pending invitation: its link stops working."""
    def revoked(invitation):
        flash(f"The invitation for {invitation.email} is withdrawn: its link no longer works.")
        return go("settings.members")
    return submit(lambda: invitations.revoke(workspace_id(), current_user.id, invitation_id), done=revoked,
                  again=lambda status, errors, problem: members_page(status, problem=problem))


@bp.post("/settings/members/<int:user_id>/reset-link")
@login_required
def make_reset_link(user_id: int):
    """Make a password reset link for a member, shown once to copy and hand over."""
    def made(result):
        reset, raw = result
        return members_page(201, reset_for=reset.user, reset_link=external("auth.reset_password", token=raw))
    return submit(lambda: password_resets.make_for_member(workspace_id(), current_user.id, user_id), done=made,
                  again=lambda status, errors, problem: members_page(status, problem=problem, problem_for=user_id))
