"""Fuzz /api with schemathesis from /api/openapi.json: no input, valid or not, gets a 5xx, and every
answer with a documented status has the documented shape.

Each operation is one test, with its own app and database (the `app` fixture) holding a campaign with
its steps and a written strategy (imported from an export, as in test_results_services), a run and an
alert. Each generated case is sent twice: as generated (its ids mostly name nothing, so 404s), and with
the ids in its path and body (`campaign_id`, `scope_post_id`, the metric rows' `post_id`) naming those
rows, so bodies reach the services. Runs a case starts are failed after it, so the next case is not
turned away as "in flight" (409). The examples are few, the seed is fixed and Hypothesis derandomized
with no shrinking, so the test is quick and sends the same cases every time.
"""
import tempfile
from datetime import date, timedelta

import hypothesis
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

import pytest

from gtm import create_app
from gtm.extensions import db
from gtm.models import STEP_KINDS, Run
from gtm.models.run import UNFINISHED
from gtm.services import campaigns, exports, imports, results, runs, steps
from gtm.web.api.openapi import openapi_document

from tests.kit.campaigns import CAMPAIGN

SEED = 20240611
MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _document() -> dict:
    """The served document; it is built from the URL map, so an app without a database gives the same one."""
    with tempfile.TemporaryDirectory(prefix="gtm-openapi-") as folder:
        app = create_app({"TESTING": True, "INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                          "GTM_LLM": "offline", "OPENAI_API_KEY": None, "SECRET_KEY": "fuzz"})
        return openapi_document(app)


schema = schemathesis.openapi.from_dict(_document(), config=SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES},
}))

_WRITTEN = {}


@pytest.fixture
def subjects(app, user, api, work) -> dict:
    """Rows for a path's ids to name: a campaign with a written strategy (version 1), a run and an alert."""
    if "export" not in _WRITTEN:
        planned = campaigns.create_campaign(user.workspace_id, dict(CAMPAIGN))
        for kind in STEP_KINDS:
            assert api.post(f"/api/campaigns/{planned.id}/steps/{kind}/generate")[0] == 202
            work()
        assert api.post(f"/api/campaigns/{planned.id}/strategy")[0] == 202
        work()
        _WRITTEN["export"] = exports.export(user.workspace_id, planned.id, "json").data
    campaign = imports.import_campaign(user.workspace_id, _WRITTEN["export"])
    run = steps.start_step(user.workspace_id, campaign.id, "competitors")
    runs.fail(run.id, "Stopped by the fuzz test.")
    status, nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")
    post_id = nodes["phases"][1]["posts"][0]["id"]
    results.create_trigger(user.workspace_id, campaign.id, {
        "metric": "ctr", "comparison": "<", "threshold": 1, "min_impressions": 1000, "scope_phase": 2,
        "action": "regenerate"}, author_id=None)
    day = (date.today() - timedelta(days=2)).isoformat()
    results.record_metrics(user.workspace_id, campaign.id, [{
        "post_id": post_id, "variant": "A", "date": day, "impressions": 2000, "clicks": 2, "conversions": 0,
        "spend": "5"}])
    alert = results.alerts(user.workspace_id, campaign.id)[0]
    return {"id": campaign.id, "n": 1, "run_id": run.id, "alert_id": alert.id, "post_id": post_id}


@schema.parametrize()
@hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                     phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_no_input_gets_a_server_error(case, app, token, subjects):
    headers = {"Authorization": f"Bearer {token}"}
    _send(case, app, headers)
    if _name_subjects(case, subjects):
        _send(case, app, headers)


def _name_subjects(case, subjects) -> bool:
    """Point the case's ids at the subjects' rows; say whether it had any."""
    named = {name: subjects[name] for name in case.path_parameters or {} if name in subjects}
    case.path_parameters = {**(case.path_parameters or {}), **named}
    body = case.body if isinstance(case.body, dict) else {}
    if "campaign_id" in body:
        body["campaign_id"] = str(subjects["id"])
    if "scope_post_id" in body:
        body["scope_post_id"] = subjects["post_id"]
    rows = body.get("metrics") if isinstance(body.get("metrics"), list) else []
    rows = [row for row in rows if isinstance(row, dict)]
    for row in rows:
        row["post_id"] = subjects["post_id"]
    return bool(named or {"campaign_id", "scope_post_id"} & set(body) or rows)


def _send(case, app, headers):
    response = case.call(app=app, headers=headers)
    case.validate_response(response, checks=CHECKS)
    # Fail what the case started, so the next case is not turned away as "in flight".
    db.session.rollback()
    for run in Run.query.filter(Run.status.in_(UNFINISHED)).all():
        runs.fail(run.id, "Stopped by the fuzz test.")
