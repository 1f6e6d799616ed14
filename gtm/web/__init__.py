"""The web layer: thin blueprints, and the helpers they share."""
import hashlib
import re
from pathlib import Path

import flask
from flask import Flask, current_app, g, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from .. import HTMX_VERSION, llm
from ..extensions import login_manager
from ..services import accounts, imports, jsonsafe
from ..services.errors import NotFound, ServiceError, refuse_nul
from ..services.results import CSV_MAX_BYTES, CSV_MAX_TEXT

# The CDN copy of the pinned htmx, checked by the browser against this hash.
HTMX_CDN = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_LOCAL = f"vendor/htmx-{HTMX_VERSION}.min.js"


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


# Polls carry the state of what their fragment shows (see self_refreshing in _macros.html). A route that can
# tell its state cheaply sets g.poll_state first (the board does); otherwise the state is a digest of the
# rendered text, written into the polling URLs once the text is known.
STATE_SLOT = "gtm-state-slot"
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


def poll_url(url: str) -> str:
    """A polling fragment's URL, carrying the state it shows."""
    return f"{url}{'&' if '?' in url else '?'}state={g.get('poll_state') or STATE_SLOT}"


def page(template: str, fragment: str | None = None, status: int = 200, **context):
    """Render the full page, or only `fragment` for an htmx request; always vary on HX-Request.

    An htmx poll whose fragment is unchanged, rendered the same as the state it sent, gets 204: nothing to swap."""
    name = fragment if fragment and is_htmx() else template
    text = render_template(name, **context)
    if STATE_SLOT in text:
        # Forms' CSRF tokens are signed anew on every render; they are not part of what the fragment shows.
        shown = CSRF_VALUE.sub("", text)
        state = hashlib.blake2s(shown.encode(), digest_size=8).hexdigest()
        if status == 200 and request.method == "GET" and is_htmx() and request.args.get("state") == state:
            return no_change()
        text = text.replace(STATE_SLOT, state)
    response = make_response(text, status)
    response.headers["Vary"] = "HX-Request"
    return response


def unchanged(state_of, *args) -> bool:
    """True when an htmx poll sent the state it shows (`?state=`) and `state_of(workspace, *args)` still gives it."""
    shown = request.args.get("state")
    return bool(shown) and is_htmx() and state_of(workspace_id(), *args) == shown


def no_change():
    """Answer a poll whose fragment is up to date: 204, which htmx swaps nothing for."""
    response = make_response("", 204)
    response.headers["Vary"] = "HX-Request"
    return response


def go(endpoint: str, **values):
    """Redirect after a post: HX-Redirect for htmx, 303 otherwise."""
    target = url_for(endpoint, **values)
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


def error_page(status: int, title: str, message: str):
    """Answer an error: a page, or for htmx a message retargeted to the page's #flash area."""
    if is_htmx():
        response = make_response(render_template("_flash.html", title=title, message=message), status)
        response.headers.update({"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "X-Gtm-Flash": "1"})
    else:
        response = page("error.html", status=status, title=title, message=message)
    response.headers["Vary"] = "HX-Request"
    return response


def download(file):
    """Answer an export as a file to save, under its own name."""
    response = make_response(file.data)
    response.headers["Content-Type"] = file.content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


# The endpoints that take an uploaded export: they read bodies up to the import limit plus room for the
# form around the file, so a file a little too large gets the service's message, next to the file field.
UPLOAD_ENDPOINTS = ("exports.import_campaign", "api.import_campaign")
# The metrics CSV: the upload, and its confirmation, which carries the file's text back.
CSV_ENDPOINTS = ("results.upload", "results.confirm")


class _BodyJson:
    """What Request.get_json parses with (gtm.services.jsonsafe): a body nested too deeply is refused, and one
    with numbers or text that cannot be taken is refused naming their fields. The refusals are ServiceErrors,
    not ValueErrors, so even get_json(silent=True) lets them through to the error handlers instead of reading
    them as a body that is not JSON."""

    loads = staticmethod(jsonsafe.loads)
    dumps = staticmethod(flask.json.dumps)


class Request(flask.Request):
    @property
    def json_module(self):
        return _BodyJson

    @json_module.setter
    def json_module(self, value) -> None:
        """Flask hands each request the app's JSON provider; bodies are read with _BodyJson all the same."""

    @property
    def max_content_length(self) -> int | None:
        if self.endpoint in UPLOAD_ENDPOINTS:
            return imports.IMPORT_MAX_BYTES * 2
        if self.endpoint in CSV_ENDPOINTS:
            return CSV_MAX_BYTES * 2
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        flask.Request.max_content_length.fset(self, value)


def workspace_id() -> int:
    return current_user.workspace_id


def htmx_from_cdn() -> bool:
    """True when pages load htmx from the CDN: no local copy, and GTM_HTMX_CDN allows it."""
    return current_app.config["GTM_HTMX_CDN"] and not (Path(current_app.static_folder) / HTMX_LOCAL).exists()


def htmx_script() -> Markup:
    """Return the script tag for htmx: the local copy when present, else the pinned CDN file with SRI."""
    if not htmx_from_cdn():
        return Markup(f'<script src="{url_for("static", filename=HTMX_LOCAL)}"></script>')
    return Markup(f'<script src="{HTMX_CDN}" integrity="{HTMX_SRI}" crossorigin="anonymous"></script>')


def _script_sources() -> tuple[str, ...]:
    """Scripts the CSP allows beside our own files: the one pinned htmx file, when it comes from the CDN."""
    return (HTMX_CDN,) if htmx_from_cdn() else ()


MAX_ID = 2**31 - 1


def number_arg(name: str) -> int | None:
    """Read a number (a version, say) from the query string: None when absent, 404 when it names nothing."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
        raise NotFound(f"There is no {name} '{raw[:20]}'.")
    return int(raw)


def _at_most(limit: int) -> str:
    """Return a regex for the whole numbers 0..limit in digits (leading zeros allowed)."""
    digits = str(limit)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for place, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - place - 1
            options.append(f"{digits[:place]}[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    return "0*(?:" + "|".join(options + [digits]) + ")"


class IdConverter(IntegerConverter):
    """Integer ids that fit the database's integer column; anything larger is simply not found."""

    # A larger number must not match the URL at all: werkzeug checks the method before it converts, so
    # when a path has a GET rule and a POST rule, a number refused by `max` would answer 405, not 404.
    regex = _at_most(MAX_ID)

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    # Before the blueprints are registered, so every <int:...> in their rules uses it.
    app.url_map.converters["int"] = IdConverter
    app.request_class = Request
    from . import (
        api, auth, campaigns, chat, exports, results, runs, security, settings, strategy, triggers, versions, workflow,
    )
    from .filters import register_filters

    for module in (auth, campaigns, workflow, strategy, versions, chat, runs, settings, exports, triggers, results):
        app.register_blueprint(module.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    register_filters(app)
    app.add_template_global(poll_url)  # for macros, which are imported without the page's context

    @app.before_request
    def refuse_nul_in_forms():
        """Refuse page requests whose fields hold a NUL character (the API checks its own bodies and queries)."""
        if not request.path.startswith("/api/"):
            refuse_nul({**request.args.to_dict(flat=False), **request.form.to_dict(flat=False)})

    security.init_app(app, _script_sources)

    @login_manager.user_loader
    def load_user(user_id: str):
        return accounts.user_for_session(user_id)

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_htmx():
            response = make_response("", 401)
            response.headers["HX-Redirect"] = url_for("auth.login", next=request.path)
            return response
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.context_processor
    def globals_():
        return {"htmx_script": htmx_script, "llm_info": _llm_info}

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if request.path.startswith("/api"):
            return jsonify(error="csrf", detail=error.description), 400
        return error_page(400, "The form expired", "This form's security token is missing or out of date. "
                                                   "Reload the page and submit it again; nothing was changed.")

    @app.errorhandler(404)
    def not_found(error):
        if request.path.startswith("/api"):
            return jsonify(error="not_found", detail="No such resource."), 404
        return error_page(404, "Not found", "There is nothing here, or it belongs to another workspace.")

    @app.errorhandler(405)
    def method_not_allowed(error):
        if request.path.startswith("/api"):
            return jsonify(error="method_not_allowed", detail=f"{request.method} is not allowed here."), 405
        return error_page(405, "Not allowed", "That action is not allowed here.")

    @app.errorhandler(413)
    def too_large(error):
        limit = f"{request.max_content_length // (1024 * 1024)} MiB"
        if request.endpoint in UPLOAD_ENDPOINTS:
            limit = f"{limit}; an import is at most {imports.IMPORT_MAX_TEXT}"
        elif request.endpoint in CSV_ENDPOINTS:
            limit = f"{limit}; a CSV of results is at most {CSV_MAX_TEXT}"
        if request.path.startswith("/api"):
            return jsonify(error="too_large", detail=f"The request body is larger than {limit}."), 413
        return error_page(413, "Too large", f"That request is larger than {limit}.")

    @app.errorhandler(RateLimitExceeded)
    def too_many_attempts(error):
        return security.too_many_attempts(error, error_page)

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        if request.path.startswith("/api"):
            return jsonify(error=error.message, detail=error.detail), error.status
        return error_page(error.status, "That did not work", error.message)

    @app.errorhandler(500)
    def server_error(error):
        if request.path.startswith("/api"):
            return jsonify(error="server_error", detail="Something went wrong on the server; it is logged."), 500
        return error_page(500, "Something went wrong", "The error is in the server log. Try again in a moment; "
                                                       "if it keeps happening, tell whoever runs gtm.")


def _llm_info() -> dict:
    return llm.describe()

