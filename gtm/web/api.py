"""The JSON API under /api, authenticated with Bearer tokens."""
import functools

from flask import Blueprint, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError

from ..extensions import csrf
from ..services import accounts, campaigns, chat, exports, imports, results, runs, steps, strategy
from ..services.errors import Invalid, NotFound, ServiceError, refuse_nul
from . import MAX_ID, download
from . import api_schemas as schemas
from .api_json import (
    campaign_json, campaigns_json, chat_json, chat_posted_json, compare_json, nodes_json, preview_json, run_json,
    step_json, step_version_json, version_nodes_json, versions_json,
)
from .api_json_triggers import alert_json, alerts_json, results_json, trigger_json, triggers_json
from .openapi import Operation, openapi_document, operation_of

bp = Blueprint("api", __name__)
csrf.exempt(bp)


class ApiError(ServiceError):
    def __init__(self, status: int, message: str, detail=None):
        super().__init__(message, detail)
        self.status = status


@bp.before_request
def authenticate():
    """Require a live Bearer token on every API call but the public ones (the OpenAPI document)."""
    operation = operation_of(current_app.view_functions.get(request.endpoint))
    if operation is not None and operation.public:
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
        detail = schemas.field_errors(error)
        raise ApiError(422, f"Some fields need attention: {', '.join(detail)}.", detail) from None


def _find_path_subjects() -> None:
    """Raise NotFound when the URL names a campaign or step the workspace does not have."""
    args = request.view_args or {}
    if "kind" in args:
        steps.spec_for(args["kind"])
    if "campaign_id" in args:
        campaigns.get_campaign(_workspace(), args["campaign_id"])


def _step(campaign_id: int, kind: str, query: schemas.PageQuery | None = None) -> dict:
    before, limit = (query.before, query.limit) if query else (None, None)
    # The card (with its run) before the versions, as the step card reads them.
    card = steps.card(_workspace(), campaign_id, kind)
    return step_json(card, steps.list_versions(_workspace(), campaign_id, kind, before, limit))


@bp.get("/openapi.json")
@documented({200: schemas.OpenApiDocument}, public=True)
def openapi():
    """Describe the API as OpenAPI 3.1."""
    return jsonify(openapi_document(current_app))


@bp.post("/campaigns")
@documented({201: schemas.Campaign}, body=schemas.CampaignInput)
def create_campaign(body: schemas.CampaignInput):
    """Create a campaign."""
    campaign = campaigns.create_campaign(_workspace(), body.model_dump(exclude_unset=True))
    return jsonify(campaign_json(campaign)), 201


@bp.get("/campaigns")
@documented({200: schemas.CampaignList}, query=schemas.PageQuery)
def list_campaigns(query: schemas.PageQuery):
    """List the workspace's campaigns, newest first, a page at a time (?before=&limit=)."""
    return jsonify(campaigns_json(campaigns.list_campaigns(_workspace(), query.before, query.limit)))


@bp.post("/campaigns/import")
@documented({201: schemas.Campaign}, body=schemas.CampaignExport, raw_body=True, errors=(413,))
def import_campaign():
    """Create a campaign from a JSON export: its analysis steps, and its strategy as version 1."""
    campaign = imports.import_campaign(_workspace(), request.get_data(), author_id=g.api_user.id)
    return jsonify(campaign_json(campaign)), 201


@bp.get("/campaigns/<int:campaign_id>/export")
@documented({200: schemas.CampaignExport}, query=schemas.ExportQuery, errors=(409,),
            files=tuple(content_type for content_type, *_ in exports.FORMATS.values() if "json" not in content_type))
def export_campaign(campaign_id: int, query: schemas.ExportQuery):
    """Download a strategy version as JSON (to import again), Markdown, a CSV content calendar or an ICS calendar."""
    return download(exports.export(_workspace(), campaign_id, query.format or "json", version=query.version))


@bp.get("/campaigns/<int:campaign_id>")
@documented({200: schemas.Campaign})
def get_campaign(campaign_id: int):
    """Return a campaign with its steps' status."""
    return jsonify(campaign_json(campaigns.get_campaign(_workspace(), campaign_id)))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/generate")
@documented({202: schemas.RunAccepted}, body=schemas.GenerateStep, optional=True, errors=(409, 503))
def generate_step(campaign_id: int, kind: str, body: schemas.GenerateStep):
    """Start generating a step, optionally revising it with feedback."""
    run = steps.start(_workspace(), campaign_id, kind, feedback=body.feedback, inputs=body.inputs)
    return jsonify(run_id=str(run.id)), 202


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>")
@documented({200: schemas.Step}, query=schemas.PageQuery)
def get_step(campaign_id: int, kind: str, query: schemas.PageQuery):
    """Return a step with its versions, the newest page of them (?before=&limit=), oldest first."""
    return jsonify(_step(campaign_id, kind, query))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/versions/<int:number>/make-current")
@documented({200: schemas.Step})
def make_step_version_current(campaign_id: int, kind: str, number: int):
    """Make an older version of a step current again; the later steps become stale."""
    steps.make_current(_workspace(), campaign_id, kind, number)
    return jsonify(_step(campaign_id, kind))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/versions")
@documented({201: schemas.StepVersion}, body=schemas.EditStep, errors=(409,))
def create_step_version(campaign_id: int, kind: str, body: schemas.EditStep):
    """Save hand-edited content as a new version of a step, marked as edited."""
    version = steps.save_edit(_workspace(), campaign_id, kind, body.content, based_on=body.based_on)
    return jsonify(step_version_json(version)), 201


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>/diff")
@documented({200: schemas.StepDiff}, query=schemas.DiffQuery)
def diff_step_versions(campaign_id: int, kind: str, query: schemas.DiffQuery):
    """Compare two versions of a step (?a=&b=) as readable lines."""
    found = steps.diff(_workspace(), campaign_id, kind, query.a, query.b)
    return jsonify(a=found.old.number, b=found.new.number, added=found.added, removed=found.removed,
                   lines=[{"op": line.op, "text": line.text} for line in found.lines])


@bp.post("/campaigns/<int:campaign_id>/strategy")
@documented({202: schemas.RunAccepted}, body=schemas.PlanStrategy, optional=True, errors=(409, 503))
def plan_strategy(campaign_id: int, body: schemas.PlanStrategy):
    """Plan the campaign's strategy, then write every post, in one pipeline run."""
    run = strategy.plan(_workspace(), campaign_id, direction=body.direction, author_id=g.api_user.id)
    return jsonify(run_id=str(run.id)), 202


@bp.get("/campaigns/<int:campaign_id>/nodes")
@documented({200: schemas.Nodes})
def strategy_nodes(campaign_id: int):
    """Return the active posts by phase, and the edges between them."""
    return jsonify(nodes_json(strategy.board(_workspace(), campaign_id)))


@bp.post("/campaigns/<int:campaign_id>/approve-all")
@documented({200: schemas.Approved})
def approve_all_posts(campaign_id: int):
    """Approve every written post of the current strategy version."""
    return jsonify(approved=strategy.approve_all(_workspace(), campaign_id))


@bp.get("/campaigns/<int:campaign_id>/versions")
@documented({200: schemas.StrategyVersions}, query=schemas.PageQuery)
def strategy_versions(campaign_id: int, query: schemas.PageQuery):
    """List the strategy's versions, newest first, a page at a time (?before=&limit=)."""
    return jsonify(versions_json(strategy.versions(_workspace(), campaign_id, query.before, query.limit)))


@bp.get("/campaigns/<int:campaign_id>/versions/<int:number>")
@documented({200: schemas.VersionNodes})
def strategy_version(campaign_id: int, number: int):
    """Return version n as it was: its posts by phase and the edges among them."""
    return jsonify(version_nodes_json(strategy.version_view(_workspace(), campaign_id, number)))


@bp.get("/campaigns/<int:campaign_id>/compare")
@documented({200: schemas.Comparison}, query=schemas.CompareQuery)
def compare_versions(campaign_id: int, query: schemas.CompareQuery):
    """Compare two strategy versions (?a=&b=): posts added, removed, kept and changed, edges and phases."""
    return jsonify(compare_json(strategy.compare(_workspace(), campaign_id, query.a, query.b)))


@bp.post("/agents/regenerate-strategy/")
@documented({202: schemas.RegenerateAccepted}, body=schemas.RegenerateStrategy, errors=(404, 409, 503))
def regenerate_strategy(body: schemas.RegenerateStrategy):
    """Regenerate a campaign's strategy from phase N with a new direction; earlier phases are kept."""
    run = strategy.regenerate(_workspace(), _campaign_id(body.campaign_id), body.phase_num, body.new_direction,
                              author_id=g.api_user.id, alert_id=body.alert_id)
    return jsonify(run_id=str(run.id), version=run.params["version"]), 202


def _campaign_id(value) -> int:
    """Read a campaign id given as text (or a number); anything else names no campaign."""
    if value is None:
        raise ApiError(422, "Some fields need attention: campaign_id.", {"campaign_id": "This field is required."})
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(text, str) and text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        return int(text)
    raise NotFound("No such campaign.")


@bp.get("/campaigns/<int:campaign_id>/regenerate-preview")
@documented({200: schemas.RegeneratePreview}, query=schemas.PreviewQuery, errors=(409,))
def regenerate_preview(campaign_id: int, query: schemas.PreviewQuery):
    """Say what a regeneration from phase N would keep, archive and cost; nothing changes."""
    found = strategy.preview(_workspace(), campaign_id, _number(query.phase_num))
    return jsonify(preview_json(found))


def _number(value):
    """Read a whole number written as text (a query parameter); other text goes on for the service to refuse."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return value


@bp.post("/campaigns/<int:campaign_id>/versions/<int:number>/restore")
@documented({201: schemas.Restored}, errors=(409,))
def restore_version(campaign_id: int, number: int):
    """Make an earlier version's posts current again, as a new version; no model calls."""
    version = strategy.restore(_workspace(), campaign_id, number, author_id=g.api_user.id)
    return jsonify(version=version.number, restored=version.based_on), 201


@bp.post("/campaigns/<int:campaign_id>/chat")
@documented({201: schemas.ChatPosted}, body=schemas.ChatInput)
def post_chat_message(campaign_id: int, body: schemas.ChatInput):
    """Send a message to the campaign's chat; a command in it is carried out, and the reply says how it went."""
    message = chat.post_message(_workspace(), campaign_id, g.api_user.id, g.api_user.email, body.message)
    return jsonify(chat_posted_json(message)), 201


@bp.get("/campaigns/<int:campaign_id>/chat")
@documented({200: schemas.ChatHistory}, query=schemas.PageQuery)
def chat_history(campaign_id: int, query: schemas.PageQuery):
    """Return the campaign's newest chat messages (or those before ?before=), oldest first."""
    return jsonify(chat_json(chat.conversation(_workspace(), campaign_id, query.before, query.limit)))


@bp.post("/campaigns/<int:campaign_id>/metrics")
@documented({201: schemas.Recorded}, body=schemas.MetricsInput, errors=(413,))
def record_metrics(campaign_id: int, body: schemas.MetricsInput):
    """Record metric rows (one per post, variant and day), all or none; the triggers are checked on them."""
    count = results.record(_workspace(), campaign_id, body.metrics)
    open_alerts = results.open_alerts(_workspace(), campaign_id)
    return jsonify(recorded=count, open_alerts=[alert_json(alert) for alert in open_alerts]), 201


@bp.get("/campaigns/<int:campaign_id>/metrics")
@documented({200: schemas.CampaignResults}, query=schemas.PageQuery)
def campaign_results(campaign_id: int, query: schemas.PageQuery):
    """Return the campaign's results: totals, by phase and post with A/B results, by day, and a page of versions."""
    return jsonify(results_json(results.results(_workspace(), campaign_id, query.before, query.limit)))


@bp.post("/campaigns/<int:campaign_id>/triggers")
@documented({201: schemas.Trigger}, body=schemas.TriggerInput, errors=(409,))
def create_trigger(campaign_id: int, body: schemas.TriggerInput):
    """Create a trigger; it is judged at once against the metrics already recorded, and may fire."""
    trigger = results.create(_workspace(), campaign_id, body.model_dump(), author_id=g.api_user.id)
    return jsonify(trigger_json(trigger, results.rule(trigger))), 201


@bp.get("/campaigns/<int:campaign_id>/triggers")
@documented({200: schemas.TriggerList})
def list_triggers(campaign_id: int):
    """List the campaign's triggers, each with where it stands now."""
    return jsonify(triggers_json(results.panel(_workspace(), campaign_id)))


@bp.get("/campaigns/<int:campaign_id>/alerts")
@documented({200: schemas.AlertList}, query=schemas.PageQuery)
def list_alerts(campaign_id: int, query: schemas.PageQuery):
    """List the campaign's alerts (fired triggers), newest first, a page at a time: evidence and suggested action."""
    return jsonify(alerts_json(results.alerts(_workspace(), campaign_id, query.before, query.limit)))


@bp.post("/campaigns/<int:campaign_id>/alerts/<int:alert_id>/dismiss")
@documented({200: schemas.Alert})
def dismiss_alert(campaign_id: int, alert_id: int):
    """Dismiss an alert; it stays among the past alerts, and its trigger may fire again on new evidence."""
    return jsonify(alert_json(results.dismiss(_workspace(), campaign_id, alert_id)))


@bp.get("/runs/<int:run_id>")
@documented({200: schemas.Run})
def get_run(run_id: int):
    """Return a run's status and progress."""
    return jsonify(run_json(runs.get(_workspace(), run_id)))
