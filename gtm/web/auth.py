"""Sign-up, log-in and log-out."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import login_required, login_user, logout_user

from ..extensions import limiter
from ..services import accounts
from ..services.errors import Invalid
from . import go, page

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["GTM_LOGIN_LIMIT"]


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


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup():
    """Create an account and its workspace, unless sign-up is closed."""
    errors, email = {}, ""
    if not signup_open():
        return page("auth/signup_closed.html", status=403 if request.method == "POST" else 200)
    if request.method == "POST":
        email = request.form.get("email", "")
        try:
            user = accounts.sign_up(email, request.form.get("password", ""))
        except Invalid as exc:
            errors = exc.fields
        else:
            login_user(user)
            return go("campaigns.index")
    return page("auth/signup.html", errors=errors, email=email, status=422 if errors else 200,
                password_min=accounts.PASSWORD_MIN)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
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
    return page("auth/login.html", error=error, email=email, status=401 if error else 200, signup_open=signup_open())


@bp.post("/logout")
@login_required
def logout():
    """Log out."""
    logout_user()
    return go("auth.login")
