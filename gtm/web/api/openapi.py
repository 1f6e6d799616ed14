"""The OpenAPI 3.1 description of the JSON API, built from Flask's URL map and the views' pydantic models.

Every API view carries an `Operation` (set by `parsing.documented`) naming its body, query and answer models.
Paths, methods and path parameters come from the URL map and summaries from the views' docstrings, so a
route is described by being written; a test fails when one is not. OpenAPI 3.1 takes JSON Schema 2020-12,
which is what pydantic writes, so its schemas go in as they are (nullable fields stay `["string", "null"]`).
"""
import logging
import re
from typing import Any

from flask import Flask, current_app, jsonify
from pydantic import BaseModel, RootModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from ... import __name__ as package
from ...models import STEP_KINDS
from .. import authorization
from .blueprint import Operation, bp, operation_of
from .errors import Error
from .parsing import documented

log = logging.getLogger(__name__)

PREFIX = "/api/"
REF = "#/components/schemas/{model}"


# The error answers, shared by the operations through components/responses: (name, description).
ERRORS = {
    400: ("BadRequest", "The body is not JSON, or not an object"),
    401: ("Unauthorized", "Missing or revoked token"),
    403: ("Forbidden", "The token's user's role in its workspace does not allow this; `error` says what it allows"),
    404: ("NotFound", "No such resource in your workspace"),
    409: ("Conflict", "Conflicts with the current state (e.g. a run is already in flight)"),
    413: ("TooLarge", "The body is larger than the limit the message states"),
    422: ("Invalid", "A field breaks a rule; `detail` maps field names to messages"),
    503: ("Unavailable", "The queue (Redis) does not answer; nothing was started"),
}

# The HTTP contract writes these path variables as {id} and {n}; clients read those names.
PATH_NAMES = {"campaign_id": "id", "number": "n"}
PATH_DESCRIPTIONS = {
    "campaign_id": "The campaign's id", "kind": "The analysis step", "number": "The version's number",
    "run_id": "The run's id", "alert_id": "The alert's id",
}
PATH_SCHEMAS = {"kind": {"type": "string", "enum": list(STEP_KINDS)}}
CONVERTER_SCHEMAS = {"int": {"type": "integer", "minimum": 1}}
VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


class _Schema(GenerateJsonSchema):
    """pydantic's JSON Schema without its noise: no titles made from field names, and no `default: null`
    (leaving a field out is how a client says nothing)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def default_schema(self, schema):
        json_schema = super().default_schema(schema)
        if json_schema.get("default", ...) is None:
            del json_schema["default"]
        return json_schema


def openapi_document(app: Flask) -> dict:
    """Return the OpenAPI document for the /api rules of the app's URL map."""
    found = list(_operations(app))
    refs, defs = _schemas([op for *_, op in found])
    paths: dict[str, dict] = {}
    for rule, method, view, op in found:
        path, parameters = _path(rule.rule)
        paths.setdefault(path, {})[method.lower()] = _operation(view, op, parameters, refs, bool(rule.arguments),
                                                                rule.endpoint)
    return {
        "openapi": "3.1.0",
        "info": {"title": "gtm API", "version": "1", "description": "Campaigns, analysis steps, strategies and runs."},
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {name: _json(refs[Error], description) for name, description in ERRORS.values()},
            "schemas": dict(sorted(defs.items())),
        },
        "x-generator": package,
    }


def _operations(app: Flask):
    """Yield (rule, method, view, operation) for every documented /api rule."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        op = operation_of(view)
        if op is None:
            # Served but not described: the document stays valid, and a test names the route.
            log.warning("%s has no OpenAPI operation; decorate it with api.parsing.documented", rule.endpoint)
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, view, op


def _schemas(operations: list[Operation]) -> tuple[dict, dict]:
    """Return each model's $ref, and the components' schemas, generated together so shared parts appear once."""
    wanted = {(Error, "serialization")}
    for op in operations:
        wanted |= {(model, "serialization") for model in op.answers.values() if model is not None}
        if op.body:
            wanted.add((op.body, "validation"))
    refs, top = models_json_schema(sorted(wanted, key=lambda pair: pair[0].__name__), ref_template=REF,
                                   union_format="primitive_type_array", schema_generator=_Schema)
    return {model: ref for (model, _), ref in refs.items()}, top.get("$defs", {})


def _path(rule: str) -> tuple[str, list[dict]]:
    """Turn a Flask rule into an OpenAPI path and its path parameters."""
    parameters = []

    def template(match: re.Match) -> str:
        converter, name = match.group(1) or "default", match.group(2)
        parameter = {"name": PATH_NAMES.get(name, name), "in": "path", "required": True,
                     "schema": PATH_SCHEMAS.get(name) or CONVERTER_SCHEMAS.get(converter, {"type": "string"})}
        if name in PATH_DESCRIPTIONS:
            parameter["description"] = PATH_DESCRIPTIONS[name]
        parameters.append(parameter)
        return "{" + parameter["name"] + "}"

    return VARIABLE.sub(template, rule), parameters


def _query(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF, schema_generator=_Schema)
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required, "schema": field}
            for name, field in schema["properties"].items()]


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _first_line(text: str | None, default: str) -> str:
    return text.strip().splitlines()[0] if text and text.strip() else default


def _operation(view, op: Operation, parameters: list[dict], refs: dict, has_variables: bool, endpoint: str) -> dict:
    """Return the operation for one method of a rule: summary, parameters, body and answers."""
    entry = {"operationId": view.__name__, "summary": _first_line(view.__doc__, view.__name__)}
    parameters = parameters + (_query(op.query) if op.query else [])
    if parameters:
        entry["parameters"] = parameters
    if op.body:
        entry["requestBody"] = {"required": not op.body_optional,
                                "content": {"application/json": {"schema": refs[op.body]}}}
    # An answer model of None is an answer without a body (204).
    responses = {status: _json(refs[model], _first_line(model.__doc__, "OK")) if model is not None
                 else {"description": "Done; no content"} for status, model in op.answers.items()}
    for status, model in op.answers.items():
        if model is not None:
            responses[status]["content"] |= {media_type: {"schema": {"type": "string"}} for media_type in op.files}
    errors = set(op.errors) | ({400, 422} if op.body else set()) | ({422} if op.query else set())
    errors |= {404} if has_variables else set()
    if not op.public:
        errors.add(401)
    # Every role may read; any other action is refused to some role (gtm/services/roles.py).
    if authorization.action_of(endpoint) not in ("read", authorization.PUBLIC):
        errors.add(403)
    responses |= {status: {"$ref": f"#/components/responses/{ERRORS[status][0]}"} for status in errors}
    entry["responses"] = {str(status): responses[status] for status in sorted(responses)}
    if op.public:
        entry["security"] = []
    return entry


class OpenApiDocument(RootModel[dict[str, Any]]):
    """This document, OpenAPI 3.1."""


@bp.get("/openapi.json")
@documented({200: OpenApiDocument}, public=True)
def openapi():
    """Describe the API as OpenAPI 3.1."""
    return jsonify(openapi_document(current_app))
