"""The calendar through the API: the current version's posts by date, a post moved (refusals change nothing);
every export uses the moved date; a moved post keeps its date in the versions made after the move (regenerated,
restored), and an archived version keeps the date it had."""
import csv
import io
import json
from datetime import date

import pytest
from icalendar import Calendar

from gtm.extensions import db
from gtm.models import Activity, Campaign, Member, Post
from gtm.services import accounts, strategy

from tests.kit.exports import download
from tests.kit.history import planned
from tests.kit.strategy import regenerate

LAUNCH = date(2026, 5, 4)


@pytest.fixture
def campaign(user):
    found = planned(user.workspace_id, "Spring launch")
    found.launch_date = LAUNCH
    db.session.commit()
    return found


def key_post(campaign, key) -> Post:
    db.session.expire_all()
    return Post.query.filter_by(campaign_id=campaign.id, key=key).order_by(Post.id).first()


def moved_to(campaign, post_id, version):
    db.session.expire_all()
    return Member.query.filter_by(campaign_id=campaign.id, version=version, post_id=post_id).one().moved_to


def test_the_calendar_lists_the_posts_by_date_between_two_dates(api, campaign):
    status, found = api.get(f"/api/campaigns/{campaign.id}/calendar")
    assert status == 200 and found["launch_date"] == "2026-05-04" and len(found["posts"]) == 12
    first = key_post(campaign, "p1-0")
    assert found["posts"][0] == {"id": str(first.id), "date": "2026-05-11", "channel": "linkedin", "phase": 1,
                                 "review": "draft", "title": first.title, "moved": False}
    assert [p["date"] for p in found["posts"]] == sorted(p["date"] for p in found["posts"])
    status, found = api.get(f"/api/campaigns/{campaign.id}/calendar?from=2026-05-12&to=2026-05-19")
    assert [p["date"] for p in found["posts"]] == ["2026-05-12", "2026-05-13", "2026-05-18", "2026-05-19"]
    for query, field in (("from=12/05/2026", "from"), ("to=2026-05-32", "to"), ("from=2026-05-12&to=2026-05-11", "to"),
                         ("from=1999-05-12", "from")):
        status, refused = api.get(f"/api/campaigns/{campaign.id}/calendar?{query}")
        assert status == 422 and field in refused["detail"], (query, refused)


def test_a_move_answers_the_post_on_its_new_date(api, campaign, user):
    first = key_post(campaign, "p1-0")
    status, moved = api.post(f"/api/campaigns/{campaign.id}/posts/{first.id}/move", json={"date": "2026-05-15"})
    assert status == 200 and moved["id"] == str(first.id) and moved["date"] == "2026-05-15"
    assert moved_to(campaign, first.id, 1) == date(2026, 5, 15)
    assert Activity.query.filter_by(kind="post_moved").one().actor_id == user.id
    _, found = api.get(f"/api/campaigns/{campaign.id}/calendar?from=2026-05-15&to=2026-05-15")
    assert [(p["id"], p["moved"]) for p in found["posts"]] == [(str(first.id), True)]


@pytest.mark.parametrize("body", [{}, {"date": 20260515}, {"date": "15 May 2026"}, {"date": "2026-05-15 "},
                                  {"date": "2200-01-01"}])
def test_a_bad_date_is_422_naming_date_and_changes_nothing(api, campaign, body):
    first = key_post(campaign, "p1-0")
    status, refused = api.post(f"/api/campaigns/{campaign.id}/posts/{first.id}/move", json=body)
    if body.get("date") == "2026-05-15 ":  # surrounding spaces are forgiven, as in every form
        assert status == 200
        return
    assert status == 422 and "date" in refused["detail"], refused
    assert moved_to(campaign, first.id, 1) is None and Activity.query.filter_by(kind="post_moved").count() == 0


def test_another_workspaces_post_is_404_and_an_archived_one_409(api, campaign, work):
    stranger = accounts.sign_up("stranger@example.com", "Sturdy-passw0rd")
    theirs = planned(stranger.workspace_id, "Theirs")
    their_post = Post.query.filter_by(campaign_id=theirs.id).first()
    for path in (f"/api/campaigns/{theirs.id}/posts/{their_post.id}/move",
                 f"/api/campaigns/{campaign.id}/posts/{their_post.id}/move"):
        status, _ = api.post(path, json={"date": "2026-05-15"})
        assert status == 404, path
    assert api.get(f"/api/campaigns/{theirs.id}/calendar")[0] == 404
    last = key_post(campaign, "p4-0")
    assert regenerate(api, campaign.id, 4)[0] == 202
    work()
    status, refused = api.post(f"/api/campaigns/{campaign.id}/posts/{last.id}/move", json={"date": "2026-05-15"})
    assert status == 409 and "not in the current strategy version (version 2)" in refused["error"]
    assert moved_to(campaign, last.id, 1) is None


def test_every_export_uses_the_moved_date(api, campaign):
    first = key_post(campaign, "p1-0")
    api.post(f"/api/campaigns/{campaign.id}/posts/{first.id}/move", json={"date": "2026-06-20"})
    rows = list(csv.DictReader(io.StringIO(download(api, campaign.id, "format=csv").get_data(as_text=True))))
    assert {row["date"] for row in rows if row["title"] == first.title} == {"2026-06-20"}
    events = Calendar.from_ical(download(api, campaign.id, "format=ics").get_data()).walk("VEVENT")
    assert [e["DTSTART"].dt for e in events if str(e["SUMMARY"]) == first.title] == [date(2026, 6, 20)]
    text = download(api, campaign.id, "format=md").get_data(as_text=True)
    assert "- **Date:** 2026-06-20 (day 7)" in text
    doc = json.loads(download(api, campaign.id, "format=json").get_data())
    posts = {p["key"]: p for phase in doc["phases"] for p in phase["posts"]}
    assert (posts["p1-0"]["date"], posts["p1-0"]["day"]) == ("2026-06-20", 7) and posts["p1-1"]["date"] == "2026-05-12"


def test_moves_are_carried_into_later_versions_and_archived_versions_keep_theirs(api, campaign, user, work):
    first = key_post(campaign, "p1-0")
    move = f"/api/campaigns/{campaign.id}/posts/{first.id}/move"
    api.post(move, json={"date": "2026-05-20"})
    # Version 2 regenerates from phase 2: the phase-1 post is kept on the date it was moved to.
    assert regenerate(api, campaign.id, 2)[0] == 202
    work()
    assert db.session.get(Campaign, campaign.id).current_version == 2
    assert moved_to(campaign, first.id, 2) == date(2026, 5, 20)
    # Moved again in version 2: version 1 keeps the date it had.
    api.post(move, json={"date": "2026-05-22"})
    assert (moved_to(campaign, first.id, 1), moved_to(campaign, first.id, 2)) == (date(2026, 5, 20),
                                                                                    date(2026, 5, 22))
    rows = list(csv.DictReader(io.StringIO(download(api, campaign.id, "format=csv&version=1").get_data(as_text=True))))
    assert {row["date"] for row in rows if row["title"] == first.title} == {"2026-05-20"}
    # Restoring version 1 brings its dates back, with who moved it.
    strategy.restore_version(user.workspace_id, campaign.id, 1, author_id=user.id)
    restored = Member.query.filter_by(campaign_id=campaign.id, version=3, post_id=first.id).one()
    assert (restored.moved_to, restored.moved_by_id) == (date(2026, 5, 20), user.id)
    _, found = api.get(f"/api/campaigns/{campaign.id}/calendar?from=2026-05-20&to=2026-05-20")
    assert str(first.id) in [p["id"] for p in found["posts"]]


def test_an_imported_export_keeps_its_moves_and_a_bad_date_is_refused(api, campaign):
    first, untouched = key_post(campaign, "p1-0"), key_post(campaign, "p1-1")
    api.post(f"/api/campaigns/{campaign.id}/posts/{first.id}/move", json={"date": "2026-06-20"})
    doc = json.loads(download(api, campaign.id, "format=json").get_data())
    status, made = api.post("/api/campaigns/import", json=doc)
    assert status == 201, made
    status, listed = api.get(f"/api/campaigns/{made['id']}/calendar")
    dates = {p["title"]: p["date"] for p in listed["posts"]}
    assert (dates[first.title], dates[untouched.title]) == ("2026-06-20", "2026-05-12")
    db.session.expire_all()
    assert Member.query.filter_by(campaign_id=int(made["id"])).filter(Member.moved_to.isnot(None)).count() == 1

    before = Campaign.query.count()
    doc["phases"][0]["posts"][0]["date"] = "20 June"
    status, refused = api.post("/api/campaigns/import", json=doc)
    assert status == 422 and refused["detail"] == {"phases[0].posts[0].date": "Must be a date written YYYY-MM-DD, or left out."}
    assert Campaign.query.count() == before


def test_an_export_of_a_follow_up_version_with_a_phase_of_one_post_imports(api, campaign):
    doc = json.loads(download(api, campaign.id, "format=json").get_data())
    last = doc["phases"][-1]
    post = dict(last["posts"][0], key="follow-up-1", title="One more for the fans", date=None)
    doc["phases"].append({"number": last["number"] + 1, "name": "Follow-up", "goal": "Thank the early buyers",
                          "posts": [post]})
    doc["edges"].append({"from": last["posts"][0]["key"], "to": "follow-up-1"})
    status, made = api.post("/api/campaigns/import", json=doc)
    assert status == 201, made
    status, nodes = api.get(f"/api/campaigns/{made['id']}/nodes")
    assert [len(phase["posts"]) for phase in nodes["phases"]][-1] == 1


def test_a_phase_of_one_post_before_the_last_is_still_refused(api, campaign):
    doc = json.loads(download(api, campaign.id, "format=json").get_data())
    first = doc["phases"][0]
    dropped = {post["key"] for post in first["posts"][1:]}
    first["posts"] = first["posts"][:1]
    doc["edges"] = [edge for edge in doc["edges"] if edge["from"] not in dropped]
    status, refused = api.post("/api/campaigns/import", json=doc)
    assert status == 422 and "phase 1 has 1 post" in refused["detail"]["phases"]
