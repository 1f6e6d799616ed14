"""Each API view described for the OpenAPI document, and called with its body and query checked by those models."""
import functools

from flask import request
from pydantic import BaseModel, ValidationError

from ...services import campaigns, steps
from ...services.errors import Invalid, refuse_nul
from .blueprint import Operation, workspace
from .errors import ApiError, field_errors, invalid


def documented(answers: dict[int, type[BaseModel]], *, body: type[BaseModel] | None = None, optional: bool = False,
               query: type[BaseModel] | None = None, errors: tuple[int, ...] = (), public: bool = False,
               files: tuple[str, ...] = (), raw_body: bool = False):
    """Describe a view for /api/openapi.json, and call it with its body and query parsed by their models.

    The view gets `body=` and `query=` keyword arguments for the models named here, so what the
    document says a view takes is what the view is given.
    """
    operation = Operation(answers, body, optional, query, tuple(errors), public, tuple(files), raw_body)

    def decorate(view):
        @functools.wraps(view)
        def parsed(**args):
            if query is not None:
                args["query"] = _parse(query, _without_nul(request.args.to_dict()))
            if body is not None and not raw_body:
                args["body"] = _parse(body, _without_nul(_json_object(optional)))
            return view(**args)

        parsed.openapi = operation
        return parsed
    return decorate


def _json_object(optional: bool) -> dict:
    """Return the JSON object body, or raise a 400 that says what is wrong."""
    if optional and not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The body must be JSON (Content-Type: application/json).")
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def _without_nul(values: dict) -> dict:
    """Return `values`, or raise a 422 naming the fields whose text holds a NUL character."""
    try:
        refuse_nul(values)
    except Invalid:
        _find_path_subjects()
        raise
    return values


def _parse(model: type[BaseModel], values: dict) -> BaseModel:
    """Return `values` checked by `model`, or raise a 422 whose detail names each field."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        # The services look the ids up before they judge values; keep that order, so an unknown or
        # foreign campaign is 404 whatever the body holds.
        _find_path_subjects()
        raise invalid(field_errors(error)) from None


def _find_path_subjects() -> None:
    """Raise NotFound when the URL names a campaign or step the workspace does not have."""
    args = request.view_args or {}
    if "kind" in args:
        steps.spec_for(args["kind"])
    if "campaign_id" in args:
        campaigns.get_campaign(workspace(), args["campaign_id"])
