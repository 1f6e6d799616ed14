"""Settings › Members: the members with their roles and when they joined, what each role may do, and for owners
a role changed, a member removed once confirmed, a password reset link made; the last owner stays an owner."""
from gtm.extensions import db
from gtm.models import Membership
from gtm.services import accounts, roles, workspaces

from tests.kit.clients import PASSWORD
from tests.kit.members import client_of, joined_member


def role_in(workspace_id: int, user_id: int) -> str | None:
    db.session.expire_all()
    return workspaces.role_of(user_id, workspace_id)


def test_settings_links_to_the_members_page(auth_client):
    page = auth_client.get("/settings").get_data(as_text=True)
    assert 'href="/settings/members"' in page


def test_the_page_lists_members_and_says_what_each_role_may_do(app, auth_client, user):
    joined_member(user, "writer@example.com", "editor")
    response = auth_client.get("/settings/members")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "marketer@example.com" in page and "writer@example.com" in page
    assert "Owner" in page and "Editor" in page and "just now" in page
    for summary in roles.ROLE_SUMMARIES.values():
        assert summary.capitalize() in page
    # An owner gets the controls.
    assert 'aria-label="Role of writer@example.com"' in page and "Remove…" in page and "Invite someone" in page


def test_a_viewer_sees_the_members_but_no_controls_and_is_refused(app, user):
    viewer = joined_member(user, "watcher@example.com", "viewer")
    client = client_of(app, viewer.email)
    page = client.get("/settings/members").get_data(as_text=True)
    assert "marketer@example.com" in page and "watcher@example.com" in page
    assert "Remove…" not in page and "Invite someone" not in page and 'name="role"' not in page
    response = client.post(f"/settings/members/{user.id}/role", data={"role": "viewer"})
    assert response.status_code == 403 and "cannot manage" in response.get_data(as_text=True)
    assert role_in(user.workspace_id, user.id) == "owner"


def test_an_owner_changes_a_role(auth_client, user):
    writer = joined_member(user, "writer@example.com", "editor")
    response = auth_client.post(f"/settings/members/{writer.id}/role", data={"role": "reviewer"})
    assert response.status_code == 303 and response.headers["Location"] == "/settings/members"
    assert role_in(user.workspace_id, writer.id) == "reviewer"
    assert "writer@example.com is now reviewer." in auth_client.get("/settings/members").get_data(as_text=True)


def test_an_unknown_role_is_refused_and_nothing_changes(auth_client, user):
    writer = joined_member(user, "writer@example.com", "editor")
    response = auth_client.post(f"/settings/members/{writer.id}/role", data={"role": "admin"})
    assert response.status_code == 422 and "Choose one of the roles" in response.get_data(as_text=True)
    assert role_in(user.workspace_id, writer.id) == "editor"


def test_the_last_owner_cannot_be_demoted_and_is_told_in_place(auth_client, user):
    response = auth_client.post(f"/settings/members/{user.id}/role", data={"role": "editor"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    row = page[page.index(f'id="member-{user.id}"'):]
    row = row[:row.index("</tr>")]
    assert "needs at least one owner" in row
    assert role_in(user.workspace_id, user.id) == "owner"


def test_the_last_owner_cannot_be_removed(auth_client, user):
    response = auth_client.post(f"/settings/members/{user.id}/remove", data={"confirmed": "yes"})
    assert response.status_code == 409 and "needs at least one owner" in response.get_data(as_text=True)
    assert role_in(user.workspace_id, user.id) == "owner"


def test_remove_asks_first_then_removes(app, auth_client, user):
    writer = joined_member(user, "writer@example.com", "editor")
    page = auth_client.get("/settings/members").get_data(as_text=True)
    assert 'data-confirm="Remove writer@example.com from' in page
    asked = auth_client.post(f"/settings/members/{writer.id}/remove", data={})
    assert asked.status_code == 200 and "Remove writer@example.com?" in asked.get_data(as_text=True)
    assert role_in(user.workspace_id, writer.id) == "editor"
    response = auth_client.post(f"/settings/members/{writer.id}/remove", data={"confirmed": "yes"})
    assert response.status_code == 303
    assert role_in(user.workspace_id, writer.id) is None
    assert "writer@example.com is no longer a member" in auth_client.get("/settings/members").get_data(as_text=True)


def test_removing_someone_not_a_member_is_404(auth_client, user):
    stranger = accounts.sign_up("stranger@example.com", PASSWORD)
    response = auth_client.post(f"/settings/members/{stranger.id}/remove", data={"confirmed": "yes"})
    assert response.status_code == 404
    assert db.session.query(Membership).filter_by(user_id=stranger.id).count() == 1


def test_an_owner_makes_a_reset_link_for_a_member(app, auth_client, user):
    writer = joined_member(user, "writer@example.com", "editor")
    response = auth_client.post(f"/settings/members/{writer.id}/reset-link")
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    assert 'data-copy="#reset-link"' in page and "http://localhost/reset/" in page


def test_no_reset_link_for_someone_who_belongs_to_other_workspaces(auth_client, user):
    other = accounts.sign_up("elsewhere@example.com", PASSWORD)  # owns a workspace of their own
    workspaces.add_member(user.workspace_id, other.id, "editor")
    db.session.commit()
    response = auth_client.post(f"/settings/members/{other.id}/reset-link")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "also belongs to other workspaces" in page
    assert "/reset/" not in page
