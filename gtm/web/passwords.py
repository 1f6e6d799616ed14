"""Forgotten passwords: /forgot asks for a reset link by email (when email is set up; otherwise it says to ask
an owner, who makes one on the members page), and /reset/<token> sets the new password once."""
from flask import current_app, flash, request

from .. import mail
from ..extensions import limiter
from ..services import accounts, password_resets
from .auth import bp
from .forms import submit
from .htmx import go, page
from .links import external

def _login_limit() -> str:
    return current_app.config["GTM_LOGIN_LIMIT"]


def _asked_account() -> str:
    """Count asks per address asked for, whatever client they come from, so no inbox is flooded."""
    return "forgot:" + accounts.attempt_key(request.form.get("email", ""))


def _account_limit() -> str:
    return current_app.config["GTM_LOGIN_ACCOUNT_LIMIT"]


def _forgot_page(status: int = 200, errors: dict | None = None, sent: bool = False, email: str = ""):
    return page("auth/forgot.html", status=status, errors=errors or {}, sent=sent, email=email,
                mail_on=mail.configured())


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_asked_account, methods=["POST"])
def forgot():
    """Email a reset link to the address given; the answer is the same whether or not an account has it."""
    if request.method == "GET" or not mail.configured():
        return _forgot_page()
    email = request.form.get("email", "")

    def asked(made):
        if made is not None:
            reset, raw = made
            password_resets.send(reset, external("auth.reset_password", token=raw))
        return _forgot_page(sent=True)
    return submit(lambda: password_resets.ask(email), done=asked,
                  again=lambda status, errors, problem: _forgot_page(status, errors, email=email))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    """Set a new password through a reset link; every session of the account ends, and the link stops working."""
    reset = password_resets.find(token)

    def form(status: int = 200, errors: dict | None = None, problem: str | None = None):
        return page("auth/reset.html", status=status, errors=errors or {}, email=reset.user.email, token=token,
                    password_min=accounts.PASSWORD_MIN)
    if request.method == "GET":
        return form()

    def done(_user):
        flash("Your password is changed, and every session of your account is logged out. Log in with the new "
              "password.")
        return go("auth.login")
    return submit(lambda: password_resets.reset_password(token, request.form.get("password", ""),
                                                         request.form.get("confirm_password", "")),
                  done=done, again=form)
