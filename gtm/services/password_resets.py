"""Forgotten passwords: a link that sets a new password once, within an hour. With email set up
(GTM_SMTP_URL) a person asks for it by their address and it is emailed; without, an owner makes one for a
member of their workspace and hands it over. Only a SHA-256 of the link's token is kept; using it ends every
session of the account, and every other link made for it stops working."""
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from .. import jobnames, mail, queue
from ..extensions import db
from ..models import Membership, User
from ..models._base import utcnow
from ..models.invitation import PasswordReset
from . import accounts, workspaces
from .errors import Conflict, Invalid, NotFound
from .invitations import _require_owner, digest

VALID_FOR = timedelta(hours=1)
GONE = ("This reset link no longer works: it was used already, or is more than an hour old. "
        "Ask for a new one.")


def _make(user_id: int, made_by_id: int | None) -> tuple[PasswordReset, str]:
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    reset = PasswordReset(user_id=user_id, token_hash=digest(raw), made_by_id=made_by_id, created_at=now,
                          expires_at=now + VALID_FOR)
    db.session.add(reset)
    db.session.commit()
    return reset, raw


def ask(email) -> tuple[PasswordReset, str] | None:
    """Make a reset link for the account with this address, or None when no account has it (the page answers
    the same either way). An address that is not one is refused."""
    email = accounts.normalise_email(email if isinstance(email, str) else "")
    user = db.session.scalar(select(User).where(User.email == email))
    return _make(user.id, None) if user is not None else None


def make_for_member(workspace_id: int, actor_id: int, user_id) -> tuple[PasswordReset, str]:
    """An owner makes a reset link for a member, to hand over. Not for themselves (Settings changes their own
    password), and not for someone who also belongs to another workspace, whose owners did not agree to it."""
    _require_owner(workspace_id, actor_id)
    member = db.session.scalar(select(Membership).where(Membership.workspace_id == workspace_id,
                                                        Membership.user_id == user_id)) \
        if isinstance(user_id, int) else None
    if member is None:
        raise NotFound("No such member in this workspace.")
    if user_id == actor_id:
        raise Conflict("Change your own password under Settings.")
    if len(workspaces.workspaces_of(user_id)) > 1:
        raise Conflict(f"{member.user.email} also belongs to other workspaces, so only they can reset their "
                       "password: with “Forgot password?” on the log-in page once email is set up, or by asking "
                       "whoever runs gtm (gtm users set-password).")
    return _make(user_id, actor_id)


def send(reset: PasswordReset, link: str) -> bool:
    """Email the link from a job when email is set up; False when it is not."""
    if not mail.configured():
        return False
    queue.enqueue_mail(jobnames.SEND_PASSWORD_RESET, reset.id, link)
    return True


def mail_reset(reset_id: int, link: str) -> bool:
    """Send the reset link's email (the job's work); a link used or expired by now is not sent."""
    reset = db.session.get(PasswordReset, reset_id)
    if reset is None or not _usable(reset):
        return False
    mail.send(reset.user.email, "Set a new gtm password",
              "Someone, probably you, asked to set a new password for your gtm account.\n\n"
              f"Open this link to choose one:\n{link}\n\n"
              f"The link works once, until {reset.expires_at:%H:%M} UTC ({int(VALID_FOR.total_seconds() // 60)} "
              "minutes after it was asked for). If you did not ask, ignore this email: your password stays.\n")
    return True


def _usable(reset: PasswordReset) -> bool:
    return reset.used_at is None and reset.expires_at > utcnow()


def find(raw) -> PasswordReset:
    """The usable reset link a token names; NotFound, saying why, for any other."""
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest(raw))) \
        if isinstance(raw, str) and raw else None
    if reset is None or not _usable(reset):
        raise NotFound(GONE)
    return reset


def reset_password(raw, password, confirmation) -> User:
    """Set the new password through the link, once; every session of the account ends, and the account's
    other reset links stop working."""
    reset = find(raw)
    password = password if isinstance(password, str) else ""
    errors = {}
    problem = accounts.password_problem(password, reset.user.email)
    if problem:
        errors["password"] = problem
    if password != (confirmation if isinstance(confirmation, str) else ""):
        errors["confirm_password"] = "The two passwords differ. Type the same password twice."
    if errors:
        raise Invalid(errors)
    now = utcnow()
    taken = db.session.execute(update(PasswordReset).where(PasswordReset.id == reset.id,
                                                           PasswordReset.used_at.is_(None)).values(used_at=now))
    if taken.rowcount != 1:
        db.session.rollback()
        raise NotFound(GONE)
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == reset.user_id,
                                                   PasswordReset.used_at.is_(None)).values(used_at=now))
    return accounts.set_password(reset.user_id, password)
