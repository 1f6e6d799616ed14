"""Sign-up, log-in and API tokens."""
import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import ApiToken, User, Workspace
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
    """Create a user with a workspace of their own."""
    email = normalise_email(email)
    problem = password_problem(password or "", email)
    if problem:
        raise Invalid({"password": problem})
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Invalid({"email": "An account with this email already exists. Log in instead."})
    workspace = Workspace(name=email.split("@")[0])
    user = User(email=email, password_hash=generate_password_hash(password), workspace=workspace)
    db.session.add_all([workspace, user])
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Invalid({"email": "An account with this email already exists. Log in instead."}) from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user for these credentials, or None."""
    try:
        email = normalise_email(email)
    except Invalid:
        return None
    user = db.session.scalar(select(User).where(User.email == email))
    if user and check_password_hash(user.password_hash, password or ""):
        return user
    return None


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No user with the email {email}.")
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user_id: int, name: str) -> tuple[ApiToken, str]:
    """Create an API token; the raw token is returned once and only its hash is kept."""
    name = (name or "").strip() or "API token"
    if len(name) > TOKEN_NAME_MAX:
        raise Invalid({"name": f"A token name has at most {TOKEN_NAME_MAX} characters."})
    raw = "gtm_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, name=name, token_hash=_digest(raw), prefix=raw[:10])
    db.session.add(token)
    db.session.commit()
    return token, raw


def list_tokens(user_id: int) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_token(user_id: int, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


def user_for_token(raw: str) -> User | None:
    """Return the user a live token belongs to, and note when it was used (to the minute)."""
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
    return token.user
