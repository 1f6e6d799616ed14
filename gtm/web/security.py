"""Production settings of the web layer: security headers on every response, and the answer to too many
attempts at logging in or signing up."""
import math
import time

from flask import Flask, Response, current_app, jsonify, request
from flask_limiter import RateLimitExceeded

from ..extensions import limiter

# htmx works under this policy because the pages load it and gtm.js as files, ask htmx never to evaluate
# code (allowEval false: no hx-on, no event filters, no js: values) and to inject no <style> of its own
# (includeIndicatorStyles false), and carry no inline script, handler or style attribute.
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
}


def content_security_policy(script_sources: tuple[str, ...] = ()) -> str:
    """Return the Content-Security-Policy value; `script_sources` adds script URLs (the htmx CDN file)."""
    policy = dict(POLICY)
    if script_sources:
        policy["script-src"] = " ".join((policy["script-src"], *script_sources))
    return "; ".join(f"{name} {value}" for name, value in policy.items())


# Pages that show a secret (a new API token) or take one (passwords) must not be kept by the browser or a
# proxy, where the back button or the next person at the machine would find them.
NO_STORE_BLUEPRINTS = ("auth", "settings")
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response, script_sources: tuple[str, ...] = (),
                         https_only: bool = False) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(script_sources))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.blueprint in NO_STORE_BLUEPRINTS:
        headers["Cache-Control"] = "no-store"
    if https_only:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def account_limit() -> str:
    """The limit of refused passwords per account (GTM_LOGIN_ACCOUNT_LIMIT): on the log-in page, and on the
    password change, which must not let whoever holds a session guess the password faster."""
    return current_app.config["GTM_LOGIN_ACCOUNT_LIMIT"]


def seconds_until(reset_at: float) -> int:
    """Whole seconds until a limit's window resets, at least one (the value of Retry-After)."""
    return max(1, math.ceil(reset_at - time.time()))


def wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def too_many_attempts(error: RateLimitExceeded, error_page):
    """Answer 429: a page (or JSON under /api) saying when to try again, with Retry-After."""
    current = limiter.current_limit
    seconds = seconds_until(current.reset_at) if current else 60
    message = (f"Too many attempts from your address ({error.limit.limit}). "
               f"Try again in {wait_words(seconds)}.")
    if error.response is not None:
        # The limit's own answer (the log-in form says which account waits, and for how long).
        response = error.response
    elif request.path.startswith("/api"):
        response = jsonify(error="too_many_requests", detail=message)
        response.status_code = 429
    else:
        response = error_page(429, "Too many attempts", message)
    response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask, script_sources) -> None:
    """Send the security headers on every response; `script_sources()` names extra script URLs."""
    # Behind a proxy gtm is served over HTTPS (the cookies are Secure), so browsers may be told to never use HTTP.
    https_only = app.config["GTM_BEHIND_PROXY"]

    @app.after_request
    def security_headers(response: Response) -> Response:
        return add_security_headers(response, script_sources(), https_only)
