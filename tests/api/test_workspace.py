"""The API's workspace: the token's workspace with the caller's role and its members; owners change roles and
remove members, the workspace keeps an owner, and a removed member's token stops working."""
from gtm.extensions import db
from gtm.services import accounts, workspaces

from tests.kit.clients import PASSWORD, Api


def member(owner, email, role):
    found = accounts.sign_up(email, PASSWORD)
    workspaces.add_member(owner.workspace_id, found.id, role)
    db.session.commit()
    return found


def test_the_workspace_its_members_and_roles(app, api, user, answer_checker):
    editor = member(user, "editor@example.com", "editor")
    status, found = api.get("/api/workspace")
    assert status == 200 and found["id"] == str(user.workspace_id) and found["role"] == "owner"
    assert [(m["email"], m["role"]) for m in found["members"]] == [(user.email, "owner"), (editor.email, "editor")]

    status, changed = api.patch(f"/api/workspace/members/{editor.id}", json={"role": "reviewer"})
    assert status == 200 and changed == {"user_id": str(editor.id), "email": editor.email, "role": "reviewer"}
    assert api.patch(f"/api/workspace/members/{editor.id}", json={"role": "boss"})[0] == 422
    assert api.patch("/api/workspace/members/999999", json={"role": "viewer"})[0] == 404


def test_the_last_owner_stays(api, user):
    status, answer = api.patch(f"/api/workspace/members/{user.id}", json={"role": "editor"})
    assert status == 409 and "at least one owner" in answer["error"]
    assert api.delete(f"/api/workspace/members/{user.id}")[0] == 409
    assert workspaces.role_of(user.id, user.workspace_id) == "owner"


def test_only_owners_manage_members_and_a_removed_members_token_stops(app, api, user, answer_checker):
    editor = member(user, "editor@example.com", "editor")
    raw = accounts.create_token(editor.id, "script", user.workspace_id)[1]
    as_editor = Api(app, raw, answer_checker)
    status, answer = as_editor.patch(f"/api/workspace/members/{user.id}", json={"role": "viewer"})
    assert status == 403 and "Your role in this workspace is editor" in answer["error"]
    assert as_editor.get("/api/workspace")[1]["role"] == "editor"
    assert as_editor.post("/api/campaigns", json={})[0] == 422, "an editor creates campaigns"

    assert api.delete(f"/api/workspace/members/{editor.id}")[0] == 204
    assert as_editor.get("/api/workspace")[0] == 401
    assert workspaces.role_of(editor.id, user.workspace_id) is None
    # The removed editor keeps a workspace of their own.
    db.session.expire_all()
    assert workspaces.role_of(editor.id, db.session.get(type(editor), editor.id).workspace_id) == "owner"


def test_a_viewer_reads_but_cannot_change(app, user, answer_checker):
    viewer = member(user, "viewer@example.com", "viewer")
    as_viewer = Api(app, accounts.create_token(viewer.id, "read", user.workspace_id)[1], answer_checker)
    assert as_viewer.get("/api/campaigns")[0] == 200
    status, answer = as_viewer.post("/api/campaigns", json={"name": "x"})
    assert status == 403
    assert answer["error"] == ("Your role in this workspace is viewer, which cannot change campaigns: owners and "
                               "editors can. Ask an owner if you need another role.")
