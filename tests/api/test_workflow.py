"""The analysis workflow's JSON API: generate, revise, versions, make current, edit and diff;
every bad input gets a JSON error with a 4xx status, and changes nothing."""
import pytest

from gtm.models import STEP_KINDS, StepVersion

from tests.kit.workflow import counts

BASE = "/api/campaigns/{id}/steps"


def url(campaign, path: str) -> str:
    return BASE.format(id=campaign.id) + path


def generate(api, work, campaign, kind, **body):
    status, answer = api.post(url(campaign, f"/{kind}/generate"), json=body or None)
    assert status == 202, answer
    work()
    return answer


def through(api, work, campaign, last):
    for kind in STEP_KINDS[:STEP_KINDS.index(last) + 1]:
        generate(api, work, campaign, kind)


@pytest.mark.parametrize("kind", STEP_KINDS)
def test_generate_revise_and_read_every_kind(api, campaign, work, kind):
    through(api, work, campaign, kind)
    generate(api, work, campaign, kind, feedback="More detail")
    status, step = api.get(url(campaign, f"/{kind}"))
    assert status == 200
    assert step["kind"] == kind and step["current_version"] == 2 and step["stale"] is False
    first, second = step["versions"]
    assert first["number"] == 1 and first["feedback"] is None and first["current"] is False
    assert second == {**second, "number": 2, "feedback": "More detail", "based_on": 1, "edited": False,
                      "current": True}
    assert second["context_versions"] == {k: 1 for k in STEP_KINDS[:STEP_KINDS.index(kind)]}
    assert second["content"] != first["content"]


def test_make_current_and_stale(api, app, campaign, work):
    through(api, work, campaign, "objectives")
    generate(api, work, campaign, "customers", feedback="Different angle")
    status, step = api.get(url(campaign, "/objectives"))
    assert step["stale"] is True and step["stale_because"] == ["Customer analysis"]

    before = counts(app)
    status, step = api.post(url(campaign, "/customers/versions/1/make-current"))
    assert status == 200 and step["current_version"] == 1 and len(step["versions"]) == 2
    assert counts(app) == before, "nothing deleted, nothing generated"
    status, step = api.get(url(campaign, "/objectives"))
    assert step["stale"] is False
    status, body = api.get(f"/api/campaigns/{campaign.id}")
    assert body["steps"]["customers"] == {"current_version": 1, "stale": False, "available": True}


def test_edit_through_the_api_creates_an_edited_version(api, campaign, work):
    through(api, work, campaign, "customers")
    _, step = api.get(url(campaign, "/customers"))
    content = step["versions"][0]["content"]
    content["segments"][0]["name"] = "Wedding specialists"
    status, version = api.post(url(campaign, "/customers/versions"), json={"content": content})
    assert status == 201, version
    assert version["number"] == 2 and version["edited"] is True and version["based_on"] == 1
    assert version["current"] is True and version["content"]["segments"][0]["name"] == "Wedding specialists"


def test_edited_costs_through_the_api_are_totalled_by_the_code(api, campaign, work):
    through(api, work, campaign, "costs")
    content = {"summary": "By hand", "line_items": [
        {"item": "Flyers", "channel": "", "unit_cost": "0.07", "quantity": 1000, "notes": "", "total": 1},
        {"item": "Stand at the fair", "channel": "Events", "unit_cost": 12500, "quantity": 1, "notes": ""}],
        "grand_total": 3}
    status, version = api.post(url(campaign, "/costs/versions"), json={"content": content})
    assert status == 201, version
    saved = version["content"]
    assert [i["total"] for i in saved["line_items"]] == ["70.00", "12500.00"]
    assert saved["grand_total"] == "12570.00" and saved["over_budget"] is True and saved["over_by"] == "570.00"


@pytest.mark.parametrize("body, status, detail_key", [
    ({"content": {"summary": "x", "segments": [{"name": ""}]}}, 422, "segments.0.name"),
    ({"content": {"summary": "x", "segments": []}}, 422, "segments"),
    ({"content": {"summary": "x", "segments": "many"}}, 422, "segments"),
    ({"content": {"summary": "x", "extra": 1, "segments": []}}, 422, "extra"),
    ({"content": "text"}, 422, "content"),
    ({}, 422, "content"),
    ({"content": {"summary": "x"}, "based_on": 9}, 404, None),
    ({"content": {"summary": "x"}, "based_on": "nine"}, 404, None),
    ({"content": {"summary": "x"}, "based_on": -19060204626738364416}, 404, None),
    ({"content": {"summary": "x"}, "based_on": 2**40}, 404, None),
])
def test_bad_edits_get_json_errors_and_change_nothing(api, app, campaign, work, body, status, detail_key):
    through(api, work, campaign, "customers")
    before = counts(app)
    got, answer = api.post(url(campaign, "/customers/versions"), json=body)
    assert got == status, answer
    assert answer["error"]
    if detail_key:
        assert detail_key in answer["detail"], answer
    assert counts(app) == before


def test_diff_through_the_api(api, campaign, work):
    through(api, work, campaign, "competitors")
    generate(api, work, campaign, "competitors", feedback="More concise")
    status, diff = api.get(url(campaign, "/competitors/diff?a=1&b=2"))
    assert status == 200 and diff["a"] == 1 and diff["b"] == 2
    assert diff["added"] > 0 and diff["removed"] > 0
    assert {"op": "added", "text": next(line["text"] for line in diff["lines"] if line["op"] == "added")} \
        in diff["lines"]
    # "More concise" shortens the summary to its first sentence; the feedback is not quoted into it.
    assert any("placeholder, not research" in line["text"] for line in diff["lines"] if line["op"] == "removed")
    assert not any("Revised" in line["text"] or "More concise" in line["text"] for line in diff["lines"])


@pytest.mark.parametrize("path, status", [
    ("/competitors/diff?a=1", 422), ("/competitors/diff?a=1&b=5", 404), ("/competitors/diff?a=x&b=1", 404),
    ("/pricing/diff?a=1&b=1", 404),
])
def test_bad_diff_requests(api, campaign, work, path, status):
    through(api, work, campaign, "competitors")
    got, answer = api.get(url(campaign, path))
    assert got == status and answer["error"], answer


@pytest.mark.parametrize("kind, body, status, message", [
    ("competitors", {"feedback": ""}, 422, "Say what should change"),
    ("competitors", {"feedback": "   "}, 422, "Say what should change"),
    ("competitors", {"feedback": "x" * 2001}, 422, "at most 2,000 characters"),
    ("competitors", {"feedback": ["More"]}, 422, "must be text"),
    ("competitors", {"inputs": "Floranext"}, 422, "must be an object"),
    ("competitors", {"inputs": {"notes": 5}}, 422, "Some fields"),
    ("pricing", {}, 404, "no step called 'pricing'"),
    ("objectives", {}, 409, "Generate the customer analysis first"),
    ("customers", {"feedback": "More"}, 409, "generate it first"),
])
def test_bad_generate_requests_change_nothing(api, app, campaign, work, kind, body, status, message):
    generate(api, work, campaign, "competitors")
    before = counts(app)
    got, answer = api.post(url(campaign, f"/{kind}/generate"), json=body)
    assert got == status, answer
    assert message.lower() in (answer["error"] + str(answer.get("detail"))).lower(), answer
    assert counts(app) == before


def test_a_second_generate_while_one_is_in_flight_is_409(api, app, campaign, work):
    generate(api, work, campaign, "competitors")
    status, _ = api.post(url(campaign, "/competitors/generate"), json={"feedback": "Shorter"})
    assert status == 202
    before = counts(app)
    status, answer = api.post(url(campaign, "/competitors/generate"), json={"feedback": "Shorter"})
    assert status == 409 and "already being generated" in answer["error"]
    assert counts(app) == before


@pytest.mark.parametrize("path", ["/competitors/versions/3/make-current", "/pricing/versions/1/make-current",
                                  "/competitors/versions/0/make-current"])
def test_make_current_of_a_missing_version_is_404(api, app, campaign, work, path):
    generate(api, work, campaign, "competitors")
    before = counts(app)
    status, answer = api.post(url(campaign, path))
    assert status == 404 and answer["error"]
    assert counts(app) == before
    assert StepVersion.query.filter_by(is_current=True).count() == 1


def test_the_openapi_document_describes_the_workflow(api):
    status, document = api.get("/api/openapi.json")
    paths = document["paths"]
    assert "post" in paths["/api/campaigns/{id}/steps/{kind}/generate"]
    assert "get" in paths["/api/campaigns/{id}/steps/{kind}"]
    assert "post" in paths["/api/campaigns/{id}/steps/{kind}/versions/{n}/make-current"]
    assert "post" in paths["/api/campaigns/{id}/steps/{kind}/versions"]
    assert "get" in paths["/api/campaigns/{id}/steps/{kind}/diff"]
    assert document["components"]["schemas"]["EditStep"]["required"] == ["content"]
