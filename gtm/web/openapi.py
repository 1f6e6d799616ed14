"""The OpenAPI 3 description of the JSON API."""
from .. import __name__ as package
from ..models import STEP_KINDS
from ..services.campaigns import CHANNELS, LIMITS
from ..services.steps import STEP_FEEDBACK_MAX as FEEDBACK_MAX
from ..services.strategy import DIRECTION_MAX


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "The body is not JSON, or not an object"),
    "401": _json(_ref("Error"), "Missing or revoked token"),
    "404": _json(_ref("Error"), "No such resource in your workspace"),
    "409": _json(_ref("Error"), "Conflicts with the current state (e.g. a run is already in flight)"),
    "422": _json(_ref("Error"), "A field breaks a rule; `detail` maps field names to messages"),
}


def _params(*names: str) -> list[dict]:
    schemas = {"kind": {"type": "string", "enum": list(STEP_KINDS)}}
    return [{"name": n, "in": "path", "required": True, "schema": schemas.get(n, {"type": "string"})} for n in names]


def openapi_document() -> dict:
    """Return the OpenAPI document for what the API offers."""
    text = {"type": "string"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "gtm API", "version": "1", "description": "Campaigns, analysis steps and runs."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"],
                          "properties": {"error": text, "detail": {}}},
                "CampaignInput": {
                    "type": "object", "required": ["name", "product", "audience", "goals"],
                    "properties": {
                        "name": {"type": "string", "maxLength": LIMITS["name"]},
                        "product": {"type": "string", "maxLength": LIMITS["product"]},
                        "audience": {"type": "string", "maxLength": LIMITS["audience"]},
                        "goals": {"type": "string", "maxLength": LIMITS["goals"]},
                        "competitors": {"type": "array", "maxItems": LIMITS["competitors"],
                                        "items": {"type": "string", "maxLength": LIMITS["competitor"]}},
                        "channels": {"type": "array", "items": {"type": "string", "enum": list(CHANNELS)}},
                        "budget": {"type": "number", "minimum": 0},
                        "currency": {"type": "string", "pattern": "^[A-Za-z]{3}$"},
                        "brief": {"type": "string", "maxLength": LIMITS["brief"]},
                    },
                },
                "Campaign": {"allOf": [_ref("CampaignInput"), {"type": "object", "properties": {
                    "id": text, "current_version": {"type": "integer", "nullable": True},
                    "steps": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                        "current_version": {"type": "integer", "nullable": True}, "stale": {"type": "boolean"},
                        "available": {"type": "boolean"}}}},
                    "created_at": {"type": "string", "format": "date-time"}}}]},
                "StepVersion": {"type": "object", "properties": {
                    "number": {"type": "integer"}, "feedback": {"type": "string", "nullable": True},
                    "based_on": {"type": "integer", "nullable": True}, "edited": {"type": "boolean"},
                    "current": {"type": "boolean"},
                    "context_versions": {"type": "object", "additionalProperties": {"type": "integer"},
                                         "description": "The version of each earlier step it was built on"},
                    "inputs": {"type": "object", "additionalProperties": {"type": "string"}},
                    "content": {"type": "object", "description": "The step's structured output. For costs, gtm adds "
                                "line totals, `grand_total`, `budget`, `over_budget` and `over_by`, as decimal "
                                "strings it computed itself"},
                    "created_at": {"type": "string", "format": "date-time"}}},
                "EditStep": {"type": "object", "required": ["content"], "properties": {
                    "content": {"type": "object", "description": "The step's structured content, in the shape of "
                                "its versions' `content` (cost totals are computed again and may be left out)"},
                    "based_on": {"type": "integer", "description": "The version edited; the current one by default"}}},
                "StepDiff": {"type": "object", "properties": {
                    "a": {"type": "integer"}, "b": {"type": "integer"}, "added": {"type": "integer"},
                    "removed": {"type": "integer"},
                    "lines": {"type": "array", "items": {"type": "object", "properties": {
                        "op": {"type": "string", "enum": ["same", "added", "removed"]}, "text": text}}}}},
                "Step": {"type": "object", "properties": {
                    "kind": {"type": "string", "enum": list(STEP_KINDS)},
                    "current_version": {"type": "integer", "nullable": True}, "stale": {"type": "boolean"},
                    "versions": {"type": "array", "items": _ref("StepVersion")}}},
                "GenerateStep": {"type": "object", "properties": {
                    "feedback": {"type": "string", "minLength": 1, "maxLength": FEEDBACK_MAX,
                                 "description": "Revise the current version with this feedback"},
                    "inputs": {"type": "object", "additionalProperties": {"type": "string"},
                               "description": "The step form's inputs"}}},
                "PlanStrategy": {"type": "object", "properties": {
                    "direction": {"type": "string", "maxLength": DIRECTION_MAX,
                                  "description": "What the plan should lean on (optional)"}}},
                "Post": {"type": "object", "required": ["id", "key", "title", "channel", "brief", "day", "status",
                                                        "approved", "version"], "properties": {
                    "id": text, "key": text, "title": text, "channel": {"type": "string", "enum": list(CHANNELS)},
                    "brief": text, "day": {"type": "integer", "minimum": 0},
                    "status": {"type": "string", "enum": ["planned", "writing", "ready", "failed"]},
                    "approved": {"type": "boolean"}, "version": {"type": "integer"}}},
                "Nodes": {"type": "object", "required": ["version", "phases", "edges"], "properties": {
                    "version": {"type": "integer", "nullable": True},
                    "phases": {"type": "array", "items": {"type": "object", "properties": {
                        "number": {"type": "integer"}, "name": text, "goal": text,
                        "posts": {"type": "array", "items": _ref("Post")}}}},
                    "edges": {"type": "array", "items": {"type": "object", "properties": {
                        "from": {"type": "string", "description": "Post id"},
                        "to": {"type": "string", "description": "Post id"}}}}}},
                "StrategyVersions": {"type": "object", "properties": {
                    "current_version": {"type": "integer", "nullable": True},
                    "versions": {"type": "array", "description": "Newest first", "items": {"type": "object",
                        "properties": {
                            "number": {"type": "integer"}, "origin": text,
                            "direction": {"type": "string", "nullable": True},
                            "from_phase": {"type": "integer", "nullable": True},
                            "based_on": {"type": "integer", "nullable": True}, "posts": {"type": "integer"},
                            "is_current": {"type": "boolean"}, "run_id": {"type": "string", "nullable": True},
                            "created_at": {"type": "string", "format": "date-time"}}}}}},
                "RunAccepted": {"type": "object", "properties": {"run_id": text}},
                "Run": {"type": "object", "properties": {
                    "id": text, "kind": text,
                    "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed"]},
                    "progress": {"type": "object", "properties": {"done": {"type": "integer"},
                                                                  "total": {"type": "integer"}}},
                    "message": text, "error": {"type": "string", "nullable": True}}},
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/campaigns": {
                "get": {"summary": "List campaigns", "responses": {"200": _json({"type": "object"}, "Campaigns"),
                                                                   "401": ERRORS["401"]}},
                "post": {"summary": "Create a campaign",
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": _ref("CampaignInput")}}},
                         "responses": {"201": _json(_ref("Campaign"), "The campaign"),
                                       **{k: ERRORS[k] for k in ("400", "401", "422")}}},
            },
            "/api/campaigns/{id}": {"get": {
                "summary": "Get a campaign", "parameters": _params("id"),
                "responses": {"200": _json(_ref("Campaign"), "The campaign"),
                              **{k: ERRORS[k] for k in ("401", "404")}}}},
            "/api/campaigns/{id}/steps/{kind}/generate": {"post": {
                "summary": "Generate an analysis step, or revise it with feedback",
                "parameters": _params("id", "kind"),
                "requestBody": {"required": False, "content": {"application/json": {"schema": _ref("GenerateStep")}}},
                "responses": {"202": _json(_ref("RunAccepted"), "The run was queued"), **ERRORS}}},
            "/api/campaigns/{id}/steps/{kind}": {"get": {
                "summary": "Get a step with its versions", "parameters": _params("id", "kind"),
                "responses": {"200": _json(_ref("Step"), "The step"), **{k: ERRORS[k] for k in ("401", "404")}}}},
            "/api/campaigns/{id}/steps/{kind}/versions": {"post": {
                "summary": "Save hand-edited content as a new version of a step, marked as edited",
                "parameters": _params("id", "kind"),
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("EditStep")}}},
                "responses": {"201": _json(_ref("StepVersion"), "The new version, now current"), **ERRORS}}},
            "/api/campaigns/{id}/steps/{kind}/versions/{n}/make-current": {"post": {
                "summary": "Make an older version of a step current again (nothing is deleted)",
                "parameters": _params("id", "kind") + [{"name": "n", "in": "path", "required": True,
                                                       "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": _json(_ref("Step"), "The step"), **{k: ERRORS[k] for k in ("401", "404")}}}},
            "/api/campaigns/{id}/steps/{kind}/diff": {"get": {
                "summary": "Compare two versions of a step as readable lines",
                "parameters": _params("id", "kind") + [
                    {"name": n, "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1}}
                    for n in ("a", "b")],
                "responses": {"200": _json(_ref("StepDiff"), "The differences"),
                              **{k: ERRORS[k] for k in ("401", "404", "422")}}}},
            "/api/campaigns/{id}/strategy": {"post": {
                "summary": "Plan the strategy, then write every post (one pipeline run with a child run per post)",
                "parameters": _params("id"),
                "requestBody": {"required": False, "content": {"application/json": {"schema": _ref("PlanStrategy")}}},
                "responses": {"202": _json(_ref("RunAccepted"), "The pipeline run was queued"), **ERRORS}}},
            "/api/campaigns/{id}/nodes": {"get": {
                "summary": "The active posts by phase, and the edges between them", "parameters": _params("id"),
                "responses": {"200": _json(_ref("Nodes"), "The strategy graph"),
                              **{k: ERRORS[k] for k in ("401", "404")}}}},
            "/api/campaigns/{id}/approve-all": {"post": {
                "summary": "Approve every written post of the current version", "parameters": _params("id"),
                "responses": {"200": _json({"type": "object", "properties": {"approved": {
                    "type": "integer", "description": "Active posts approved now"}}}, "How many are approved"),
                    **{k: ERRORS[k] for k in ("401", "404")}}}},
            "/api/campaigns/{id}/versions": {"get": {
                "summary": "The strategy's versions, newest first", "parameters": _params("id"),
                "responses": {"200": _json(_ref("StrategyVersions"), "The versions"),
                              **{k: ERRORS[k] for k in ("401", "404")}}}},
            "/api/runs/{run_id}": {"get": {
                "summary": "Get a run's status", "parameters": _params("run_id"),
                "responses": {"200": _json(_ref("Run"), "The run"), **{k: ERRORS[k] for k in ("401", "404")}}}},
            "/api/openapi.json": {"get": {"summary": "This document", "security": [],
                                          "responses": {"200": _json({"type": "object"}, "OpenAPI 3")}}},
        },
        "x-generator": package,
    }
