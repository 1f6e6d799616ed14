"""Sign-up, log-in and log-out."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, request, session, url_for
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter, login_manager
from ..services import accounts, invitations, roles
from ..services.errors import Conflict, NotFound
from .forms import submit
from .htmx import go, is_htmx, page
from .security import account_limit, seconds_until, wait_words

bp = Blueprint("auth", __name__)
LOGIN_REFUSED = 401


def _login_limit() -> str:
    return current_app.config["GTM_LOGIN_LIMIT"]


def _attempted_account() -> str:
    """Count attempts per account tried, whatever address they come from."""
    return "account:" + accounts.attempt_key(request.form.get("email", ""))


def _refused(response) -> bool:
    # Only failures count, so a person who logs in often never waits; the right password is still refused
    # once the failures reach the limit, or an attacker would learn it from the answer.
    return response.status_code == LOGIN_REFUSED


def _account_waits(limit: RequestLimit):
    """Answer an account's limit with the log-in form, saying how long this account waits."""
    error = (f"Too many failed log-ins to this account. Try again in {wait_words(seconds_until(limit.reset_at))}; "
             "until then even the right password is refused.")
    return page("auth/login.html", error=error, email=request.form.get("email", ""), status=429,
                signup_open=signup_open())


def _signup_limit() -> str:
    return current_app.config["GTM_SIGNUP_LIMIT"]


def signup_open() -> bool:
    """GTM_SIGNUP: with `closed`, only `gtm users create` adds people."""
    return current_app.config["GTM_SIGNUP"] == "open"


def _safe_next(target: str | None) -> str:
    """Only follow local paths after log-in, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("campaigns.index")


def _signup_page(status: int = 200, errors: dict | None = None, email: str = "", problem: str | None = None):
    return page("auth/signup.html", status=status, errors=errors or {}, email=email, problem=problem,
                password_min=accounts.PASSWORD_MIN)


def _signed_up(user):
    login_user(user)
    return go("campaigns.index")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup():
    """Create an account and its workspace, unless sign-up is closed; through an invitation (`?invitation=`),
    an account that joins the invited workspace, even while sign-up is closed."""
    if request.args.get("invitation"):
        return _signup_invited(request.args["invitation"])
    if not signup_open():
        return page("auth/signup_closed.html", status=403 if request.method == "POST" else 200)
    if request.method == "GET":
        return _signup_page()
    email = request.form.get("email", "")
    return submit(lambda: accounts.sign_up(email, request.form.get("password", "")), done=_signed_up,
                  again=lambda status, **refusal: _signup_page(status, email=email, **refusal))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(account_limit, key_func=_attempted_account, methods=["POST"], deduct_when=_refused,
               on_breach=_account_waits)
def login():
    """Log in with email and password."""
    error, email = None, ""
    if request.method == "POST":
        email = request.form.get("email", "")
        user = accounts.authenticate(email, request.form.get("password", ""))
        if user:
            login_user(user, remember=bool(request.form.get("remember")))
            if request.args.get("invitation"):
                return _join_after_login(user, request.args["invitation"])
            return redirect(_safe_next(request.args.get("next")), code=303)
        error = "That email and password do not match an account."
    invited = _invitation_or_none(request.args.get("invitation"))
    if invited is not None and request.method == "GET":
        email = invited.email
    return page("auth/login.html", error=error, email=email, status=LOGIN_REFUSED if error else 200,
                signup_open=signup_open(), invitation=invited)


def joined(invitation) -> None:
    """Act in the workspace an invitation was accepted for, and say so on the page the person lands on."""
    session["workspace_id"] = invitation.workspace_id
    flash(f"You joined {invitation.workspace.name} as {roles.ROLE_NAMES[invitation.role].lower()}.")


def _invitation_or_none(token: str | None):
    try:
        return invitations.find(token) if token else None
    except NotFound:
        return None


def _join_after_login(user, token: str):
    """Logged in from an invitation's page: join its workspace and land there, or say why not."""
    try:
        joined(invitations.accept(token, user.id))
    except (NotFound, Conflict) as exc:
        flash(exc.message)
    return go("campaigns.index")


def _signup_invited(token: str):
    """Sign up through an invitation: the invited address is filled in, and the account joins the workspace."""
    invited = invitations.find(token)

    def again(status, errors=None, problem=None):
        return page("auth/signup.html", status=status, errors=errors or {}, problem=problem,
                    email=request.form.get("email", invited.email), password_min=accounts.PASSWORD_MIN,
                    invitation=invited, token=token)

    if request.method == "GET":
        return again(200)

    def done(made):
        user, accepted = made
        login_user(user)
        joined(accepted)
        return go("campaigns.index")
    return submit(lambda: invitations.sign_up(token, request.form.get("email", ""), request.form.get("password", "")),
                  done=done, again=again)


@bp.post("/logout")
@login_required
def logout():
    """Log out, here and on every other device: the user's sessions and remember cookies all end."""
    accounts.end_sessions(current_user.id)
    logout_user()
    return go("auth.login")


@login_manager.user_loader
def load_user(user_id: str):
    """Find the signed-in person from the session, or None when the session is no longer valid."""
    return accounts.user_for_session(user_id)


@login_manager.unauthorized_handler
def unauthorized():
    """Send a person who is not signed in to the log-in page, and back here afterwards."""
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=request.path)
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
