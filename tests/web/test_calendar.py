"""The calendar page: the current version's posts in a month grid and a week list on their dates, the launch
date assumed (and set) when the campaign has none, days with more than one post on a channel marked, and a post
moved by its form; every refused move changes nothing."""
import re
from datetime import date

import pytest

from gtm.extensions import db
from gtm.models import Activity, Campaign, Member, Post
from gtm.services import accounts, campaigns

from tests.kit.campaigns import CAMPAIGN
from tests.kit.clients import log_in, new_client
from tests.kit.history import planned, regenerate_first_phase
from tests.kit.members import joined_member

LAUNCH = date(2026, 5, 4)  # a Monday: phase 1's posts (days 7, 8, 9) fall on 11 to 13 May


@pytest.fixture
def campaign(user):
    found = planned(user.workspace_id, "Spring launch")
    found.launch_date = LAUNCH
    db.session.commit()
    return found


def post(campaign, key) -> Post:
    db.session.expire_all()
    return Post.query.filter_by(campaign_id=campaign.id, key=key, is_active=True).one()


def member(campaign, post_id, version=None) -> Member:
    db.session.expire_all()
    number = version or db.session.get(Campaign, campaign.id).current_version
    return Member.query.filter_by(campaign_id=campaign.id, version=number, post_id=post_id).one()


def moves() -> int:
    return Activity.query.filter_by(kind="post_moved").count()


def cell(html: str, day: str) -> str:
    """The HTML of one day of the calendar."""
    found = re.search(rf'data-drop-date="{day}"(.*?)(?=data-drop-date=|</tbody>|</ol>)', html, re.S)
    assert found, day
    return found.group(1)


def move_url(campaign, post_id) -> str:
    return f"/campaigns/{campaign.id}/calendar/posts/{post_id}/move"


def test_the_month_grid_and_the_week_list_show_each_post_on_its_date(auth_client, campaign):
    response = auth_client.get(f"/campaigns/{campaign.id}/calendar")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '>Calendar</a>' in html and 'aria-current="page">Calendar<' in html
    # The month of the first post, weeks Monday first: 27 April to 31 May (a Sunday).
    assert "<h2 id=\"calendar-title\">May 2026</h2>" in html
    days = re.findall(r'data-drop-date="([\d-]+)"', html)
    assert days[0] == "2026-04-27" and days[-1] == "2026-05-31" and len(days) == 35
    first = post(campaign, "p1-0")
    monday = cell(html, "2026-05-11")
    assert f'href="/campaigns/{campaign.id}/posts/{first.id}"' in monday and first.title in monday
    assert "LinkedIn" in monday and "Phase 1" in monday and ">Draft<" in monday
    assert post(campaign, "p1-1").title in cell(html, "2026-05-12")
    assert 'class="cal-day is-outside"' in html.split('data-drop-date="2026-04-27"')[0][-200:]
    # Phase 4 falls on 1 to 3 June: the summary says so, and links to the first and last dates.
    assert "9 of 12 posts in this month" in html and "Busy" not in html
    assert post(campaign, "p4-2").title not in html
    assert "the posts run from" in html and "start=2026-06-03" in html
    assert html.count('draggable="true"') == 9 and html.count("<summary") == 9

    week = auth_client.get(f"/campaigns/{campaign.id}/calendar?view=week&start=2026-05-13").get_data(as_text=True)
    assert "11 May to 17 May 2026" in week
    assert re.findall(r'data-drop-date="([\d-]+)"', week) == [f"2026-05-{d}" for d in range(11, 18)]
    assert "Monday 11 May" in week and "Sunday 17 May" in week
    assert "3 of 12 posts in this week" in week and week.count("No posts.") == 4
    # Previous, today and next lead to the week before, this week and the week after.
    assert "start=2026-05-04" in week and "start=2026-05-18" in week


def test_the_navigation_and_a_bad_view_or_start(auth_client, campaign):
    html = auth_client.get(f"/campaigns/{campaign.id}/calendar?start=2026-07-20").get_data(as_text=True)
    assert "July 2026" in html and "0 of 12 posts in this month" in html
    assert "start=2026-06-01" in html and "start=2026-08-01" in html
    for query, field in (("view=year", "view"), ("start=20-07-2026", "start"), ("start=1999-01-01", "start")):
        response = auth_client.get(f"/campaigns/{campaign.id}/calendar?{query}")
        assert response.status_code == 422, query


def test_without_a_launch_date_it_assumes_today_and_offers_to_set_it(auth_client, user):
    campaign = planned(user.workspace_id, "No date")
    url = f"/campaigns/{campaign.id}/calendar"
    html = auth_client.get(url).get_data(as_text=True)
    today = date.today().isoformat()
    assert f"No launch date set: assuming today ({today})" in html and 'name="launch_date"' in html
    for value, needle in (("", "Choose the launch date"), ("04/05/2026", "YYYY-MM-DD"),
                          ("1990-01-01", "between 2000 and 2100")):
        response = auth_client.post(f"{url}/launch-date", data={"launch_date": value})
        assert response.status_code == 422 and needle in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Campaign, campaign.id).launch_date is None
    response = auth_client.post(f"{url}/launch-date", data={"launch_date": "2026-05-04"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).launch_date == LAUNCH
    html = auth_client.get(url).get_data(as_text=True)
    assert "assuming today" not in html and "Launch date 2026-05-04" in html


def test_a_post_moved_by_its_form_is_recorded_with_who_and_when(auth_client, campaign, user):
    first = post(campaign, "p1-0")
    sequence = first.sequence
    response = auth_client.post(move_url(campaign, first.id), data={"date": "2026-05-14", "view": "month",
                                                                   "start": "2026-05-01"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}/calendar?view=month&start=2026-05-01")
    moved = member(campaign, first.id)
    assert (moved.moved_to, moved.moved_by_id) == (date(2026, 5, 14), user.id) and moved.moved_at is not None
    assert post(campaign, "p1-0").sequence == sequence + 1
    row = Activity.query.filter_by(kind="post_moved").one()
    assert row.summary == f"Moved “{first.title}” from 11 May to 14 May" and row.actor_id == user.id
    html = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Moved “{first.title}” from 11 May to 14 May." in html
    assert first.title in cell(html, "2026-05-14") and first.title not in cell(html, "2026-05-11")
    assert f"Moved\n    from 11 May by {user.email}" in cell(html, "2026-05-14")

    # With htmx the calendar comes back in place, saying so; the same date again changes nothing and says so.
    response = auth_client.post(move_url(campaign, first.id), data={"date": "2026-05-14"},
                                headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith("<section") and 'id="calendar"' in html
    assert f"“{first.title}” is already on 14 May; nothing was changed." in html
    assert moves() == 1 and post(campaign, "p1-0").sequence == sequence + 1


def test_a_day_with_two_posts_on_one_channel_is_marked_busy(auth_client, campaign):
    second = post(campaign, "p2-0")  # LinkedIn, like p1-0 on 11 May
    response = auth_client.post(move_url(campaign, second.id), data={"date": "2026-05-11"},
                                headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<strong>Busy:</strong> 2 LinkedIn posts on one day" in cell(html, "2026-05-11")
    assert "1 day\n      marked Busy</strong>" in html and "is-busy" in html
    assert "Busy" not in cell(html, "2026-05-12")


@pytest.mark.parametrize("value, needle", [
    ("", "Choose the date"), ("14/05/2026", "YYYY-MM-DD"), ("2026-02-30", "YYYY-MM-DD"),
    ("2026-05-14T10:00", "YYYY-MM-DD"), ("1999-12-31", "between 2000 and 2100"),
    ("2101-01-01", "between 2000 and 2100"),
])
def test_a_bad_date_is_refused_beside_the_form_and_changes_nothing(auth_client, campaign, value, needle):
    first = post(campaign, "p1-0")
    response = auth_client.post(move_url(campaign, first.id), data={"date": value}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="field-error" id="move-{first.id}-error">([^<]*)</p>', html)
    assert error and needle in error.group(1)
    assert f'<details class="cal-move" open>' in cell(html, "2026-05-11")
    assert member(campaign, first.id).moved_to is None and moves() == 0
    assert post(campaign, "p1-0").sequence == first.sequence


def test_another_workspaces_campaign_or_post_is_not_found(auth_client, campaign, user):
    stranger = accounts.sign_up("stranger@example.com", "Sturdy-passw0rd")
    theirs = planned(stranger.workspace_id, "Theirs")
    their_post = Post.query.filter_by(campaign_id=theirs.id).first()
    other = planned(user.workspace_id, "Other")
    other_post = Post.query.filter_by(campaign_id=other.id).first()
    for url in (f"/campaigns/{theirs.id}/calendar", f"/campaigns/{theirs.id}/calendar/posts/{their_post.id}/move",
                move_url(campaign, their_post.id), move_url(campaign, other_post.id), move_url(campaign, 99999)):
        method = auth_client.get if url.endswith("/calendar") else auth_client.post
        assert method(url, data={"date": "2026-05-14"}).status_code == 404, url
    assert moves() == 0


def test_a_post_no_longer_in_the_current_version_is_refused(auth_client, campaign):
    first = post(campaign, "p1-0")
    regenerate_first_phase(campaign)  # version 2 archives phase 1
    response = auth_client.post(move_url(campaign, first.id), data={"date": "2026-05-14"},
                                headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "not in the current strategy version (version 2)" in response.get_data(as_text=True)
    assert member(campaign, first.id, 1).moved_to is None and moves() == 0


def test_a_viewer_reads_the_calendar_but_cannot_move_a_post(app, campaign, user):
    viewer = log_in(new_client(app), joined_member(user, "viewer@example.com", "viewer").email)
    html = viewer.get(f"/campaigns/{campaign.id}/calendar").get_data(as_text=True)
    assert post(campaign, "p1-0").title in html
    assert 'draggable="true"' not in html and "/move" not in html
    first = post(campaign, "p1-0")
    assert viewer.post(move_url(campaign, first.id), data={"date": "2026-05-14"}).status_code == 403
    assert member(campaign, first.id).moved_to is None and moves() == 0
