"""Campaigns through the API: created and read back, bad bodies refused naming the field, and reads that
write nothing."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from gtm.extensions import db
from gtm.models import ApiToken, Campaign

from tests.kit.campaigns import CAMPAIGN


def test_api_creates_and_reads_campaigns(api):
    status, body = api.post("/api/campaigns", json={**CAMPAIGN, "budget": 12000})
    assert status == 201
    assert body["id"] == str(int(body["id"])) and body["budget"] == 12000.0 and body["current_version"] is None
    assert body["steps"]["competitors"] == {"current_version": None, "stale": False, "available": True}
    status, again = api.get(f"/api/campaigns/{body['id']}")
    assert status == 200 and again["name"] == CAMPAIGN["name"]
    assert again["created_at"].endswith("+00:00"), "timestamps say their zone, on SQLite too"


@pytest.mark.parametrize("payload, status, needle", [
    ("not json", 400, "must be JSON"),
    ([1, 2], 400, "JSON object"),
    ({"name": "x"}, 422, "product"),
    ({**CAMPAIGN, "competitors": "a" * 81}, 422, "competitors"),
    ({**CAMPAIGN, "channels": "linkedin"}, 201, None),
    ({**CAMPAIGN, "channels": [1, 2]}, 422, "channels"),
    ({**CAMPAIGN, "budget": True}, 422, "budget"),
    ({**CAMPAIGN, "name": 5}, 422, "name"),
])
def test_api_bad_bodies_get_4xx_with_the_field_named(api, payload, status, needle):
    if isinstance(payload, str):
        response = api.client.post("/api/campaigns", data=payload, headers={**api.headers, "Content-Type": "text/plain"})
        code, body = response.status_code, response.get_json()
    else:
        code, body = api.post("/api/campaigns", json=payload)
    assert code == status, body
    if needle:
        assert needle in str(body["error"]) + str(body.get("detail"))
        assert Campaign.query.count() == 0


def test_api_reads_do_not_write_to_the_database(api, campaign, token, app):
    writes = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    assert api.get(f"/api/campaigns/{campaign.id}")[0] == 200
    first = db.session.scalar(db.select(ApiToken.last_used_at))
    assert first is not None
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert api.get(f"/api/campaigns/{campaign.id}")[0] == 200
            assert api.get(f"/api/campaigns/{campaign.id}/nodes")[0] == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert writes == []

    db.session.execute(db.update(ApiToken).values(last_used_at=first - timedelta(minutes=2)))
    db.session.commit()
    api.get(f"/api/campaigns/{campaign.id}")
    db.session.expire_all()
    assert db.session.scalar(db.select(ApiToken.last_used_at)) > first - timedelta(minutes=2), "noted again"


# --- Edited, archived and deleted ---------------------------------------------------------------------------

def _current_step(campaign, kind="competitors", context=None):
    """A current step version made now, as a generation would save it."""
    from gtm.services.steps import versions
    version = versions.add_current(campaign.id, kind, content={"summary": "x"}, context_versions=context or {})
    db.session.commit()
    return version


def test_patch_changes_only_the_fields_given_and_marks_the_steps_stale(api, campaign):
    _current_step(campaign)
    status, body = api.patch(f"/api/campaigns/{campaign.id}", json={"audience": "Owners of flower shops and cafés"})
    assert status == 200, body
    assert body["audience"] == "Owners of flower shops and cafés" and body["name"] == "Bloom launch"
    assert body["budget"] == 12000.0 and body["competitors"] == ["Floranext", "Spreadsheets"]
    assert body["steps"]["competitors"]["stale"] is True


def test_patch_of_the_launch_date_alone_leaves_the_steps_fresh(api, campaign):
    _current_step(campaign)
    status, body = api.patch(f"/api/campaigns/{campaign.id}", json={"launch_date": "2027-03-01"})
    assert status == 200 and body["launch_date"] == "2027-03-01"
    assert body["steps"]["competitors"]["stale"] is False


@pytest.mark.parametrize("payload, field", [
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"budget": -1, "audience": "New audience"}, "budget"),
    ({"channels": ["myspace"]}, "channels"),
    ({"name": 5}, "name"),
])
def test_patch_refuses_a_bad_field_by_name_and_changes_nothing(api, campaign, payload, field):
    before = api.get(f"/api/campaigns/{campaign.id}")[1]
    status, body = api.patch(f"/api/campaigns/{campaign.id}", json=payload)
    assert status == 422 and field in body["detail"], body
    assert api.get(f"/api/campaigns/{campaign.id}")[1] == before


def test_archive_leaves_the_list_and_unarchive_brings_it_back(api, campaign):
    status, body = api.post(f"/api/campaigns/{campaign.id}/archive")
    assert status == 200 and body["archived_at"]
    assert api.get("/api/campaigns")[1]["campaigns"] == []
    archived = api.get("/api/campaigns?archived=true")[1]["campaigns"]
    assert [c["id"] for c in archived] == [str(campaign.id)]
    assert api.get(f"/api/campaigns/{campaign.id}")[0] == 200, "an archived campaign keeps everything"
    status, body = api.post(f"/api/campaigns/{campaign.id}/unarchive")
    assert status == 200 and body["archived_at"] is None
    assert [c["id"] for c in api.get("/api/campaigns")[1]["campaigns"]] == [str(campaign.id)]
    assert api.get("/api/campaigns?archived=maybe")[0] == 422


def test_delete_removes_the_campaign_with_everything_it_holds(api, campaign, work, app):
    from gtm.models import (Alert, ChatMessage, Comment, Edge, Member, Metric, Phase, Post, Run, StepVersion,
                            StrategyVersion, Trigger, Variant)
    from tests.kit import triggers
    from tests.kit.strategy import plan_and_write
    other = campaigns_service().create_campaign(campaign.workspace_id, {**CAMPAIGN, "name": "Kept"})
    _current_step(campaign)
    plan_and_write(api, campaign, work)
    triggers.create(api, campaign)
    posts = triggers.current_posts(campaign.id)
    triggers.record(campaign, triggers.low_ctr(triggers.phase(posts, 2)))
    assert triggers.open_alerts(campaign.id)
    assert api.post(f"/api/campaigns/{campaign.id}/chat", json={"message": "hello"})[0] == 201
    work()  # the question is answered: a campaign with work in flight is not deleted
    assert api.post(f"/api/campaigns/{campaign.id}/posts/{posts[0].id}/comments", json={"body": "A note"})[0] == 201
    image = Path(app.instance_path) / "media" / str(campaign.workspace_id) / "delete-me.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"png")
    variant = Variant.query.first()
    variant.media_path = f"{campaign.workspace_id}/delete-me.png"
    db.session.commit()

    status, body = api.delete(f"/api/campaigns/{campaign.id}")
    assert status == 204 and body is None
    db.session.expire_all()
    assert api.get(f"/api/campaigns/{campaign.id}")[0] == 404
    for model in (StepVersion, StrategyVersion, Member, Phase, Post, Edge, Metric, Trigger, Alert, ChatMessage, Run,
                  Comment):
        assert model.query.filter_by(campaign_id=campaign.id).count() == 0, model.__name__
    assert Variant.query.count() == 0 and not image.exists()
    assert db.session.get(Campaign, other.id) is not None
    assert api.delete(f"/api/campaigns/{campaign.id}")[0] == 404


def test_delete_is_refused_while_a_run_is_in_flight(api, campaign):
    status, _ = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    assert status == 202
    status, body = api.delete(f"/api/campaigns/{campaign.id}")
    assert status == 409 and "wait" in body["error"]
    assert db.session.get(Campaign, campaign.id) is not None


def campaigns_service():
    from gtm.services import campaigns
    return campaigns
