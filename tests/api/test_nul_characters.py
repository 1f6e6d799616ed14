"""Inputs found by fuzzing the API (tests/api/test_fuzz.py) that once answered 500, each answered with a 4xx
and nothing changed. Run them with TEST_DATABASE_URL too: PostgreSQL is stricter than SQLite."""
import json

import pytest

from gtm.models import Campaign, ChatMessage, Run, StepVersion, Trigger
from gtm.services import exports, imports

from tests.kit.campaigns import CAMPAIGN
from tests.kit.campaigns import FORM


def _counts():
    return (Campaign.query.count(), Run.query.count(), StepVersion.query.count(), ChatMessage.query.count(),
            Trigger.query.count())


# --- NUL characters: PostgreSQL refuses them in text ----------------------------------------------

@pytest.mark.parametrize("path, body, field", [
    ("/api/campaigns", {**CAMPAIGN, "name": "Bloom\x00"}, "name"),
    ("/api/campaigns", {**CAMPAIGN, "competitors": ["Floranext", "Spread\x00sheets"]}, "competitors.1"),
    ("/api/campaigns/{id}/chat", {"message": "hello\x00"}, "message"),
    ("/api/campaigns/{id}/strategy", {"direction": "bolder\x00"}, "direction"),
    ("/api/campaigns/{id}/steps/competitors/generate", {"inputs": {"notes": "a\x00b"}}, "inputs.notes"),
    ("/api/campaigns/{id}/steps/competitors/generate", {"inputs": {"no\x00tes": "ab"}}, "inputs"),
    ("/api/campaigns/{id}/steps/competitors/versions", {"content": {"summary": "\x00"}}, "content.summary"),
    ("/api/campaigns/{id}/triggers", {"metric": "ctr", "comparison": "<", "threshold": 1, "action": "notify",
                                      "direction": "\x00"}, "direction"),
    ("/api/agents/regenerate-strategy/", {"campaign_id": "{id}", "phase_num": 1, "new_direction": "x\x00"},
     "new_direction"),
])
def test_text_with_a_nul_character_is_422_naming_the_field(api, campaign, path, body, field):
    body = json.loads(json.dumps(body).replace("{id}", str(campaign.id)))
    before = _counts()
    status, answer = api.post(path.format(id=campaign.id), json=body)
    assert status == 422, answer
    assert answer["detail"] == {field: "Text cannot contain NUL characters (\\u0000)."}, answer
    assert _counts() == before


def test_a_nul_character_in_a_query_is_422(api, campaign):
    status, answer = api.get(f"/api/campaigns/{campaign.id}/compare?a=1%00&b=2")
    assert status == 422 and set(answer["detail"]) == {"a"}, answer


def test_an_unknown_campaign_is_404_before_a_nul_character_is_judged(api):
    status, answer = api.post("/api/campaigns/99999/chat", json={"message": "hello\x00"})
    assert status == 404, answer


def test_an_import_with_a_nul_character_is_422_and_creates_nothing(api, campaign):
    doc = json.loads(exports.export(campaign.workspace_id, campaign.id, "json").data)
    doc["campaign"]["brief"] = "Spring\x00"
    before = _counts()
    status, answer = api.post("/api/campaigns/import", data=json.dumps(doc), content_type="application/json")
    assert status == 422 and answer["detail"] == {"campaign.brief": "Text cannot contain NUL characters (\\u0000)."}
    assert _counts() == before
    with pytest.raises(imports.Invalid):
        imports.import_campaign(campaign.workspace_id, doc)


def test_a_page_form_with_a_nul_character_is_refused_and_creates_nothing(auth_client):
    before = _counts()
    response = auth_client.post("/campaigns/new", data={**FORM, "name": "Bloom\x00"})
    assert response.status_code == 422 and "name" in response.get_data(as_text=True)
    assert _counts() == before
