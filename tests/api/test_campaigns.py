"""Campaigns through the API: created and read back, bad bodies refused naming the field, and reads that
write nothing."""
from datetime import timedelta

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
