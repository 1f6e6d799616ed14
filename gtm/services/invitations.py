"""Invitations: an owner invites an email address to join the workspace with a role, by a link that works
once, for seven days, and only for that address. Only a SHA-256 of the link's token is kept; the link is shown
to the owner when it is made and, with email set up (GTM_SMTP_URL), sent to the address by a job."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import jobnames, mail, queue
from ..extensions import db
from ..models import Membership, User
from ..models._base import utcnow
from ..models.invitation import Invitation
from . import accounts, activity, roles, workspaces
from .errors import Conflict, Forbidden, Invalid, NotFound

VALID_FOR = timedelta(days=7)
GONE = ("This invitation link no longer works: it was used already, withdrawn, or is more than 7 days old. "
        "Ask whoever invited you for a new one.")


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_owner(workspace_id: int, actor_id: int) -> None:
    role = workspaces.role_of(actor_id, workspace_id)
    if not roles.can(role, "manage"):
        raise Forbidden(roles.refusal(role, "manage") if role else "You are not a member of this workspace.")


def invite(workspace_id: int, actor_id: int, email, role) -> tuple[Invitation, str]:
    """Invite `email` to the workspace with `role` (owners only); return the invitation and its raw token, which
    is not kept. A new invitation for an address replaces one still pending for it."""
    _require_owner(workspace_id, actor_id)
    errors = {}
    try:
        email = accounts.normalise_email(email if isinstance(email, str) else "")
    except Invalid as exc:
        errors.update(exc.fields)
    try:
        role = workspaces.check_role(role)
    except Invalid as exc:
        errors.update(exc.fields)
    if not errors and db.session.scalar(select(Membership.id).join(User, User.id == Membership.user_id).where(
            Membership.workspace_id == workspace_id, User.email == email)) is not None:
        errors["email"] = f"{email} is already a member of this workspace."
    if errors:
        raise Invalid(errors)
    now = utcnow()
    db.session.execute(update(Invitation).where(Invitation.workspace_id == workspace_id, Invitation.email == email,
                                                Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
                       .values(revoked_at=now))
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(workspace_id=workspace_id, email=email, role=role, token_hash=digest(raw),
                            invited_by_id=actor_id, created_at=now, expires_at=now + VALID_FOR)
    db.session.add(invitation)
    activity.record(workspace_id, "member_invited", f"Invited {email} as {roles.ROLE_NAMES[role].lower()}",
                    actor_id=actor_id, subject=invitation, link=activity.MEMBERS_PATH)
    db.session.commit()
    return invitation, raw


def send(invitation: Invitation, link: str) -> bool:
    """Email the invitation's link from a job when email is set up; False when it is not."""
    if not mail.configured():
        return False
    queue.enqueue_mail(jobnames.SEND_INVITATION, invitation.id, link)
    return True


def mail_invitation(invitation_id: int, link: str) -> bool:
    """Send the invitation's email (the job's work); an invitation no longer pending is not sent."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not is_pending(invitation):
        return False
    inviter = invitation.invited_by.email
    workspace = invitation.workspace.name
    role = roles.ROLE_NAMES[invitation.role].lower()
    mail.send(invitation.email, f"{inviter} invited you to {workspace} on gtm",
              f"{inviter} invited you to join the workspace “{workspace}” on gtm as {_article(role)} {role}: "
              f"{roles.ROLE_SUMMARIES[invitation.role]}.\n\n"
              f"Open this link to join:\n{link}\n\n"
              f"The link works once, for {invitation.email}, until {invitation.expires_at:%d %B %Y, %H:%M} UTC. "
              "If you did not expect this invitation, ignore this email.\n")
    return True


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def is_pending(invitation: Invitation) -> bool:
    return invitation.accepted_at is None and invitation.revoked_at is None and invitation.expires_at > utcnow()


def pending(workspace_id: int) -> list[Invitation]:
    """The workspace's invitations not yet accepted, withdrawn or expired, newest first."""
    return list(db.session.scalars(select(Invitation).where(
        Invitation.workspace_id == workspace_id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow()).order_by(Invitation.id.desc())))


def get(workspace_id: int, invitation_id) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None or invitation.workspace_id != workspace_id:
        raise NotFound("No such invitation in this workspace.")
    return invitation


def revoke(workspace_id: int, actor_id: int, invitation_id) -> Invitation:
    """Withdraw an invitation (owners only): its link stops working. One already accepted stays accepted."""
    _require_owner(workspace_id, actor_id)
    invitation = get(workspace_id, invitation_id)
    if invitation.accepted_at is not None:
        raise Conflict(f"{invitation.email} has already joined; remove them from the members instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        db.session.commit()
    return invitation


def find(raw) -> Invitation:
    """The pending invitation a link's token names; NotFound, saying why in plain words, for any other."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == digest(raw))) \
        if isinstance(raw, str) and raw else None
    if invitation is None or not is_pending(invitation):
        raise NotFound(GONE)
    return invitation


def wrong_person(invitation: Invitation, email: str) -> str:
    return (f"This invitation is for {invitation.email}, and you are logged in as {email}. "
            f"Log out, then open the link again to log in or sign up as {invitation.email}.")


def _take(invitation: Invitation, user_id: int) -> None:
    """Mark the invitation accepted, once: of two acceptances at the same moment only one succeeds."""
    taken = db.session.execute(update(Invitation).where(
        Invitation.id == invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=user_id))
    if taken.rowcount != 1:
        db.session.rollback()
        raise NotFound(GONE)


def accept(raw, user_id: int) -> Invitation:
    """Join the invitation's workspace with its role, and act in it from now on. The link works once, and
    only for the address it was sent to."""
    invitation = find(raw)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    if user.email != invitation.email:
        raise Conflict(wrong_person(invitation, user.email))
    _take(invitation, user.id)
    with activity.acting_as(user.id):  # whoever joins does it, even while their log-in is still under way
        workspaces.add_member(invitation.workspace_id, user.id, invitation.role)
    user.workspace_id = invitation.workspace_id
    db.session.commit()
    return invitation


def sign_up(raw, email, password) -> tuple[User, Invitation]:
    """Create an account through an invitation, as a member of the invited workspace (no workspace of their own),
    even while sign-up is closed to everyone else."""
    invitation = find(raw)
    errors: dict[str, str] = {}
    try:
        email = accounts.normalise_email(email)
    except Invalid as exc:
        errors, email = dict(exc.fields), ""
    if email and email != invitation.email:
        errors["email"] = f"This invitation is for {invitation.email}: sign up with that address."
    elif email and db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = "An account with this email already exists. Log in instead to join."
    problem = accounts.password_problem(password if isinstance(password, str) else "", email)
    if problem:
        errors["password"] = problem
    if errors:
        raise Invalid(errors)
    user = User(email=email, password_hash=accounts.generate_password_hash(password), workspace_id=invitation.workspace_id)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Invalid({"email": "An account with this email already exists. Log in instead to join."}) from exc
    _take(invitation, user.id)
    with activity.acting_as(user.id):
        workspaces.add_member(invitation.workspace_id, user.id, invitation.role)
    db.session.commit()
    return user, invitation
