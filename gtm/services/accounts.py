"""Sign-up, log-in, passwords, sessions and API tokens."""
import functools
import hashlib
import hmac
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import ids
from ..extensions import db
from ..models import ApiToken, Membership, User, Workspace
from ..models.workspace import new_session_token
from ..models._base import utcnow
from .errors import Invalid, NotFound

PASSWORD_MIN = 10
PASSWORD_MAX = 128
TOKEN_NAME_MAX = 80
LAST_USED_EVERY = timedelta(minutes=1)


def normalise_email(raw: str) -> str:
    """Return the normalised address, or raise Invalid naming the email field."""
    raw = (raw or "").strip()
    if not raw:
        raise Invalid({"email": "Enter your email address."})
    if len(raw) > 254:
        raise Invalid({"email": "An email address has at most 254 characters."})
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid({"email": f"That is not a valid email address: {exc}"}) from exc


def password_problem(password: str, email: str) -> str | None:
    """Say what makes a password weak, or None when it is acceptable."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    if password.isalpha() or password.isdigit():
        return "Mix letters with digits or symbols."
    if len(set(password)) < 5:
        return "Use more different characters."
    if email and email.split("@")[0].lower() in password.lower():
        return "Do not put your email address in the password."
    return None


def sign_up(email: str, password: str) -> User:
    """Create a user with a workspace of their own; a refusal names every field's problem at once."""
    errors: dict[str, str] = {}
    try:
        email = normalise_email(email)
    except Invalid as exc:
        # An address that is not one names nothing to keep out of the password.
        errors, email = dict(exc.fields), ""
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = "An account with this email already exists. Log in instead."
    problem = password_problem(password or "", email)
    if problem:
        errors["password"] = problem
    if errors:
        raise Invalid(errors)
    workspace = Workspace(name=email.split("@")[0])
    user = User(email=email, password_hash=generate_password_hash(password), workspace=workspace)
    db.session.add_all([workspace, user, Membership(workspace=workspace, user=user, role="owner")])
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Invalid({"email": "An account with this email already exists. Log in instead."}) from exc
    return user


@functools.cache
def _dummy_hash() -> str:
    """A hash of no one's password, made as real ones are (same method and scrypt parameters)."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """Return the user for these credentials, or None."""
    try:
        email = normalise_email(email)
    except Invalid:
        user = None
    else:
        user = db.session.scalar(select(User).where(User.email == email))
    # Without an account the password is still checked, against a dummy hash, so that a refusal takes
    # as long whether or not the email has an account and its timing tells nobody which addresses do.
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    return user if user and matches else None


def attempt_key(email: str) -> str:
    """Name the account a log-in attempt is for, as log-in finds it, for counting attempts per account.

    A digest, so that the counts' store holds no addresses; an address that is not valid counts too."""
    try:
        email = normalise_email(email)
    except Invalid:
        email = (email or "").strip().lower()
    return _digest(email)


def user_for_session(session_id: str) -> User | None:
    """Return the user a session (or remember cookie) names as `<id>:<session token>`, while the token is theirs."""
    user_id, _, token = (session_id or "").partition(":")
    if ids.whole(user_id, low=1) is None or not token:
        return None
    user = db.session.get(User, ids.whole(user_id))
    if user is None or not user.session_token or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def end_sessions(user_id: int) -> None:
    """End every session and remember cookie of the user, on every device (API tokens stay)."""
    user = _user(user_id)
    user.session_token = new_session_token()
    db.session.commit()


def change_password(user_id: int, current: str, new: str, confirmation: str) -> User:
    """Set a new password once the current one is given; every other session ends.

    The caller logs the person in again with the user's new session id. API tokens stay: they are
    listed, with when each was last used, and revocable beside the password form."""
    user = _user(user_id)
    current, new = current or "", new or ""
    errors = {}
    if not check_password_hash(user.password_hash, current):
        errors["current_password"] = "That is not your current password."
    problem = password_problem(new, user.email)
    if problem:
        errors["new_password"] = problem
    elif new == current:
        errors["new_password"] = "Choose a password other than the current one."
    if new != (confirmation or ""):
        errors["confirm_password"] = "The two new passwords differ. Type the same password twice."
    if errors:
        raise Invalid(errors)
    return _set_password(user, new)


def set_password(user_id: int, password: str) -> User:
    """Give a user a new password (an administrator's reset), ending all their sessions."""
    user = _user(user_id)
    problem = password_problem(password or "", user.email)
    if problem:
        raise Invalid({"password": problem})
    return _set_password(user, password)


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def _set_password(user: User, password: str) -> User:
    user.password_hash = generate_password_hash(password)
    user.session_token = new_session_token()
    db.session.commit()
    return user


def user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No user with the email {email}.")
    return user


def set_admin(user_id: int, admin: bool = True) -> User:
    """Make a user one of the instance's administrators (the jobs dashboard, /admin/jobs), or no longer one.

    Administrators are named from the command line only (`gtm users create --admin`, `gtm users set-admin`):
    whoever runs it already holds the server, and no page can make anyone an administrator."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with the id {user_id}.")
    user.is_admin = bool(admin)
    db.session.commit()
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user_id: int, name: str, workspace_id: int | None = None) -> tuple[ApiToken, str]:
    """Create an API token that acts in `workspace_id` (the user's current one by default) with the user's role
    there; the raw token is returned once and only its hash is kept."""
    name = (name or "").strip() or "API token"
    if len(name) > TOKEN_NAME_MAX:
        raise Invalid({"name": f"A token name has at most {TOKEN_NAME_MAX} characters."})
    user = _user(user_id)
    workspace_id = user.workspace_id if workspace_id is None else workspace_id
    if db.session.scalar(select(Membership.id).where(Membership.user_id == user_id,
                                                     Membership.workspace_id == workspace_id)) is None:
        raise NotFound(f"{user.email} is not a member of workspace {workspace_id}.")
    raw = "gtm_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, workspace_id=workspace_id, name=name, token_hash=_digest(raw), prefix=raw[:10])
    db.session.add(token)
    db.session.commit()
    return token, raw


def list_tokens(user_id: int) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def get_token(user_id: int, token_id: int) -> ApiToken:
    """Return the user's token, or raise NotFound (another user's token too)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound("No such token.")
    return token


def revoke_token(user_id: int, token_id: int) -> ApiToken:
    token = get_token(user_id, token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


def user_for_token(raw: str) -> User | None:
    """Return the user a live token belongs to, and note when it was used (to the minute)."""
    token = token_for(raw)
    return token.user if token is not None else None


def token_for(raw: str) -> ApiToken | None:
    """Return a live token, and note when it was used (to the minute)."""
    if not raw:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    # A write per call would make every API read take SQLite's write lock; the minute is what Settings shows.
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        token.last_used_at = now
        db.session.commit()
    return token
