"""Sign-up, log-in and log-out."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, make_response, redirect, request, url_for
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter, login_manager
from ..services import accounts
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
    """Create an account and its workspace, unless sign-up is closed."""
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
            return redirect(_safe_next(request.args.get("next")), code=303)
        error = "That email and password do not match an account."
    return page("auth/login.html", error=error, email=email, status=LOGIN_REFUSED if error else 200,
                signup_open=signup_open())


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
