"""POST /api/workspace/invitations: an owner's token invites an address with a role and gets the link (201);
other roles are refused (403), and a bad address or role is refused with nothing made (422)."""
from datetime import timedelta

import pytest

from gtm.extensions import db
from gtm.models.invitation import Invitation
from gtm.services import accounts

from tests.kit.clients import Api, new_client
from tests.kit.members import joined_member


def test_an_owner_invites(api, app):
    status, made = api.post("/api/workspace/invitations", json={"email": "Guest@Example.com", "role": "reviewer"})
    assert status == 201 and set(made) == {"id", "url", "expires_at"}
    assert made["url"].startswith("http://localhost/invitations/")
    found = db.session.get(Invitation, int(made["id"]))
    assert found.email == "guest@example.com" and found.role == "reviewer"
    assert found.expires_at - found.created_at == timedelta(days=7)
    page = new_client(app).get(made["url"].removeprefix("http://localhost"))
    assert page.status_code == 200 and "invited you to marketer as reviewer" in page.get_data(as_text=True)


def test_another_role_is_refused(app, user, answer_checker):
    editor = joined_member(user, "writer@example.com", "editor")
    raw = accounts.create_token(editor.id, "editor's", user.workspace_id)[1]
    status, refused = Api(app, raw, answer_checker).post("/api/workspace/invitations",
                                                         json={"email": "guest@example.com", "role": "viewer"})
    assert status == 403 and "cannot manage" in refused["error"]
    assert db.session.query(Invitation).filter_by(email="guest@example.com").count() == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "nope", "role": "editor"}, "email"),
    ({"email": "guest@example.com", "role": "boss"}, "role"),
    ({"email": "guest@example.com"}, "role"),
    ({"email": "marketer@example.com", "role": "editor"}, "email"),
])
def test_a_bad_invitation_is_refused(api, body, field):
    status, refused = api.post("/api/workspace/invitations", json=body)
    assert status == 422 and field in refused["detail"]
    assert db.session.query(Invitation).count() == 0
