"""/api/openapi.json is generated from the URL map and the API's pydantic models: it is valid OpenAPI,
it leaves no /api route out, and the bodies it describes are the ones the API checks."""
import re

import pytest
from openapi_spec_validator import validate

from gtm.models import Campaign, Run, StepVersion

from tests.kit.campaigns import CAMPAIGN
from tests.kit.openapi_check import AnswerChecker


def _document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3_1_and_needs_no_token(app):
    document = _document(app.test_client())
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["paths"]["/api/openapi.json"]["get"]["security"] == []


def _shape(path: str) -> str:
    """A path with its variables blanked: Flask's <int:campaign_id> and OpenAPI's {id} both become {}."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def _routes(app) -> set[tuple[str, str]]:
    return {(_shape(rule.rule), method.lower())
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def _documented(document) -> set[tuple[str, str]]:
    return {(_shape(path), method) for path, item in document["paths"].items() for method in item}


def test_every_api_route_is_in_the_document_and_nothing_else(app):
    document = _document(app.test_client())
    routes = _routes(app)
    assert ("/api/campaigns/{}/steps/{}/generate", "post") in routes
    assert routes - _documented(document) == set(), "routes of the URL map missing from /api/openapi.json"
    assert _documented(document) - routes == set(), "operations in /api/openapi.json that no route serves"


@pytest.mark.own_app
def test_a_route_without_its_models_is_reported_missing(app):
    app.add_url_rule("/api/campaigns/<int:campaign_id>/undescribed", "api.undescribed", lambda campaign_id: "")
    document = _document(app.test_client())
    validate(document)
    assert _routes(app) - _documented(document) == {("/api/campaigns/{}/undescribed", "get")}


def test_paths_keep_the_contracts_names(app):
    paths = _document(app.test_client())["paths"]
    assert set(paths) >= {"/api/campaigns", "/api/campaigns/{id}", "/api/campaigns/{id}/steps/{kind}/generate",
                          "/api/campaigns/{id}/steps/{kind}", "/api/runs/{run_id}", "/api/campaigns/{id}/strategy",
                          "/api/campaigns/{id}/nodes", "/api/campaigns/{id}/approve-all",
                          "/api/campaigns/{id}/versions", "/api/openapi.json"}
    operation = paths["/api/campaigns/{id}/steps/{kind}/versions/{n}/make-current"]["post"]
    assert [p["name"] for p in operation["parameters"]] == ["id", "kind", "n"]
    assert operation["summary"] == "Make an older version of a step current again; the later steps become stale."


def test_bodies_and_answers_come_from_the_models(app):
    document = _document(app.test_client())
    schemas = document["components"]["schemas"]
    generate = document["paths"]["/api/campaigns/{id}/steps/{kind}/generate"]["post"]
    assert generate["requestBody"]["required"] is False
    assert generate["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GenerateStep"}
    assert set(schemas["GenerateStep"]["properties"]) == {"feedback", "inputs"}
    assert schemas["GenerateStep"]["properties"]["feedback"]["maxLength"] == 2000
    assert set(generate["responses"]) == {"202", "400", "401", "403", "404", "409", "422", "503"}
    assert set(schemas["CampaignInput"]["required"]) == {"name", "product", "audience", "goals"}
    assert set(schemas["Edge"]["properties"]) == {"from", "to"}
    assert set(schemas["Tokens"]["properties"]) == {"in", "out"}
    refs = {value for value in _walk(document) if isinstance(value, str) and value.startswith("#/")}
    for ref in refs:
        kind, _, name = ref.removeprefix("#/components/").partition("/")
        assert name in document["components"][kind], ref


def _walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _counts():
    return Campaign.query.count(), Run.query.count(), StepVersion.query.count()


@pytest.mark.parametrize("path, body, field", [
    ("/api/campaigns", {**CAMPAIGN, "name": 5}, "name"),
    ("/api/campaigns", {"name": "x", "product": "y", "audience": "z"}, "goals"),
    ("/api/campaigns", {**CAMPAIGN, "budget": [12]}, "budget"),
    ("/api/campaigns", {**CAMPAIGN, "competitors": {"a": 1}}, "competitors"),
    ("/api/campaigns/{id}/steps/competitors/generate", {"feedback": 12}, "feedback"),
    ("/api/campaigns/{id}/steps/competitors/generate", {"inputs": {"notes": 5}}, "inputs.notes"),
    ("/api/campaigns/{id}/steps/competitors/versions", {"content": []}, "content"),
    ("/api/campaigns/{id}/steps/competitors/versions", {"content": {}, "based_on": 1.5}, "based_on"),
    ("/api/campaigns/{id}/strategy", {"direction": {"text": "x"}}, "direction"),
])
def test_a_body_of_the_wrong_shape_gets_422_naming_the_field(api, campaign, path, body, field):
    before = _counts()
    status, answer = api.post(path.format(id=campaign.id), json=body)
    assert status == 422, answer
    assert field in answer["detail"] and field in answer["error"], answer
    assert answer["detail"][field].endswith(".") and "Input should" not in answer["detail"][field]
    assert _counts() == before


@pytest.mark.parametrize("path, body", [
    ("/api/campaigns/{id}/steps/competitors/generate", {"feedback": 12}),
    ("/api/campaigns/{id}/steps/competitors/generate", {}),
    ("/api/campaigns/{id}/steps/competitors/versions", {}),
    ("/api/campaigns/{id}/steps/competitors/versions", {"content": {"summary": "x"}}),
    ("/api/campaigns/{id}/strategy", {"direction": 5}),
    ("/api/campaigns/{id}/strategy", {"direction": "Bold"}),
])
@pytest.mark.parametrize("whose", ["unknown", "foreign"])
def test_an_unknown_or_foreign_campaign_is_404_whatever_the_body(api, campaign, path, body, whose):
    from gtm.services import accounts, campaigns

    if whose == "foreign":
        stranger = accounts.sign_up("stranger@example.com", "Sturdy-passw0rd")
        campaign_id = campaigns.create_campaign(stranger.workspace_id, dict(CAMPAIGN, name="Theirs")).id
    else:
        campaign_id = 99999
    before = _counts()
    status, answer = api.post(path.format(id=campaign_id), json=body)
    assert status == 404 and answer["error"] == "No such campaign.", answer
    assert _counts() == before


def test_an_unknown_step_is_404_whatever_the_body(api, campaign):
    status, answer = api.post(f"/api/campaigns/{campaign.id}/steps/pricing/versions", json={})
    assert status == 404 and "no step called 'pricing'" in answer["error"]


@pytest.mark.parametrize("path", ["/api/campaigns", "/api/campaigns/{id}/steps/competitors/generate",
                                  "/api/campaigns/{id}/steps/competitors/versions", "/api/campaigns/{id}/strategy"])
@pytest.mark.parametrize("data, content_type, needle", [
    ("not json", "text/plain", "must be JSON"), ("[1, 2]", "application/json", "JSON object"),
    ("null", "application/json", "must be JSON"),
])
def test_a_body_that_is_not_a_json_object_is_400(api, campaign, path, data, content_type, needle):
    response = api.client.post(path.format(id=campaign.id), data=data,
                               headers={**api.headers, "Content-Type": content_type})
    assert response.status_code == 400 and needle in response.get_json()["error"]


def test_unknown_fields_are_ignored(api):
    status, answer = api.post("/api/campaigns", json={**CAMPAIGN, "budget": 12000, "colour": "green"})
    assert status == 201 and "colour" not in answer


def test_optional_bodies_may_be_left_out(api, campaign):
    response = api.client.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate", headers=api.headers)
    assert response.status_code == 202


def test_based_on_may_be_given_as_digits(api, campaign, work):
    api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    work()
    _, step = api.get(f"/api/campaigns/{campaign.id}/steps/competitors")
    status, version = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/versions",
                               json={"content": step["versions"][0]["content"], "based_on": "1"})
    assert status == 201 and version["based_on"] == 1 and version["number"] == 2


def test_the_answer_check_refuses_an_undocumented_field(app):
    checker = AnswerChecker(_document(app.test_client()))
    answer = {"run_id": "1"}
    checker.check(app, "POST", "/api/campaigns/1/strategy", 202, answer)
    with pytest.raises(AssertionError, match="differs from the document"):
        checker.check(app, "POST", "/api/campaigns/1/strategy", 202, {**answer, "version": 2})
    with pytest.raises(AssertionError, match="does not list"):
        checker.check(app, "POST", "/api/campaigns/1/strategy", 201, answer)
