"""The JSON API under /api, authenticated with Bearer tokens."""
from flask import Blueprint, g, jsonify, request

from ..extensions import csrf
from ..services import accounts, campaigns, runs, steps, strategy
from ..services.errors import ServiceError
from . import MAX_ID
from .api_json import campaign_json, nodes_json, run_json, step_json, step_version_json, versions_json
from .openapi import openapi_document

bp = Blueprint("api", __name__)
csrf.exempt(bp)

PUBLIC = {"api.openapi"}


class ApiError(ServiceError):
    def __init__(self, status: int, message: str, detail=None):
        super().__init__(message, detail)
        self.status = status


@bp.before_request
def authenticate():
    """Require a live Bearer token on every API call but the OpenAPI document."""
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    user = accounts.user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        response = jsonify(error="unauthorized",
                           detail="Send `Authorization: Bearer <token>`; create a token under Settings.")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    g.api_user = user
    return None


def _workspace() -> int:
    return g.api_user.workspace_id


def _body(optional: bool = False) -> dict:
    """Return the JSON object body, or raise a 400 that says what is wrong."""
    if optional and not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The body must be JSON (Content-Type: application/json).")
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def _step(campaign_id: int, kind: str) -> dict:
    card = steps.card(_workspace(), campaign_id, kind)
    return step_json(card, steps.list_versions(_workspace(), campaign_id, kind))


@bp.get("/openapi.json")
def openapi():
    """Describe the API as OpenAPI 3."""
    return jsonify(openapi_document())


@bp.post("/campaigns")
def create_campaign():
    """Create a campaign."""
    body = _body()
    missing = [field for field in campaigns.REQUIRED if field not in body]
    if missing:
        raise ApiError(422, f"Missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.",
                       {field: "This field is required." for field in missing})
    campaign = campaigns.create_campaign(_workspace(), body)
    return jsonify(campaign_json(campaign)), 201


@bp.get("/campaigns")
def list_campaigns():
    """List the workspace's campaigns."""
    return jsonify(campaigns=[campaign_json(c) for c in campaigns.list_campaigns(_workspace())])


@bp.get("/campaigns/<int:campaign_id>")
def get_campaign(campaign_id: int):
    """Return a campaign with its steps' status."""
    return jsonify(campaign_json(campaigns.get_campaign(_workspace(), campaign_id)))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/generate")
def generate_step(campaign_id: int, kind: str):
    """Start generating a step, optionally revising it with feedback."""
    body = _body(optional=True)
    inputs = body.get("inputs")
    if inputs is not None and not isinstance(inputs, dict):
        raise ApiError(422, "`inputs` must be an object.", {"inputs": "Must be an object."})
    run = steps.start(_workspace(), campaign_id, kind, feedback=body.get("feedback"), inputs=inputs)
    return jsonify(run_id=str(run.id)), 202


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>")
def get_step(campaign_id: int, kind: str):
    """Return a step with all its versions."""
    return jsonify(_step(campaign_id, kind))


def _version_number(value):
    """Read a version number given as digits; other values go on as they are, and name no version."""
    return int(value) if isinstance(value, str) and value.isdigit() and int(value) <= MAX_ID else value


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/versions/<int:number>/make-current")
def make_step_version_current(campaign_id: int, kind: str, number: int):
    """Make an older version of a step current again; the later steps become stale."""
    steps.make_current(_workspace(), campaign_id, kind, number)
    return jsonify(_step(campaign_id, kind))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/versions")
def create_step_version(campaign_id: int, kind: str):
    """Save hand-edited content as a new version of a step, marked as edited."""
    body = _body()
    version = steps.save_edit(_workspace(), campaign_id, kind, body.get("content"),
                              based_on=_version_number(body.get("based_on")))
    return jsonify(step_version_json(version)), 201


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>/diff")
def diff_step_versions(campaign_id: int, kind: str):
    """Compare two versions of a step (?a=&b=) as readable lines."""
    found = steps.diff(_workspace(), campaign_id, kind, _version_number(request.args.get("a")),
                       _version_number(request.args.get("b")))
    return jsonify(a=found.old.number, b=found.new.number, added=found.added, removed=found.removed,
                   lines=[{"op": line.op, "text": line.text} for line in found.lines])


@bp.post("/campaigns/<int:campaign_id>/strategy")
def plan_strategy(campaign_id: int):
    """Plan the campaign's strategy, then write every post, in one pipeline run."""
    body = _body(optional=True)
    run = strategy.plan(_workspace(), campaign_id, direction=body.get("direction"))
    return jsonify(run_id=str(run.id)), 202


@bp.get("/campaigns/<int:campaign_id>/nodes")
def strategy_nodes(campaign_id: int):
    """Return the active posts by phase, and the edges between them."""
    return jsonify(nodes_json(strategy.board(_workspace(), campaign_id)))


@bp.post("/campaigns/<int:campaign_id>/approve-all")
def approve_all_posts(campaign_id: int):
    """Approve every written post of the current strategy version."""
    return jsonify(approved=strategy.approve_all(_workspace(), campaign_id))


@bp.get("/campaigns/<int:campaign_id>/versions")
def strategy_versions(campaign_id: int):
    """List the strategy's versions, newest first."""
    return jsonify(versions_json(strategy.versions(_workspace(), campaign_id)))


@bp.get("/runs/<int:run_id>")
def get_run(run_id: int):
    """Return a run's status and progress."""
    return jsonify(run_json(runs.get(_workspace(), run_id)))
