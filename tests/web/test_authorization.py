"""Authorization you can see: one table names the action every route needs, and every route × every role gets
the answer the table says: allowed (anything but 403), 403 with a sentence saying why, or 404 for another
workspace. A route missing from the table is refused for everyone, and fails the first test here."""
import re

import pytest
from flask_login import login_required
from werkzeug.exceptions import HTTPException

from gtm.extensions import db
from gtm.services import accounts, review_links, roles, webhooks, workspaces
from gtm.web.authorization import ADMIN, BLUEPRINTS, ENDPOINTS, PUBLIC, action_of

from tests.kit.clients import PASSWORD, log_in, new_client
from tests.kit.routes import url_for_rule
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
# Logging out ends the session the walk goes on with; it is public, and its own tests cover it.
SKIPPED = {"auth.logout", "static"}


def rules(app):
    """Every rule of the URL map with its methods, the API's last (their refusals are JSON)."""
    found = [(rule, sorted(set(rule.methods) & set(METHODS))) for rule in app.url_map.iter_rules()
             if rule.endpoint not in SKIPPED]
    return sorted(found, key=lambda item: (item[0].endpoint.startswith("api."), item[0].rule))


def test_every_route_is_in_the_table_and_the_table_names_only_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoint for endpoint in endpoints if action_of(endpoint) is None)
    assert not missing, f"routes missing from gtm/web/authorization.py ENDPOINTS: {missing}"
    stale = sorted(set(ENDPOINTS) - endpoints)
    assert not stale, f"ENDPOINTS names endpoints that do not exist: {stale}"
    assert set(ENDPOINTS.values()) | set(BLUEPRINTS.values()) <= {PUBLIC, ADMIN, *roles.ACTIONS}
    # The administrators' blueprint is under its blueprint's rule only, so a new dashboard route cannot be opened.
    assert {endpoint for endpoint in endpoints if endpoint.startswith("admin.")} and \
        not any(endpoint.startswith("admin.") for endpoint in ENDPOINTS)


@pytest.mark.own_app
def test_a_route_missing_from_the_table_is_refused_for_everyone(app):
    @login_required
    def unlisted():
        return "should not be reached"

    # Added before the app answers anything, as a new route of a feature would be.
    app.add_url_rule("/unlisted", "unlisted", unlisted)
    owner = accounts.sign_up("owner@example.com", PASSWORD)
    response = log_in(new_client(app), owner.email).get("/unlisted")
    assert response.status_code == 403 and "should not be reached" not in response.get_data(as_text=True)


@pytest.fixture
def team(app, user, campaign):  # noqa: F811 - the kit's written campaign
    """The campaign's workspace with a member of every role, each with a logged-in browser and an API token."""
    members = {"owner": user}
    for role in ("editor", "reviewer", "viewer"):
        member = accounts.sign_up(f"{role}@example.com", PASSWORD)
        workspaces.add_member(user.workspace_id, member.id, role)
        member.workspace_id = user.workspace_id
        members[role] = member
    db.session.commit()
    clients = {role: log_in(new_client(app), member.email) for role, member in members.items()}
    tokens = {role: accounts.create_token(member.id, "walk", user.workspace_id)[1] for role, member in members.items()}
    return members, clients, tokens


def ids_for(campaign, members):  # noqa: F811
    from gtm.models import Post, Run, Trigger, ChatMessage
    post = Post.query.filter_by(campaign_id=campaign.id, is_active=True).order_by(Post.id).first()
    run = Run.query.filter_by(campaign_id=campaign.id).order_by(Run.id).first()
    # An id that names nothing is enough where the campaign has no such row: the role is checked first.
    return {"campaign_id": campaign.id, "post_id": post.id, "run_id": run.id if run else 1, "id": campaign.id,
            "variant_id": post.variants[0].id, "message_id": (ChatMessage.query.first() or post).id,
            "trigger_id": (Trigger.query.first() or post).id, "alert_id": 1, "token_id": 1,
            # A member to change or remove: the viewer, whose walk is done by then.
            "user_id": members["viewer"].id, "filename": "js/gtm.js",
            # A review link of the campaign, made by its owner.
            "link_id": review_links.create(campaign.workspace_id, campaign.id, members["owner"].id)[0].id,
            **webhook_ids(campaign.workspace_id, members["owner"].id)}


def webhook_ids(workspace_id: int, owner_id: int) -> dict:
    """A webhook of the workspace and a delivery of it (a test event, never sent: no worker runs here)."""
    endpoint = webhooks.create(workspace_id, owner_id, "https://hooks.example.com/walk", ["post.approved"])
    return {"webhook_id": endpoint.id, "delivery_id": webhooks.send_test(workspace_id, owner_id, endpoint.id).id}


def fill(rule: str, ids: dict) -> str:
    """The rule with the campaign's ids; another id names nothing, which is enough: the role is checked first."""
    return url_for_rule(rule, {**{name: 1 for name in re.findall(r"<(?:\w+:)?(\w+)>", rule)}, **ids})


def call(app, client, token, method, url):
    if url.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"}
        return app.test_client().open(url, method=method, headers=headers, json={})
    return client.open(url, method=method, data={})


def test_every_route_answers_every_role_as_the_table_says(app, team, campaign):  # noqa: F811
    members, clients, tokens = team
    ids = ids_for(campaign, members)
    wrong = []
    # The roles that may do least go first: an owner's walk may archive or delete what the others read.
    for role in ("viewer", "reviewer", "editor", "owner"):
        for rule, methods in rules(app):
            action = action_of(rule.endpoint)
            url = fill(rule.rule, ids)
            for method in methods:
                response = call(app, clients[role], tokens[role], method, url)
                if action == ADMIN:  # no member of the team is an administrator: the page does not exist for them
                    if response.status_code != 404:
                        wrong.append(f"{role} {method} {rule.rule}: {response.status_code}, but it is for admins")
                    response.close()
                    continue
                allowed = action == PUBLIC or roles.can(role, action)
                if allowed and response.status_code == 403:
                    wrong.append(f"{role} {method} {rule.rule}: 403, but the table allows {action}")
                elif not allowed and response.status_code != 403:
                    wrong.append(f"{role} {method} {rule.rule}: {response.status_code}, but {action} is refused")
                elif not allowed:
                    said = response.get_data(as_text=True)
                    assert "Your role in this workspace is" in said, (role, method, rule.rule, said[:300])
                # /readyz answers 503 by design here: no worker runs during the walk.
                if response.status_code >= 500 and rule.endpoint != "health.readyz":
                    wrong.append(f"{role} {method} {rule.rule}: {response.status_code}")
                response.close()
    assert not wrong, "\n".join(wrong)


def test_another_workspace_gets_404_on_every_campaign_route(app, team, campaign):  # noqa: F811
    members, _, _ = team
    outsider = accounts.sign_up("outsider@example.com", PASSWORD)
    client = log_in(new_client(app), outsider.email)
    token = accounts.create_token(outsider.id, "outside")[1]
    ids = ids_for(campaign, members)
    for rule, methods in rules(app):
        if "campaign_id" not in rule.arguments and "post_id" not in rule.arguments:
            continue
        url = fill(rule.rule, ids)
        for method in methods:
            response = call(app, client, token, method, url)
            status = response.status_code
            response.close()
            assert status == 404, f"outsider {method} {rule.rule}: {status}"


def forms_offered(html: str) -> list[tuple[str, str]]:
    """The (method, path) of every form on a page, and of every link on it (a link may open a form's page or
    dialog, which a role that may not use the form is refused)."""
    found = [("POST", action) for action in re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html)]
    found += [("POST", action) for action in re.findall(r'<form[^>]*hx-post="([^"]+)"', html)]
    found += [("GET", href) for href in re.findall(r'<a[^>]*\shref="(/[^"]*)"', html)]
    found += [("GET", href) for href in re.findall(r'<a[^>]*\shx-get="(/[^"]*)"', html)]
    return [(method, path.split("?")[0].split("#")[0].replace("&amp;", "&")) for method, path in found]


@pytest.mark.parametrize("role", ["viewer", "reviewer", "editor"])
def test_pages_offer_a_role_only_what_it_may_do(app, team, campaign, role):  # noqa: F811
    members, clients, _ = team
    ids = ids_for(campaign, members)
    adapter = app.url_map.bind("localhost")
    offered = []
    for rule, methods in rules(app):
        if "GET" not in methods or rule.endpoint.startswith("api.") or action_of(rule.endpoint) == PUBLIC:
            continue
        url = fill(rule.rule, ids)
        response = clients[role].get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            response.close()
            continue
        html = response.get_data(as_text=True)
        response.close()
        for method, path in forms_offered(html):
            try:
                endpoint, _ = adapter.match(path, method=method)
            except HTTPException:
                continue  # a link to a page the app does not have is another test's business
            action = action_of(endpoint)
            if action == ADMIN or (action != PUBLIC and not roles.can(role, action)):
                offered.append(f"{url} offers a {role} {endpoint} ({action})")
    assert not sorted(set(offered)), "\n".join(sorted(set(offered)))
