"""Liveness and readiness, for process managers and load balancers: open to anyone, saying nothing more
than which part is away (no versions, hosts or errors), never setting a cookie and never rate-limited."""
from flask import Blueprint, Response, current_app, jsonify

from ..extensions import limiter
from ..services import health

bp = Blueprint("health", __name__)
limiter.exempt(bp)


@bp.get("/healthz")
def healthz():
    """200 while the process answers; it touches neither the database nor Redis."""
    return _uncached(Response("ok\n", mimetype="text/plain"))


@bp.get("/readyz")
def readyz():
    """200 when the database, Redis and at least one worker answer; 503 naming the parts that do not."""
    checks = health.readiness(current_app._get_current_object())
    away = health.missing(checks)
    if away:
        response = jsonify(status="not ready", missing=away, checks=checks)
        response.status_code = 503
    else:
        response = jsonify(status="ready", checks=checks)
    return _uncached(response)


def _uncached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
