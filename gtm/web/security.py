"""Production settings of the web layer: security headers on every response, and the answer to too many
attempts at logging in or signing up."""
import math
import time

from flask import Flask, Response, jsonify, request
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


def add_security_headers(response: Response, script_sources: tuple[str, ...] = ()) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(script_sources))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    return response


def _wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def too_many_attempts(error: RateLimitExceeded, error_page):
    """Answer 429: a page (or JSON under /api) saying when to try again, with Retry-After."""
    current = limiter.current_limit
    seconds = max(1, math.ceil(current.reset_at - time.time())) if current else 60
    message = (f"Too many attempts from your address ({error.limit.limit}). "
               f"Try again in {_wait_words(seconds)}.")
    if request.path.startswith("/api"):
        response = jsonify(error="too_many_requests", detail=message)
        response.status_code = 429
    else:
        response = error_page(429, "Too many attempts", message)
    response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask, script_sources) -> None:
    """Send the security headers on every response; `script_sources()` names extra script URLs."""
    @app.after_request
    def security_headers(response: Response) -> Response:
        return add_security_headers(response, script_sources())
