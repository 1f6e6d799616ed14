"""What every error answers: a page, a message in the page's #flash area for htmx, or JSON under /api."""
from flask import Flask, jsonify, make_response, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from ..services import imports
from ..services.errors import ServiceError, refuse_nul
from ..services.results import CSV_MAX_TEXT
from . import security
from .htmx import is_htmx, page
from .requests import CSV_ENDPOINTS, UPLOAD_ENDPOINTS


def error_page(status: int, title: str, message: str):
    """Answer an error: a page, or for htmx a message retargeted to the page's #flash area."""
    if is_htmx():
        response = make_response(render_template("components/_flash.html", title=title, message=message), status)
        response.headers.update({"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "X-Gtm-Flash": "1"})
    else:
        response = page("error.html", status=status, title=title, message=message)
    response.headers["Vary"] = "HX-Request"
    return response


def _api() -> bool:
    return request.path.startswith("/api")


def _answer(status: int, code: str, detail, title: str, message: str):
    """JSON `{error, detail}` under /api, else the error page."""
    if _api():
        return jsonify(error=code, detail=detail), status
    return error_page(status, title, message)


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_in_forms():
        """Refuse page requests whose fields hold a NUL character (the API checks its own bodies and queries)."""
        if not _api():
            refuse_nul({**request.args.to_dict(flat=False), **request.form.to_dict(flat=False)})

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _answer(400, "csrf", error.description, "The form expired",
                       "This form's security token is missing or out of date. "
                       "Reload the page and submit it again; nothing was changed.")

    @app.errorhandler(404)
    def not_found(error):
        return _answer(404, "not_found", "No such resource.", "Not found",
                       "There is nothing here, or it belongs to another workspace.")

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _answer(405, "method_not_allowed", f"{request.method} is not allowed here.", "Not allowed",
                       "That action is not allowed here.")

    @app.errorhandler(413)
    def too_large(error):
        limit = f"{request.max_content_length // (1024 * 1024)} MiB"
        if request.endpoint in UPLOAD_ENDPOINTS:
            limit = f"{limit}; an import is at most {imports.IMPORT_MAX_TEXT}"
        elif request.endpoint in CSV_ENDPOINTS:
            limit = f"{limit}; a CSV of results is at most {CSV_MAX_TEXT}"
        return _answer(413, "too_large", f"The request body is larger than {limit}.", "Too large",
                       f"That request is larger than {limit}.")

    @app.errorhandler(RateLimitExceeded)
    def too_many_attempts(error):
        return security.too_many_attempts(error, error_page)

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        if _api():
            return jsonify(error=error.message, detail=error.detail), error.status
        return error_page(error.status, "Not allowed for your role" if error.status == 403 else "That did not work",
                          error.message)

    @app.errorhandler(500)
    def server_error(error):
        return _answer(500, "server_error", "Something went wrong on the server; it is logged.",
                       "Something went wrong", "The error is in the server log. Try again in a moment; "
                                               "if it keeps happening, tell whoever runs gtm.")
