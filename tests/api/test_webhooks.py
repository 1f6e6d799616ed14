"""Webhooks through the API: endpoints made (the secret answered once), listed, changed and removed by owners
only; every emission point sends its event, once its change is saved, with the object as the API answers it;
each delivery is signed (a real receiver on loopback verifies it with the standardwebhooks library), and a
private address, a redirect and a receiver too slow to answer are failed tries that say why."""
import pytest

from gtm.extensions import db
from gtm.models import Activity, WebhookDelivery, WebhookEndpoint
from gtm.services import accounts, review_links, strategy, webhooks

from tests.kit.clients import Api
from tests.kit.members import joined_member
from tests.kit.triggers import PHASE_2_CTR, current_posts, low_ctr, phase, plan
from tests.kit.webhook_receiver import Receiver

ALL_EVENTS = ["post.approved", "post.moved", "strategy.version_created", "alert.raised", "metrics.recorded"]


@pytest.fixture
def receiver():
    with Receiver() as found:
        yield found


def hook(api, receiver, events=ALL_EVENTS) -> dict:
    status, made = api.post("/api/webhooks", json={"url": receiver.url, "events": events})
    assert status == 201, made
    receiver.secret = made["secret"]
    return made


def deliveries(api, webhook_id) -> list[dict]:
    status, body = api.get(f"/api/webhooks/{webhook_id}/deliveries")
    assert status == 200
    return body["deliveries"]


def of_type(receiver, event: str) -> list[dict]:
    return [found for found in receiver.events if found["type"] == event]


def test_an_owner_adds_lists_changes_and_removes_a_webhook(api, user):
    status, made = api.post("/api/webhooks", json={"url": "https://hooks.example.com/gtm",
                                                   "events": ["alert.raised", "post.approved"]})
    assert status == 201
    assert made["secret"].startswith("whsec_") and len(made["secret"]) >= 6 + 32
    assert made["events"] == ["post.approved", "alert.raised"] and made["paused"] is False
    status, listed = api.get("/api/webhooks")
    assert status == 200 and [w["id"] for w in listed["webhooks"]] == [made["id"]]
    assert "secret" not in listed["webhooks"][0] and listed["webhooks"][0]["last_status"] is None

    status, changed = api.patch(f"/api/webhooks/{made['id']}", json={"paused": True, "events": ["metrics.recorded"]})
    assert status == 200 and changed["paused"] is True and changed["events"] == ["metrics.recorded"]
    assert changed["url"] == "https://hooks.example.com/gtm"
    status, _ = api.delete(f"/api/webhooks/{made['id']}")
    assert status == 204
    assert api.get("/api/webhooks")[1]["webhooks"] == []
    kinds = [a.kind for a in Activity.query.order_by(Activity.id)]
    assert kinds == ["webhook_created", "webhook_changed", "webhook_deleted"]


@pytest.mark.parametrize("body, field", [
    ({"url": "ftp://hooks.example.com/x", "events": ["post.approved"]}, "url"),
    ({"url": "not a url", "events": ["post.approved"]}, "url"),
    ({"url": "https://", "events": ["post.approved"]}, "url"),
    ({"url": "https://example.com/" + "x" * 2000, "events": ["post.approved"]}, "url"),
    ({"events": ["post.approved"]}, "url"),
    ({"url": "https://hooks.example.com/x", "events": ["post.deleted"]}, "events"),
    ({"url": "https://hooks.example.com/x", "events": []}, "events"),
    ({"url": "https://hooks.example.com/x"}, "events"),
    ({"url": "https://hooks.example.com/x", "events": "post.approved"}, "events"),
])
def test_bad_input_is_refused_and_saves_nothing(api, body, field):
    status, refused = api.post("/api/webhooks", json=body)
    assert status == 422 and field in refused["detail"], refused
    assert WebhookEndpoint.query.count() == 0 and Activity.query.count() == 0


def test_a_bad_change_changes_nothing(api):
    made = api.post("/api/webhooks", json={"url": "https://hooks.example.com/x", "events": ["post.approved"]})[1]
    status, refused = api.patch(f"/api/webhooks/{made['id']}", json={"url": "https://ok.example.com", "events": []})
    assert status == 422 and "events" in refused["detail"]
    endpoint = db.session.get(WebhookEndpoint, int(made["id"]))
    db.session.refresh(endpoint)
    assert endpoint.url == "https://hooks.example.com/x" and endpoint.events == ["post.approved"]


def test_only_owners_manage_webhooks_and_another_workspace_finds_none(app, api, user, answer_checker):
    made = api.post("/api/webhooks", json={"url": "https://hooks.example.com/x", "events": ["post.approved"]})[1]
    editor = joined_member(user, "editor@example.com", "editor")
    as_editor = Api(app, accounts.create_token(editor.id, "t", user.workspace_id)[1], answer_checker)
    assert as_editor.get("/api/webhooks")[0] == 403
    assert as_editor.post("/api/webhooks", json={"url": "https://e.example.com", "events": ["post.approved"]})[0] == 403
    assert as_editor.post(f"/api/webhooks/{made['id']}/test")[0] == 403
    assert webhooks.endpoints(user.workspace_id)[0].url == "https://hooks.example.com/x"

    other = accounts.sign_up("other@example.com", "Sturdy-passw0rd")
    as_other = Api(app, accounts.create_token(other.id, "t")[1], answer_checker)
    assert as_other.get("/api/webhooks")[1]["webhooks"] == []
    assert as_other.get(f"/api/webhooks/{made['id']}/deliveries")[0] == 404
    assert as_other.post(f"/api/webhooks/{made['id']}/test")[0] == 404
    assert as_other.patch(f"/api/webhooks/{made['id']}", json={"paused": True})[0] == 404
    assert as_other.delete(f"/api/webhooks/{made['id']}")[0] == 404


def test_a_test_event_arrives_signed_and_the_log_shows_it(api, receiver, work):
    made = hook(api, receiver, ["alert.raised"])
    status, accepted = api.post(f"/api/webhooks/{made['id']}/test")
    assert status == 202 and accepted["event"] == "webhook.test" and accepted["status"] == "pending"
    work()
    assert [e["type"] for e in receiver.events] == ["webhook.test"] and receiver.unverified == 0
    assert receiver.ids == [accepted["event_id"]]
    [logged] = deliveries(api, made["id"])
    assert logged["status"] == "delivered" and logged["attempts"] == 1 and logged["response_code"] == 200
    assert logged["tries"][0]["ok"] is True and accepted["event_id"] in logged["tries"][0]["response_excerpt"]

    # Redelivered: the same event id again, for the receiver to drop.
    status, again = api.post(f"/api/webhooks/{made['id']}/deliveries/{logged['id']}/redeliver")
    assert status == 202 and again["event_id"] == accepted["event_id"]
    work()
    assert receiver.ids == [accepted["event_id"]] * 2
    assert deliveries(api, made["id"])[0]["attempts"] == 2


def test_every_emission_point_sends_its_event_with_the_object_as_the_api_answers_it(api, user, campaign, receiver,
                                                                                    work, fake_openai):
    made = hook(api, receiver)
    posts = plan(api, campaign, work)
    work()
    [planned] = of_type(receiver, "strategy.version_created")
    versions = api.get(f"/api/campaigns/{campaign.id}/versions")[1]["versions"]
    assert planned["data"]["version"] == versions[0] and planned["data"]["campaign_id"] == str(campaign.id)

    # One post through the reviews API, then every other one with approve-all.
    first = posts[0]
    assert api.post(f"/api/campaigns/{campaign.id}/posts/{first.id}/review", json={"decision": "approve"})[0] == 200
    assert api.post(f"/api/campaigns/{campaign.id}/approve-all")[0] == 200
    work()
    approved = of_type(receiver, "post.approved")
    assert [e["data"]["post"]["id"] for e in approved] == [str(p.id) for p in posts]
    nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")[1]
    as_api = {post["id"]: post for column in nodes["phases"] for post in column["posts"]}
    assert all(event["data"]["post"] == as_api[event["data"]["post"]["id"]] for event in approved)

    # A trigger fires on the numbers recorded: metrics.recorded, then alert.raised.
    assert api.post(f"/api/campaigns/{campaign.id}/triggers", json=PHASE_2_CTR)[0] == 201
    rows = low_ctr(phase(posts, 2))
    assert api.post(f"/api/campaigns/{campaign.id}/metrics", json={"metrics": rows})[0] == 201
    work()
    [recorded] = of_type(receiver, "metrics.recorded")
    # As recorded: the spend written with its two decimals.
    assert recorded["data"]["metrics"] == [{**row, "spend": "0.00"} for row in rows]
    [raised] = of_type(receiver, "alert.raised")
    assert raised["data"]["alert"] == api.get(f"/api/campaigns/{campaign.id}/alerts")[1]["alerts"][0]

    # A second plan, restoring version 1, and undoing that restore each make a version.
    api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "Again"})
    work()
    assert api.post(f"/api/campaigns/{campaign.id}/versions/1/restore")[0] == 201
    strategy.undo_change(user.workspace_id, campaign.id, 3, user.id)
    # And a follow-up post after a post of the last phase.
    after = current_posts(campaign.id)[-1]
    status, body = api.post(f"/api/campaigns/{campaign.id}/follow-ups",
                         json={"after": [str(after.id)], "instruction": "A reminder two days later"})
    assert status == 202, body
    work()
    made_versions = [e["data"]["version"] for e in of_type(receiver, "strategy.version_created")]
    assert [(v["number"], v["origin"]) for v in made_versions] == [(1, "plan"), (2, "plan"), (3, "restore"),
                                                                     (4, "restore"), (5, "follow-up")]
    assert made_versions[-1]["after_post_ids"] == [str(after.id)]
    assert made_versions[-1] == api.get(f"/api/campaigns/{campaign.id}/versions")[1]["versions"][0]
    assert receiver.unverified == 0 and len(set(receiver.ids)) == len(receiver.ids)


def test_a_guest_approving_through_a_review_link_and_a_move_on_the_calendar_send_their_events(
        api, user, campaign, receiver, work):
    hook(api, receiver, ["post.approved", "post.moved"])
    posts = plan(api, campaign, work)
    _, raw = review_links.create(user.workspace_id, campaign.id, user.id)
    review_links.guest_review(raw, posts[1].id, "approve", "", "Ada")
    status, moved = api.post(f"/api/campaigns/{campaign.id}/posts/{posts[2].id}/move", json={"date": "2031-05-04"})
    assert status == 200, moved
    work()
    approved, move = receiver.events
    assert approved["type"] == "post.approved" and approved["data"]["post"]["id"] == str(posts[1].id)
    assert approved["data"]["post"]["review"] == "approved"
    assert move["type"] == "post.moved" and move["data"]["post"]["id"] == str(posts[2].id)
    assert move["data"]["to"] == "2031-05-04" and move["data"]["from"] != "2031-05-04"


def test_a_change_rolled_back_sends_nothing_and_a_paused_endpoint_gets_nothing(api, user, campaign, receiver, work):
    made = hook(api, receiver, ["post.approved"])
    posts = plan(api, campaign, work)
    webhooks.emit(user.workspace_id, "post.approved", campaign.id, posts[0])
    db.session.rollback()
    db.session.commit()
    assert WebhookDelivery.query.count() == 0

    api.patch(f"/api/webhooks/{made['id']}", json={"paused": True})
    strategy.approve_post(user.workspace_id, campaign.id, posts[0].id, actor_id=user.id)
    work()
    assert receiver.events == [] and WebhookDelivery.query.count() == 0


@pytest.mark.config(GTM_WEBHOOKS_ALLOW_PRIVATE=False)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "169.254.169.254", "10.1.2.3", "[::1]",
                                  "[::ffff:127.0.0.1]"])
def test_a_private_address_is_refused_after_resolving_and_nothing_is_sent(api, receiver, work, host):
    port = receiver.url.split(":")[2].split("/")[0]
    made = api.post("/api/webhooks", json={"url": f"http://{host}:{port}/hooks", "events": ["post.approved"]})[1]
    api.post(f"/api/webhooks/{made['id']}/test")
    work()
    assert receiver.requests == 0
    [logged] = deliveries(api, made["id"])
    # Refused is final: there is nothing to try again.
    assert logged["status"] == "failed" and logged["attempts"] == 1 and logged["response_code"] is None
    assert logged["tries"][0]["error"].startswith("Refused:") and "public addresses" in logged["tries"][0]["error"]


def test_a_redirect_is_not_followed(api, receiver, work):
    with Receiver() as elsewhere:
        made = hook(api, receiver, ["post.approved"])
        receiver.redirect_to = elsewhere.url
        api.post(f"/api/webhooks/{made['id']}/test")
        work()
        assert elsewhere.requests == 0
    [logged] = deliveries(api, made["id"])
    assert logged["status"] == "pending" and logged["response_code"] == 302
    assert "redirect to " + elsewhere.url in logged["tries"][0]["error"] and "not followed" in logged["tries"][0]["error"]


@pytest.mark.config(GTM_WEBHOOK_TIMEOUT=0.5)
def test_a_receiver_that_does_not_answer_in_time_is_a_failed_try(api, receiver, work):
    made = hook(api, receiver, ["post.approved"])
    receiver.delay = 30
    api.post(f"/api/webhooks/{made['id']}/test")
    work()
    [logged] = deliveries(api, made["id"])
    assert logged["status"] == "pending" and logged["attempts"] == 1
    assert logged["tries"][0]["error"] == "Timed out after 0.5 s without an answer."
