"""/metrics in the Prometheus text format, off (404) unless GTM_METRICS=1, and only for `Authorization: Bearer
<GTM_METRICS_TOKEN>` when that is set.

Requests are counted and timed by prometheus_flask_exporter, by endpoint (the route's name, never the path,
so ids do not multiply the series). With PROMETHEUS_MULTIPROC_DIR set, the exporter's multiprocess variant
writes to that folder, and a scrape adds up every process that writes there: gunicorn's workers, and the RQ
workers that count runs and model calls (gtm/metrics.py). Queue, workers and webhook deliveries are read
at scrape time (services/metrics.py)."""
import hmac

from flask import Flask, Response, abort, current_app, request
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

from .. import metrics
from ..extensions import limiter
from ..services.metrics import StateCollector


def endpoint(request) -> str:
    """The request's route by name; `none` for an address no route matches."""
    return request.endpoint or "none"


def init_app(app: Flask) -> None:
    # The route is always there, so every app has the same URL map; it answers 404 while metrics are off.
    app.add_url_rule("/metrics", "metrics", limiter.exempt(scrape))
    if not app.config["GTM_METRICS"]:
        return
    # Each app has a registry of its own for the exporter's metrics (a process may build several apps).
    exporter_class = GunicornInternalPrometheusMetrics if metrics.MULTIPROCESS else PrometheusMetrics
    exporter = exporter_class(app=None, path=None, registry=CollectorRegistry(), group_by=endpoint,
                              excluded_paths=["^/static/", "^/metrics$", "^/healthz$", "^/readyz$"])
    exporter.init_app(app)
    app.extensions["gtm.metrics"] = {"exporter": exporter.registry, "state": StateCollector(app)}


def scrape():
    parts = current_app.extensions.get("gtm.metrics")
    if parts is None:
        abort(404)
    token = current_app.config["GTM_METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            response = Response("A metrics token is needed: Authorization: Bearer <GTM_METRICS_TOKEN>\n", 401,
                                mimetype="text/plain")
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    registry = CollectorRegistry()
    if metrics.MULTIPROCESS:
        MultiProcessCollector(registry)  # every process's files: requests, runs, model calls
    else:
        registry.register(parts["exporter"])
        registry.register(metrics.REGISTRY)
    registry.register(parts["state"])
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = Response(encode(registry), mimetype=None)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "no-store"
    return response
