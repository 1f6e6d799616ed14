"""Settings › Webhooks: an owner adds an endpoint (its secret shown once), is refused in place for a bad URL or
no events, pauses, resumes and removes it; the delivery log lists each try with the receiver's answer escaped,
with Redeliver and Send test event. Other roles are refused."""
import re

import pytest

from gtm.models import WebhookDelivery, WebhookEndpoint
from gtm.services import webhooks

from tests.kit.members import client_of, joined_member
from tests.kit.webhook_receiver import Receiver


def add(client, url, events=("post.approved", "alert.raised")):
    return client.post("/settings/webhooks", data={"url": url, "events": list(events)})


def test_an_owner_adds_a_webhook_and_sees_its_secret_once(auth_client):
    assert 'href="/settings/webhooks"' in auth_client.get("/settings").get_data(as_text=True)
    response = add(auth_client, "https://hooks.example.com/gtm")
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    secret = re.search(r'id="webhook-secret" type="text" readonly value="([^"]+)"', page).group(1)
    endpoint = WebhookEndpoint.query.one()
    assert secret == endpoint.secret and secret.startswith("whsec_")
    assert endpoint.events == ["post.approved", "alert.raised"]
    listed = auth_client.get("/settings/webhooks").get_data(as_text=True)
    assert "https://hooks.example.com/gtm" in listed and secret not in listed and "No deliveries yet" in listed
    assert secret not in auth_client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)


@pytest.mark.parametrize("url, events, field, message", [
    ("javascript:alert(1)", ["post.approved"], "url", "must start with https://"),
    ("", ["post.approved"], "url", "Enter the URL"),
    ("https://hooks.example.com/x", [], "events", "Choose at least one event"),
    ("https://hooks.example.com/x", ["post.deleted"], "events", "Unknown event"),
])
def test_a_bad_webhook_is_refused_beside_its_field_and_nothing_is_saved(auth_client, url, events, field, message):
    response = add(auth_client, url, events)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'class="field-error"' in page
    assert WebhookEndpoint.query.count() == 0


def test_pause_resume_and_remove_once_confirmed(auth_client, user):
    endpoint = webhooks.create(user.workspace_id, user.id, "https://hooks.example.com/x", ["post.approved"])
    assert auth_client.post(f"/settings/webhooks/{endpoint.id}/paused", data={"paused": "yes"}).status_code == 303
    assert "Paused" in auth_client.get("/settings/webhooks").get_data(as_text=True)
    assert WebhookEndpoint.query.one().paused is True
    auth_client.post(f"/settings/webhooks/{endpoint.id}/paused", data={"paused": "no"})
    assert WebhookEndpoint.query.one().paused is False
    asked = auth_client.post(f"/settings/webhooks/{endpoint.id}/delete")
    assert asked.status_code == 200 and "Remove the webhook?" in asked.get_data(as_text=True)
    assert WebhookEndpoint.query.count() == 1
    assert auth_client.post(f"/settings/webhooks/{endpoint.id}/delete", data={"confirmed": "yes"}).status_code == 303
    assert WebhookEndpoint.query.count() == 0


def test_changing_the_url_and_events_is_checked(auth_client, user):
    endpoint = webhooks.create(user.workspace_id, user.id, "https://hooks.example.com/x", ["post.approved"])
    refused = auth_client.post(f"/settings/webhooks/{endpoint.id}", data={"url": "https://new.example.com"})
    assert refused.status_code == 422 and "Choose at least one event" in refused.get_data(as_text=True)
    saved = auth_client.post(f"/settings/webhooks/{endpoint.id}",
                             data={"url": "https://new.example.com/h", "events": ["metrics.recorded"]})
    assert saved.status_code == 303
    changed = WebhookEndpoint.query.one()
    assert (changed.url, changed.events) == ("https://new.example.com/h", ["metrics.recorded"])


def test_the_log_shows_each_try_with_the_answer_escaped(auth_client, user, work):
    with Receiver() as receiver:
        endpoint = webhooks.create(user.workspace_id, user.id, receiver.url, ["post.approved"])
        receiver.secret, receiver.down_for = endpoint.secret, 1
        receiver.down_text = "<script>alert('down')</script>"
        assert auth_client.post(f"/settings/webhooks/{endpoint.id}/test").status_code == 303
        work()
        delivery = WebhookDelivery.query.one()
        assert auth_client.post(f"/settings/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver").status_code == 303
        work()
    page = auth_client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "<script>alert('down')</script>" not in page
    assert "&lt;script&gt;alert(&#39;down&#39;)&lt;/script&gt;" in page
    assert "Answered 503." in page and "Delivered" in page and delivery.event_id in page
    assert receiver.ids == [delivery.event_id]
    assert "Delivered" in auth_client.get("/settings/webhooks").get_data(as_text=True)


def test_other_roles_are_refused_and_another_workspace_finds_nothing(app, user, auth_client):
    endpoint = webhooks.create(user.workspace_id, user.id, "https://hooks.example.com/x", ["post.approved"])
    editor = client_of(app, joined_member(user, "editor@example.com", "editor").email)
    assert editor.get("/settings/webhooks").status_code == 403
    assert add(editor, "https://e.example.com").status_code == 403
    assert editor.post(f"/settings/webhooks/{endpoint.id}/delete", data={"confirmed": "yes"}).status_code == 403
    assert "/settings/webhooks" not in editor.get("/settings").get_data(as_text=True)
    from gtm.services import accounts

    accounts.sign_up("other@example.com", "Sturdy-passw0rd")
    other = client_of(app, "other@example.com")
    assert other.get(f"/settings/webhooks/{endpoint.id}").status_code == 404
    assert other.post(f"/settings/webhooks/{endpoint.id}/test").status_code == 404
    assert WebhookEndpoint.query.count() == 1 and WebhookDelivery.query.count() == 0
