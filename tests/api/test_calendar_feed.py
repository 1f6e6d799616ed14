"""The calendar feed through the API, read back by parsers other than the one that wrote it (icalendar and
recurring-ical-events): every current post on its date under a stable UID, tentative until approved, linking
to its page, with a SEQUENCE that rises when the post is moved, approved, rewritten, regenerated around or
restored, and never goes down. A new address replaces the old one, and a revoked one answers 404."""
from datetime import date, timedelta

import recurring_ical_events
from icalendar import Calendar

from gtm.extensions import db
from gtm.models import Post
from gtm.services import accounts, exports, workspaces

from tests.kit.clients import PASSWORD
from tests.kit.strategy import active, regenerate
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy

LAUNCH = date(2026, 5, 4)


def path_of(url: str) -> str:
    return "/feeds/" + url.rsplit("/feeds/", 1)[1]


def feed_of(api, campaign) -> str:  # noqa: F811
    status, made = api.post(f"/api/campaigns/{campaign.id}/feed")
    assert status == 201, made
    assert made["webcal_url"] == "webcal://" + made["url"].split("://", 1)[1]
    return path_of(made["url"])


def read(app, path: str) -> tuple[Calendar, dict[str, object]]:
    """The feed as another parser reads it: the calendar, and its events by UID (expanded over two years)."""
    response = app.test_client().get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = recurring_ical_events.of(calendar).between(LAUNCH - timedelta(days=400), LAUNCH + timedelta(days=400))
    by_uid = {str(event["UID"]): event for event in events}
    assert len(by_uid) == len(events), "one event per UID"
    return calendar, by_uid


def sequences(events: dict) -> dict[str, int]:
    return {uid: int(event["SEQUENCE"]) for uid, event in events.items()}


def launch(campaign):  # noqa: F811
    campaign.launch_date = LAUNCH
    db.session.commit()


def test_every_current_post_is_an_event_that_follows_approval_and_moves(app, api, campaign):  # noqa: F811
    launch(campaign)
    path = feed_of(api, campaign)
    calendar, events = read(app, path)
    posts = active(campaign.id)
    assert str(calendar["X-WR-CALNAME"]) == campaign.name
    assert set(events) == {exports.uid(post) for post in posts}
    for post in posts:
        event = events[exports.uid(post)]
        assert event["DTSTART"].dt == LAUNCH + timedelta(days=post.day)
        assert event["DTEND"].dt == event["DTSTART"].dt + timedelta(days=1)
        assert str(event["STATUS"]) == "TENTATIVE"
        assert str(event["URL"]) == f"http://localhost/campaigns/{campaign.id}/posts/{post.id}"
        assert str(event["SUMMARY"]).startswith(post.title + " · ")
        headline = next(v.headline for v in post.variants if v.label == "A" and v.is_current)
        assert post.brief.strip() in str(event["DESCRIPTION"]) and headline in str(event["DESCRIPTION"])
        assert event["LAST-MODIFIED"].dt.tzinfo is not None
    before = sequences(events)

    approved, moved = posts[0], posts[1]
    status, _ = api.post(f"/api/campaigns/{campaign.id}/posts/{approved.id}/review", json={"decision": "approve"})
    assert status == 200
    new_date = LAUNCH + timedelta(days=moved.day + 3)
    status, answer = api.post(f"/api/campaigns/{campaign.id}/posts/{moved.id}/move",
                              json={"date": new_date.isoformat()})
    assert status == 200, answer

    _, events = read(app, path)
    after = sequences(events)
    assert str(events[exports.uid(approved)]["STATUS"]) == "CONFIRMED"
    assert after[exports.uid(approved)] > before[exports.uid(approved)]
    assert events[exports.uid(moved)]["DTSTART"].dt == new_date
    assert after[exports.uid(moved)] > before[exports.uid(moved)], "a moved post's SEQUENCE rises"
    assert str(events[exports.uid(moved)]["STATUS"]) == "TENTATIVE"
    untouched = {uid for uid in before if uid not in (exports.uid(approved), exports.uid(moved))}
    assert all(after[uid] == before[uid] for uid in untouched)

    # A variant rewritten by hand takes the approval away: tentative again, and the SEQUENCE rises again.
    status, _ = api.post(f"/api/campaigns/{campaign.id}/posts/{approved.id}/variants/A/versions",
                         json={"headline": "A headline written by hand", "body": "A body written by hand.",
                               "call_to_action": "Try it", "hashtags": ["bloom"]})
    assert status == 201
    _, events = read(app, path)
    assert str(events[exports.uid(approved)]["STATUS"]) == "TENTATIVE"
    assert int(events[exports.uid(approved)]["SEQUENCE"]) > after[exports.uid(approved)]
    assert "A headline written by hand" in str(events[exports.uid(approved)]["DESCRIPTION"])


def test_a_regeneration_keeps_the_uids_of_kept_posts_and_a_restore_never_lowers_a_sequence(
        app, api, campaign, work):  # noqa: F811
    launch(campaign)
    path = feed_of(api, campaign)
    _, first = read(app, path)
    kept = {exports.uid(post) for post in active(campaign.id) if post.phase == 1}
    seen = sequences(first)

    status, body = regenerate(api, campaign.id, 2)
    assert status == 202
    work()
    _, second = read(app, path)
    assert set(second) & set(first) == kept, "kept posts keep their UIDs; replaced posts leave the feed"
    assert all(int(second[uid]["SEQUENCE"]) > seen[uid] for uid in kept)
    seen.update(sequences(second))

    status, _ = api.post(f"/api/campaigns/{campaign.id}/versions/1/restore")
    assert status == 201
    _, third = read(app, path)
    assert set(third) == set(first), "the restored version's posts, under the UIDs they had"
    assert all(int(third[uid]["SEQUENCE"]) > seen[uid] for uid in third), "a restore never lowers a SEQUENCE"


def test_a_new_address_replaces_the_old_and_delete_turns_it_off(app, api, campaign):  # noqa: F811
    guest = app.test_client()
    first = feed_of(api, campaign)
    second = feed_of(api, campaign)
    assert first != second
    assert guest.get(first).status_code == 404 and guest.get(second).status_code == 200

    status, _ = api.delete(f"/api/campaigns/{campaign.id}/feed")
    assert status == 204
    assert guest.get(second).status_code == 404
    status, answer = api.delete(f"/api/campaigns/{campaign.id}/feed")
    assert status == 404 and "no calendar feed" in answer["error"]


def test_a_viewer_cannot_make_or_revoke_one_and_another_workspace_gets_404(app, api, user, campaign):  # noqa: F811
    path = feed_of(api, campaign)
    viewer = accounts.sign_up("viewer@example.com", PASSWORD)
    workspaces.add_member(user.workspace_id, viewer.id, "viewer")
    db.session.commit()
    headers = {"Authorization": f"Bearer {accounts.create_token(viewer.id, 'v', user.workspace_id)[1]}"}
    client = app.test_client()
    for method in ("post", "delete"):
        response = getattr(client, method)(f"/api/campaigns/{campaign.id}/feed", headers=headers)
        assert response.status_code == 403, response.get_json()
    assert client.get(path).status_code == 200, "the viewer's refusals changed nothing"

    outsider = accounts.sign_up("outsider@example.com", PASSWORD)
    headers = {"Authorization": f"Bearer {accounts.create_token(outsider.id, 'o')[1]}"}
    for method in ("post", "delete"):
        response = getattr(client, method)(f"/api/campaigns/{campaign.id}/feed", headers=headers)
        assert response.status_code == 404
    assert client.get(path).status_code == 200
    assert db.session.query(Post).filter_by(campaign_id=campaign.id).count() > 0
