"""Exports of a strategy version, each parsed back: JSON (documented), Markdown, CSV and ICS; the campaign's
launch date places the posts, and without one the exports say they assume today."""
import csv
import io
from datetime import date, timedelta

import pytest
from icalendar import Calendar

from gtm.models import Campaign
from gtm.services import accounts, campaigns

from tests.kit.campaigns import CAMPAIGN
from tests.kit.exports import LAUNCH, download
from tests.kit.strategy import plan_and_write, regenerate


def posts_of(nodes):
    return [post for phase in nodes["phases"] for post in phase["posts"]]


def test_json_export_is_complete(api, campaign, written):
    status, doc = api.get(f"/api/campaigns/{campaign.id}/export?format=json")  # checked against the document
    assert status == 200
    assert (doc["format"], doc["format_version"], doc["exported"]["version"]) == ("gtm.campaign", 1, 1)
    assert doc["campaign"]["name"] == CAMPAIGN["name"] and doc["campaign"]["launch_date"] == LAUNCH.isoformat()
    assert [step["kind"] for step in doc["steps"]] == ["competitors"] and doc["steps"][0]["content"]
    posts = [post for phase in doc["phases"] for post in phase["posts"]]
    assert [p["key"] for p in posts] == [p["key"] for p in posts_of(written)]
    key_of = {p["id"]: p["key"] for p in posts_of(written)}
    assert {(e["from"], e["to"]) for e in doc["edges"]} == {(key_of[e["from"]], key_of[e["to"]]) for e in written["edges"]}
    for post in posts:
        assert set(post["variants"]) == {"A", "B"}
        assert all(v["headline"] and v["media_path"] for v in post["variants"].values())


def test_csv_has_a_row_per_post_and_variant_on_its_date(api, campaign, written):
    response = download(api, campaign.id, "format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bloom-launch-v1.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8"))))
    assert list(rows[0]) == ["date", "channel", "title", "variant", "headline", "body", "call_to_action",
                             "hashtags", "approved"]
    posts = posts_of(written)
    assert len(rows) == 2 * len(posts)
    for post in posts:
        mine = [row for row in rows if row["title"] == post["title"] and row["channel"] == post["channel"]]
        assert sorted(row["variant"] for row in mine) == ["A", "B"]
        assert {row["date"] for row in mine} == {(LAUNCH + timedelta(days=post["day"])).isoformat()}
        assert all(row["approved"] == "no" and row["body"] and row["headline"] for row in mine)
        assert all(tag.startswith("#") for row in mine for tag in row["hashtags"].split())


def test_ics_has_an_all_day_event_per_post_with_a_stable_uid(api, campaign, written):
    response = download(api, campaign.id, "format=ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.get_data()).walk("VEVENT")
    posts = {post["title"]: post for post in posts_of(written)}
    assert len(events) == len(posts)
    for event in events:
        post = posts[str(event["SUMMARY"])]
        assert event["DTSTART"].dt == LAUNCH + timedelta(days=post["day"])
        assert event["DTEND"].dt == event["DTSTART"].dt + timedelta(days=1)
        assert post["brief"] in str(event["DESCRIPTION"]) and "Headline A: " in str(event["DESCRIPTION"])
    again = Calendar.from_ical(download(api, campaign.id, "format=ics").get_data()).walk("VEVENT")
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in events]
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_markdown_has_one_section_per_phase(api, campaign, written):
    text = download(api, campaign.id, "format=md").get_data(as_text=True)
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == [f"## Phase {phase['number']}: {phase['name']}" for phase in written["phases"]]
    for post in posts_of(written):
        assert f"### {post['title']}" in text
        assert f"- **Date:** {(LAUNCH + timedelta(days=post['day'])).isoformat()} (day {post['day']})" in text
    assert text.count("#### Variant A") == text.count("#### Variant B") == len(posts_of(written))
    assert "assumes" not in text


def test_without_a_launch_date_the_exports_assume_today(api, campaign, work):
    nodes = plan_and_write(api, campaign, work)
    today = date.today()
    text = download(api, campaign.id, "format=md").get_data(as_text=True)
    assert f"> **Note:** The campaign has no launch date, so this export assumes the launch is today ({today})" in text
    calendar = Calendar.from_ical(download(api, campaign.id, "format=ics").get_data())
    assert "assumes the launch is today" in str(calendar["X-WR-CALDESC"])
    first = posts_of(nodes)[0]
    event = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == first["title"])
    assert event["DTSTART"].dt == today + timedelta(days=first["day"])
    rows = list(csv.DictReader(io.StringIO(download(api, campaign.id, "format=csv").get_data(as_text=True))))
    assert rows[0]["date"] == (today + timedelta(days=first["day"])).isoformat()


def test_an_older_version_exports_its_own_members(api, campaign, written, work):
    assert regenerate(api, campaign.id, 2)[0] == 202
    work()
    status, current = api.get(f"/api/campaigns/{campaign.id}/export?format=json")
    status, old = api.get(f"/api/campaigns/{campaign.id}/export?format=json&version=1")
    keys = lambda doc: [p["key"] for phase in doc["phases"] for p in phase["posts"]]  # noqa: E731
    assert old["exported"]["version"] == 1 and current["exported"]["version"] == 2
    assert keys(old) == [p["key"] for p in posts_of(written)] != keys(current)
    response = download(api, campaign.id, "format=csv&version=1")
    assert response.headers["Content-Disposition"] == 'attachment; filename="bloom-launch-v1.csv"'
    assert download(api, campaign.id, "format=csv").headers["Content-Disposition"].endswith('-v2.csv"')


def test_bad_export_requests(api, campaign, user, work):
    status, body = api.get(f"/api/campaigns/{campaign.id}/export?format=pdf")
    assert status == 422 and "format" in body["detail"]
    for fmt in ("md", "csv", "ics"):
        status, body = api.get(f"/api/campaigns/{campaign.id}/export?format={fmt}")
        assert status == 409 and "no strategy yet" in body["error"]
    status, doc = api.get(f"/api/campaigns/{campaign.id}/export?format=json")
    assert status == 200 and doc["phases"] == [] and doc["exported"]["version"] is None
    plan_and_write(api, campaign, work)
    for query in ("format=csv&version=7", "format=csv&version=x"):
        assert api.get(f"/api/campaigns/{campaign.id}/export?{query}")[0] == 404
    other = accounts.sign_up("other@example.com", "Sturdy-passw0rd")
    foreign = campaigns.create_campaign(other.workspace_id, dict(CAMPAIGN))
    assert api.get(f"/api/campaigns/{foreign.id}/export?format=json")[0] == 404


def test_the_board_links_the_downloads_and_the_browser_route_sends_the_file(api, campaign, written, auth_client):
    page = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "Download:" in page and f"/campaigns/{campaign.id}/strategy/export?format=ics&amp;version=1" in page
    response = auth_client.get(f"/campaigns/{campaign.id}/strategy/export?format=md&version=1")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bloom-launch-v1.md"'
    assert auth_client.get(f"/campaigns/{campaign.id}/strategy/export?format=doc").status_code == 422


def test_the_browser_download_needs_a_login(client, campaign):
    response = client.get(f"/campaigns/{campaign.id}/strategy/export?format=md")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("value, message", [
    ("2026-13-01", "YYYY-MM-DD"), ("04/05/2026", "YYYY-MM-DD"), (20260504, "Must be text"), ("1900-01-01", "between"),
])
def test_launch_date_is_checked(api, value, message):
    status, body = api.post("/api/campaigns", json={**CAMPAIGN, "launch_date": value})
    assert status == 422 and message in body["detail"]["launch_date"]
    assert Campaign.query.count() == 0


def test_launch_date_is_saved_from_the_api_and_the_form(api, auth_client):
    status, body = api.post("/api/campaigns", json={**CAMPAIGN, "launch_date": "2026-05-04"})
    assert status == 201 and body["launch_date"] == "2026-05-04"
    assert api.get(f"/api/campaigns/{body['id']}")[1]["launch_date"] == "2026-05-04"
    form = {**CAMPAIGN, "competitors": "A, B", "launch_date": "not a date"}
    response = auth_client.post("/campaigns/new", data=form)
    assert response.status_code == 422 and "Enter the launch date as YYYY-MM-DD" in response.get_data(as_text=True)
    assert 'type="date"' in auth_client.get("/campaigns/new").get_data(as_text=True)
    response = auth_client.post("/campaigns/new", data={**form, "launch_date": "2026-06-01"})
    assert response.status_code == 303
    assert Campaign.query.order_by(Campaign.id.desc()).first().launch_date == date(2026, 6, 1)
