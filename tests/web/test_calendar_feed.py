"""The calendar feed on the pages: owners and editors make a secret address (shown once, as webcal:// and https
to copy), make a new one that replaces it, and turn it off; viewers see whether there is one. The address
answers ICS with no log-in, sets no cookie and answers a signed-in browser exactly as anyone else; an unknown
address and a revoked one get the same 404."""
import re

import pytest
from flask import render_template

from gtm.extensions import db
from gtm.models import Activity, CalendarFeed
from gtm.services import accounts, calendar_feed, campaign_changes

from tests.kit.clients import PASSWORD, log_in, new_client
from tests.kit.members import joined_member
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy


def feed_url(campaign):  # noqa: F811
    return f"/campaigns/{campaign.id}/feed"


def shown(page: str, field: str) -> str:
    return re.search(rf'id="{field}" type="text" readonly\s+value="([^"]+)"', page).group(1)


def path_of(url: str) -> str:
    return "/feeds/" + url.rsplit("/feeds/", 1)[1]


@pytest.fixture
def guest(app):
    """A calendar app: no session, no cookies of its own."""
    return app.test_client(use_cookies=False)


def test_an_owner_makes_an_address_replaces_it_and_turns_it_off(auth_client, guest, campaign):  # noqa: F811
    page = auth_client.get(feed_url(campaign)).get_data(as_text=True)
    assert "No calendar feed." in page and "Make a feed address" in page

    response = auth_client.post(feed_url(campaign))
    page = response.get_data(as_text=True)
    assert response.status_code == 201 and "Copy it now: it is shown only once" in page
    assert response.headers["Cache-Control"] == "no-store"
    https, webcal = shown(page, "feed-url"), shown(page, "feed-webcal")
    assert webcal == "webcal://" + https.removeprefix("http://") and https.endswith(".ics")
    assert 'data-copy="#feed-webcal"' in page and 'data-copy="#feed-url"' in page
    first = path_of(https)
    assert CalendarFeed.query.one().token_hash == calendar_feed.digest(first[len("/feeds/"):-len(".ics")])

    served = guest.get(first)
    assert served.status_code == 200 and served.mimetype == "text/calendar"
    assert served.headers["Cache-Control"] == "no-cache, private" and served.headers["ETag"]
    assert b"BEGIN:VCALENDAR" in served.data
    again = guest.get(first, headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and not again.data, "unchanged: the ETag spares the calendar the body"

    page = auth_client.get(feed_url(campaign)).get_data(as_text=True)
    assert "This campaign has a calendar feed, made by marketer@example.com" in page
    assert https not in page, "the address is shown once only"
    assert 'data-confirm="Make a new feed address?' in page and "Turn off…" in page

    response = auth_client.post(feed_url(campaign))
    second = path_of(shown(response.get_data(as_text=True), "feed-url"))
    assert second != first and CalendarFeed.query.count() == 1
    assert guest.get(first).status_code == 404, "the old address stops working at once"
    assert guest.get(second).status_code == 200

    response = auth_client.post(f"{feed_url(campaign)}/revoke")
    assert response.status_code == 303
    assert guest.get(second).status_code == 404 and CalendarFeed.query.count() == 0
    page = auth_client.get(feed_url(campaign)).get_data(as_text=True)
    assert "The calendar feed is off" in page and "No calendar feed." in page
    response = auth_client.post(f"{feed_url(campaign)}/revoke")
    assert response.status_code == 404 and "no calendar feed to turn off" in response.get_data(as_text=True)
    kinds = [row.kind for row in Activity.query.order_by(Activity.id)]
    assert kinds[-3:] == ["feed_created", "feed_created", "feed_revoked"]


def test_the_feed_sets_no_cookie_and_a_session_opens_nothing_more(app, auth_client, guest, user,
                                                                  campaign):  # noqa: F811
    path = path_of(shown(auth_client.post(feed_url(campaign)).get_data(as_text=True), "feed-url"))
    as_guest, as_member = guest.get(path), auth_client.get(path)
    assert as_guest.status_code == as_member.status_code == 200
    assert as_guest.data == as_member.data, "a signed-in browser gets what anyone gets"
    for response in (as_guest, as_member):
        assert "Set-Cookie" not in response.headers
    assert user.email.encode() not in as_member.data

    # An address that never existed and a revoked one get the same answer, signed in or not.
    unknown = auth_client.get("/feeds/" + "x" * 43 + ".ics")
    calendar_feed.revoke(user.workspace_id, campaign.id, user.id)
    for response in (unknown, auth_client.get(path), guest.get(path)):
        assert response.status_code == 404 and "Set-Cookie" not in response.headers
        assert response.data == unknown.data and response.mimetype == "text/plain"
    assert guest.get("/feeds/" + "x" * 500 + ".ics").status_code == 404


def test_a_viewer_sees_the_feed_but_cannot_make_or_revoke_it(app, user, campaign):  # noqa: F811
    calendar_feed.create(user.workspace_id, campaign.id, user.id)
    viewer = joined_member(user, "viewer@example.com", "viewer")
    client = log_in(new_client(app), viewer.email)
    page = client.get(feed_url(campaign)).get_data(as_text=True)
    assert "This campaign has a calendar feed" in page and "<form" not in page.split('id="calendar-feed"')[1]
    assert client.post(feed_url(campaign)).status_code == 403
    assert client.post(f"{feed_url(campaign)}/revoke").status_code == 403
    db.session.expire_all()
    assert CalendarFeed.query.count() == 1


def test_another_workspace_gets_404(app, user, campaign):  # noqa: F811
    calendar_feed.create(user.workspace_id, campaign.id, user.id)
    accounts.sign_up("outsider@example.com", PASSWORD)
    client = log_in(new_client(app), "outsider@example.com")
    assert client.get(feed_url(campaign)).status_code == 404
    assert client.post(feed_url(campaign)).status_code == 404
    assert client.post(f"{feed_url(campaign)}/revoke").status_code == 404
    assert CalendarFeed.query.count() == 1


def test_the_calendar_page_loads_the_panel_and_htmx_gets_it_alone(app, htmx, campaign):  # noqa: F811
    with app.test_request_context():
        partial = render_template("calendar/_feed.html", campaign=campaign, campaign_id=campaign.id)
    assert f'hx-get="/campaigns/{campaign.id}/feed" hx-trigger="load"' in partial
    assert f'href="/campaigns/{campaign.id}/feed"' in partial, "without scripts, a link to the feed's page"
    fragment = htmx.get(feed_url(campaign)).get_data(as_text=True)
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    assert 'id="calendar-feed"' in fragment


def test_an_archived_campaign_still_serves_its_feed_and_a_deleted_one_does_not(guest, user, campaign):  # noqa: F811
    path = f"/feeds/{calendar_feed.create(user.workspace_id, campaign.id, user.id)}.ics"
    campaign_changes.archive(user.workspace_id, campaign.id)
    assert guest.get(path).status_code == 200
    campaign_changes.delete_campaign(user.workspace_id, campaign.id)
    assert guest.get(path).status_code == 404 and CalendarFeed.query.count() == 0
