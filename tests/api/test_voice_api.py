"""The brand voice through the API: GET and PUT /api/workspace/voice and /api/campaigns/{id}/voice answer the voice
in force with its source; a PUT with a wrong field is 422 naming it and changes nothing; an empty PUT on a campaign
clears its own voice; readers may read and not change it."""
import pytest

from gtm.services import accounts, voice

from tests.kit.members import joined_member

GOOD = {"tone": "warm, direct", "use": ["florists"], "avoid": ["revolutionary"], "reading_level": "plain",
        "examples": ["Orders and regulars in one place."]}
NONE = {"tone": "", "use": [], "avoid": [], "reading_level": None, "examples": []}


def test_the_workspace_voice_is_read_and_replaced(api):
    assert api.get("/api/workspace/voice") == (200, {**NONE, "source": "none"})
    assert api.put("/api/workspace/voice", json=GOOD) == (200, {**GOOD, "source": "workspace"})
    assert api.get("/api/workspace/voice") == (200, {**GOOD, "source": "workspace"})
    # A PUT replaces the whole voice: what it leaves out is empty.
    assert api.put("/api/workspace/voice", json={"tone": "calm"}) == (200, {**NONE, "tone": "calm",
                                                                         "source": "workspace"})
    assert api.put("/api/workspace/voice", json={}) == (200, {**NONE, "source": "none"})


def test_a_campaign_answers_the_voice_in_force_and_an_empty_put_clears_its_own(api, campaign):
    path = f"/api/campaigns/{campaign.id}/voice"
    assert api.get(path) == (200, {**NONE, "source": "none"})
    api.put("/api/workspace/voice", json=GOOD)
    assert api.get(path) == (200, {**GOOD, "source": "workspace"})
    own = {**GOOD, "tone": "playful", "avoid": ["synergy"], "reading_level": "expert"}
    assert api.put(path, json=own) == (200, {**own, "source": "campaign"})
    assert api.get("/api/workspace/voice") == (200, {**GOOD, "source": "workspace"})
    for empty in (None, {}, {"tone": "", "use": []}):
        api.put(path, json=own)
        assert api.put(path, json=empty) == (200, {**GOOD, "source": "workspace"}), empty
    api.put(path, json=own)
    status, _ = api._checked("PUT", path, api.client.put(path, data="null", content_type="application/json",
                                                          headers=api.headers))
    assert status == 200 and api.get(path)[1]["source"] == "workspace"


@pytest.mark.parametrize("body, field", [
    ({"tone": "x" * 81}, "tone"), ({"tone": 3}, "tone"), ({"use": "a" * 41}, "use"), ({"avoid": [None]}, "avoid"),
    ({"reading_level": "toddler"}, "reading_level"), ({"reading_level": {}}, "reading_level"),
    ({"reading_level": ["plain"]}, "reading_level"), ({"examples": ["a", "b", "c", "d"]}, "examples"),
    ({"use": ["same"], "avoid": ["Same"]}, "avoid"),
])
def test_a_wrong_field_is_422_naming_it_and_nothing_changes(api, campaign, body, field):
    api.put("/api/workspace/voice", json=GOOD)
    for path in ("/api/workspace/voice", f"/api/campaigns/{campaign.id}/voice"):
        status, answer = api.put(path, json={**GOOD, **body})
        assert status == 422 and list(answer["detail"]) == [field], answer
        assert api.get(path) == (200, {**GOOD, "source": "workspace"})


def test_a_body_that_is_not_an_object_is_400(api, campaign):
    for data in ("[1]", "not json", '"text"'):
        status, answer = api._checked("PUT", "/api/workspace/voice", api.client.put(
            "/api/workspace/voice", data=data, content_type="application/json", headers=api.headers))
        assert status == 400, (data, answer)


def test_another_workspaces_campaign_is_404(api, campaign):
    other = accounts.sign_up("other@example.com", "Sturdy-passw0rd")
    raw = accounts.create_token(other.id, "other")[1]
    client = api.client
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(f"/api/campaigns/{campaign.id}/voice", headers=headers).status_code == 404
    assert client.put(f"/api/campaigns/{campaign.id}/voice", json={"tone": 5}, headers=headers).status_code == 404
    assert voice.campaign_voice(campaign.workspace_id, campaign.id) is None


@pytest.mark.parametrize("role, changes", [("editor", True), ("reviewer", False), ("viewer", False)])
def test_everyone_reads_the_voice_and_owners_and_editors_change_it(app, api, user, campaign, role, changes):
    api.put("/api/workspace/voice", json=GOOD)
    member = joined_member(user, f"{role}@example.com", role)
    headers = {"Authorization": f"Bearer {accounts.create_token(member.id, 'm', user.workspace_id)[1]}"}
    client = app.test_client()
    paths = ("/api/workspace/voice", f"/api/campaigns/{campaign.id}/voice")
    assert [client.get(path, headers=headers).get_json()["tone"] for path in paths] == ["warm, direct"] * 2
    for path in paths:
        assert client.put(path, json={"tone": "shouty"}, headers=headers).status_code == (200 if changes else 403)
    assert (voice.workspace_voice(user.workspace_id)["tone"] == "shouty") is changes
    assert (voice.campaign_voice(user.workspace_id, campaign.id) is not None) is changes
