"""A person in several workspaces: the header switches between them, each session acts in the one it chose, a
token made in Settings acts in the workspace it was made in, and a member removed from a workspace loses it at
their next request; `gtm tokens create --workspace` makes a token for one workspace."""
from gtm.extensions import db
from gtm.models import ApiToken, Campaign, User
from gtm.cli import cli
from gtm.services import accounts, campaigns, workspaces

from tests.kit.campaigns import CAMPAIGN
from tests.kit.clients import PASSWORD, log_in, new_client


def two_workspaces(user):
    """The user owns their workspace and is an editor in a colleague's, which has a campaign."""
    colleague = accounts.sign_up("lead@example.com", PASSWORD)
    workspaces.add_member(colleague.workspace_id, user.id, "editor")
    db.session.commit()
    theirs = campaigns.create_campaign(colleague.workspace_id, {**CAMPAIGN, "name": "Lead's launch"})
    return colleague, theirs


def test_switching_workspaces_from_the_header(app, user, auth_client):
    own = user.workspace_id
    colleague, theirs = two_workspaces(user)
    page = auth_client.get("/").get_data(as_text=True)
    assert 'aria-label="Workspace"' in page and "lead · Editor" in page and "Lead&#39;s launch" not in page
    assert auth_client.get(f"/campaigns/{theirs.id}").status_code == 404

    response = auth_client.post("/settings/workspace", data={"workspace_id": str(colleague.workspace_id)})
    assert response.status_code == 303
    page = auth_client.get("/").get_data(as_text=True)
    assert "You are working in lead." in page and "Lead&#39;s launch" in page
    assert auth_client.get(f"/campaigns/{theirs.id}").status_code == 200
    # Another browser of the same person starts where they last worked, and may go back on its own.
    other = log_in(new_client(app), user.email)
    assert "Lead&#39;s launch" in other.get("/").get_data(as_text=True)
    back = other.post("/settings/workspace", data={"workspace_id": str(own)})
    assert back.status_code == 303, back.get_data(as_text=True)[:2000]
    assert "Lead&#39;s launch" not in other.get("/").get_data(as_text=True)
    assert "Lead&#39;s launch" in auth_client.get("/").get_data(as_text=True)


def test_a_workspace_one_is_not_a_member_of_cannot_be_chosen(app, user, auth_client):
    own = user.workspace_id
    stranger = accounts.sign_up("stranger@example.com", PASSWORD)
    for wanted in (str(stranger.workspace_id), "x", "", "99999999999", "²", "-1", "1.0"):
        assert auth_client.post("/settings/workspace", data={"workspace_id": wanted}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, user.id).workspace_id == own


def test_a_token_made_in_settings_acts_in_the_sessions_workspace(app, user, auth_client):
    colleague, theirs = two_workspaces(user)
    auth_client.post("/settings/workspace", data={"workspace_id": str(colleague.workspace_id)})
    assert auth_client.post("/settings/tokens", data={"name": "lead's script"}).status_code == 201
    token = ApiToken.query.filter_by(name="lead's script").one()
    assert token.workspace_id == colleague.workspace_id


def test_a_removed_member_loses_the_workspace_at_their_next_request(app, user, auth_client):
    colleague, theirs = two_workspaces(user)
    auth_client.post("/settings/workspace", data={"workspace_id": str(colleague.workspace_id)})
    assert auth_client.get(f"/campaigns/{theirs.id}").status_code == 200
    workspaces.remove_member(colleague.workspace_id, colleague.id, user.id)
    assert auth_client.get(f"/campaigns/{theirs.id}").status_code == 404
    page = auth_client.get("/").get_data(as_text=True)
    assert "Lead&#39;s launch" not in page and 'aria-label="Workspace"' not in page


def test_a_viewer_is_offered_no_changes_and_is_told_why_when_trying(app, user):
    owner = accounts.sign_up("owner@example.com", PASSWORD)
    workspaces.add_member(owner.workspace_id, user.id, "viewer")
    user.workspace_id = owner.workspace_id
    db.session.commit()
    theirs = campaigns.create_campaign(owner.workspace_id, {**CAMPAIGN, "name": "Read only"})
    client = log_in(new_client(app), user.email)
    index = client.get("/").get_data(as_text=True)
    assert "Read only" in index and "New campaign" not in index
    show = client.get(f"/campaigns/{theirs.id}").get_data(as_text=True)
    assert ">Edit<" not in show and "Archive" not in show and "Delete" not in show
    refused = client.post(f"/campaigns/{theirs.id}/archive")
    assert refused.status_code == 403
    assert "Your role in this workspace is viewer, which cannot change campaigns" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, theirs.id).archived_at is None


def test_the_cli_makes_a_token_for_one_workspace(app, user):
    colleague, _ = two_workspaces(user)
    runner = app.test_cli_runner()
    invoke = runner.invoke
    runner.invoke = lambda args: invoke(cli, args=args)
    result = runner.invoke(args=["tokens", "create", user.email, "--workspace", str(colleague.workspace_id)])
    assert result.exit_code == 0, result.output
    assert f"in workspace {colleague.workspace_id}:" in result.output
    raw = result.output.split()[-1]
    assert accounts.token_for(raw).workspace_id == colleague.workspace_id
    stranger = accounts.sign_up("stranger@example.com", PASSWORD)
    refused = runner.invoke(args=["tokens", "create", user.email, "--workspace", str(stranger.workspace_id)])
    assert refused.exit_code != 0 and "is not a member of workspace" in refused.output
