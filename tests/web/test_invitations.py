"""Invitations on the members page and the invitation's link: an owner invites an address with a role and copies
the link; whoever opens it logs in or signs up with that address (even with sign-up closed) and lands in the
workspace, or, logged in as that address, joins; the link works once, not after it is withdrawn or expires,
and never for another address."""
import html
from datetime import timedelta

import pytest

from gtm.extensions import db
from gtm.models import Activity
from gtm.models._base import utcnow
from gtm.models.invitation import Invitation
from gtm.services import accounts, invitations, workspaces

from tests.kit.clients import PASSWORD, new_client
from tests.kit.members import client_of, invite_link, joined_member, token_of

GUEST = "guest@example.com"


def invitation_count() -> int:
    return db.session.query(Invitation).count()


def invited(user, email=GUEST, role="editor") -> str:
    return invitations.invite(user.workspace_id, user.id, email, role)[1]


def test_an_owner_invites_and_copies_the_link(auth_client, user):
    response = auth_client.post("/settings/invitations", data={"email": " Guest@Example.com ", "role": "reviewer"})
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    assert "guest@example.com is invited as reviewer." in page
    assert "Email is not set up here" in page
    assert 'data-copy="#invitation-link"' in page and invite_link(page).startswith("http://localhost/invitations/")
    found = db.session.query(Invitation).one()
    assert found.email == GUEST and found.role == "reviewer" and found.token_hash != token_of(invite_link(page))
    assert found.expires_at - found.created_at == timedelta(days=7)
    listed = auth_client.get("/settings/members").get_data(as_text=True)
    assert "Pending invitations" in listed and GUEST in listed and "Withdraw the invitation for" in listed


def test_the_link_uses_the_base_url(app, auth_client):
    app.config["GTM_BASE_URL"] = "https://gtm.example.com"
    page = auth_client.post("/settings/invitations", data={"email": GUEST, "role": "editor"}).get_data(as_text=True)
    assert invite_link(page).startswith("https://gtm.example.com/invitations/")


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"email": "", "role": "editor"}, "email", "Enter your email address."),
    ({"email": "not-an-address", "role": "editor"}, "email", "That is not a valid email address"),
    ({"email": GUEST, "role": "admin"}, "role", "Choose one of the roles"),
    ({"email": "marketer@example.com", "role": "editor"}, "email", "already a member of this workspace"),
])
def test_a_bad_invitation_is_refused_and_nothing_is_made(auth_client, form, field, message):
    response = auth_client.post("/settings/invitations", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and f'id="{field}-error"' in page
    assert invitation_count() == 0


def test_an_editor_cannot_invite(app, user):
    editor = joined_member(user, "writer@example.com", "editor")
    response = client_of(app, editor.email).post("/settings/invitations", data={"email": GUEST, "role": "owner"})
    assert response.status_code == 403
    assert invitation_count() == 1  # the editor's own, accepted


def test_a_withdrawn_invitation_no_longer_works(auth_client, user):
    raw = invited(user)
    found = db.session.query(Invitation).one()
    response = auth_client.post(f"/settings/invitations/{found.id}/revoke")
    assert response.status_code == 303
    assert "its link no longer works" in auth_client.get("/settings/members").get_data(as_text=True)
    gone = new_client(auth_client.application).get(f"/invitations/{raw}")
    assert gone.status_code == 404 and "no longer works" in gone.get_data(as_text=True)


def test_a_new_invitation_replaces_the_pending_one(user):
    first = invited(user)
    invited(user, role="viewer")
    with pytest.raises(Exception, match="no longer works"):
        invitations.find(first)


def test_the_link_says_who_invited_whom_and_offers_log_in_and_sign_up(app, user):
    raw = invited(user)
    page = new_client(app).get(f"/invitations/{raw}").get_data(as_text=True)
    assert "marketer@example.com invited you to marketer as editor" in page
    assert f'href="/login?invitation={raw}"' in page and f'href="/signup?invitation={raw}"' in page
    signup = new_client(app).get(f"/signup?invitation={raw}").get_data(as_text=True)
    assert f'value="{GUEST}"' in signup and "Join marketer" in signup


def test_an_unknown_link_is_404_with_a_plain_sentence(client):
    response = client.get("/invitations/no-such-token")
    assert response.status_code == 404 and "Ask whoever invited you for a new one" in response.get_data(as_text=True)


@pytest.mark.config(GTM_SIGNUP="closed")
def test_signing_up_through_the_link_joins_even_with_sign_up_closed(app, user):
    raw = invited(user, role="reviewer")
    guest = new_client(app)
    assert guest.post("/signup", data={"email": "other@example.com", "password": PASSWORD}).status_code == 403
    response = guest.post(f"/signup?invitation={raw}", data={"email": GUEST, "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    landed = guest.get("/").get_data(as_text=True)
    assert "You joined marketer as reviewer." in landed
    new = accounts.user_by_email(GUEST)
    assert workspaces.role_of(new.id, user.workspace_id) == "reviewer" and new.workspace_id == user.workspace_id
    assert len(workspaces.workspaces_of(new.id)) == 1
    assert "marketer@example.com" in guest.get("/settings/members").get_data(as_text=True)
    # The link worked once.
    assert new_client(app).get(f"/invitations/{raw}").status_code == 404


def test_signing_up_with_another_address_is_refused(app, user):
    raw = invited(user)
    response = new_client(app).post(f"/signup?invitation={raw}", data={"email": "else@example.com",
                                                                       "password": PASSWORD})
    assert response.status_code == 422 and f"This invitation is for {GUEST}" in response.get_data(as_text=True)
    with pytest.raises(Exception):
        accounts.user_by_email("else@example.com")
    assert invitations.find(raw)  # still pending


def test_logging_in_through_the_link_joins(app, user):
    guest = accounts.sign_up(GUEST, PASSWORD)
    raw = invited(user, role="viewer")
    client = new_client(app)
    login = client.get(f"/login?invitation={raw}").get_data(as_text=True)
    assert f'value="{GUEST}"' in login and "to join marketer" in login
    response = client.post(f"/login?invitation={raw}", data={"email": GUEST, "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "You joined marketer as viewer." in client.get("/").get_data(as_text=True)
    assert workspaces.role_of(guest.id, user.workspace_id) == "viewer"
    db.session.expire_all()
    assert accounts.user_by_email(GUEST).workspace_id == user.workspace_id


def test_logged_in_as_that_address_join_joins_once(app, user):
    guest = accounts.sign_up(GUEST, PASSWORD)
    raw = invited(user)
    client = client_of(app, GUEST)
    page = client.get(f"/invitations/{raw}").get_data(as_text=True)
    assert f'action="/invitations/{raw}/join"' in page and "Join marketer" in page
    assert client.post(f"/invitations/{raw}/join").status_code == 303
    assert workspaces.role_of(guest.id, user.workspace_id) == "editor"
    again = client.post(f"/invitations/{raw}/join")
    assert again.status_code == 404 and "no longer works" in again.get_data(as_text=True)


def test_logged_in_as_another_address_is_told_to_log_out(app, auth_client, user):
    raw = invited(user)
    other = accounts.sign_up("other@example.com", PASSWORD)
    client = client_of(app, other.email)
    page = client.get(f"/invitations/{raw}").get_data(as_text=True)
    assert f"This invitation is for {GUEST}, and you are logged in as other@example.com. Log out" in page
    assert "/join" not in page
    response = client.post(f"/invitations/{raw}/join")
    assert response.status_code == 409
    assert workspaces.role_of(other.id, user.workspace_id) is None and invitations.find(raw)


def test_an_expired_link_no_longer_works(app, user):
    raw = invited(user)
    found = db.session.query(Invitation).one()
    found.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert new_client(app).get(f"/invitations/{raw}").status_code == 404
    assert new_client(app).get(f"/signup?invitation={raw}").status_code == 404


def history(workspace_id) -> list[tuple[str, int | None, str, str]]:
    db.session.expire_all()
    return [(row.kind, row.actor_id, row.actor_name, row.summary) for row in
            db.session.query(Activity).filter_by(workspace_id=workspace_id).order_by(Activity.id)]


@pytest.mark.parametrize("way_in", ["sign up", "log in", "join"])
def test_the_workspace_history_says_who_invited_whom_and_who_joined(app, auth_client, user, way_in):
    if way_in != "sign up":
        accounts.sign_up(GUEST, PASSWORD)
    page = auth_client.post("/settings/invitations", data={"email": GUEST, "role": "reviewer"}).get_data(as_text=True)
    raw = token_of(invite_link(page))
    guest = new_client(app)
    if way_in == "sign up":
        assert guest.post(f"/signup?invitation={raw}", data={"email": GUEST, "password": PASSWORD}).status_code == 303
    elif way_in == "log in":
        assert guest.post(f"/login?invitation={raw}", data={"email": GUEST, "password": PASSWORD}).status_code == 303
    else:
        guest = client_of(app, GUEST)
        assert guest.post(f"/invitations/{raw}/join").status_code == 303
    new = accounts.user_by_email(GUEST)
    assert history(user.workspace_id) == [
        ("member_invited", user.id, user.email, f"Invited {GUEST} as reviewer"),
        ("member_joined", new.id, GUEST, f"{GUEST} joined the workspace as reviewer"),
    ]
    shown = html.unescape(auth_client.get("/activity").get_data(as_text=True))
    assert f"Invited {GUEST} as reviewer" in shown and f"{GUEST} joined the workspace as reviewer" in shown


def test_a_refused_invitation_leaves_no_history(auth_client, user):
    assert auth_client.post("/settings/invitations", data={"email": "", "role": "editor"}).status_code == 422
    assert history(user.workspace_id) == []
