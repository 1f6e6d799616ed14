"""Workspaces never see each other's data, and forms need their CSRF token."""
import re
import tempfile

import pytest

from gtm import create_app
from gtm.extensions import db
from gtm.models import (
    Alert, Campaign, ChatMessage, Comment, Edge, Phase, Post, Run, StepVersion, StrategyVersion, Trigger, Variant,
)
from gtm.services import accounts, campaigns, invitations
from gtm.models.review_link import ReviewLink
from gtm.services import review_links, webhooks

from tests.kit.campaigns import CAMPAIGN
from tests.kit.clients import PASSWORD, log_in
from tests.kit.routes import url_for_rule


def _rules():
    """Every route that takes an id, with its methods, read from the real URL map."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": tempfile.mkdtemp(prefix="gtm-map-"),
                      "SECRET_KEY": "x"})
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(pytest.param(rule.rule, method, id=f"{method} {rule.rule}"))
    return found


@pytest.fixture
def other(app):
    """A second workspace with one of everything: the ids the first user must not reach."""
    owner = accounts.sign_up("rival@example.com", PASSWORD)
    campaign = campaigns.create_campaign(owner.workspace_id, dict(CAMPAIGN))
    run = Run(workspace_id=owner.workspace_id, campaign_id=campaign.id, kind="step", subject="competitors",
              status="failed", error="x")
    db.session.add(run)
    db.session.flush()
    version = StepVersion(campaign_id=campaign.id, kind="competitors", number=1, content={"summary": "s",
                          "competitors": []}, is_current=True, run_id=run.id)
    strategy = StrategyVersion(campaign_id=campaign.id, number=1)
    phases = [Phase(campaign_id=campaign.id, version=1, number=n, name=f"P{n}", goal="g") for n in (1, 2)]
    posts = [Post(campaign_id=campaign.id, version=1, phase=n, key=f"p{n}", title="t", channel="linkedin",
                  brief="b", status="ready") for n in (1, 2)]
    db.session.add_all([version, strategy, *phases, *posts])
    db.session.flush()
    db.session.add(Edge(campaign_id=campaign.id, from_post_id=posts[0].id, to_post_id=posts[1].id))
    variant = Variant(post_id=posts[0].id, label="A", headline="h", body="b", call_to_action="c", hashtags=[],
                      image_prompt="i", media_path=None)
    db.session.add(variant)
    message = ChatMessage(campaign_id=campaign.id, author_id=owner.id, author=owner.email, text="!regenerate phase 2 x",
                          reply="Regenerating", run_id=run.id)
    db.session.add(message)
    trigger = Trigger(campaign_id=campaign.id, metric="ctr", comparison="<", threshold=1.0, min_impressions=0,
                      action="regenerate", from_phase=2)
    db.session.add(trigger)
    db.session.flush()
    alert = Alert(campaign_id=campaign.id, trigger_id=trigger.id, fingerprint="rival-alert", evidence={},
                  action={"kind": "regenerate", "from_phase": 2, "direction": "x"})
    db.session.add(alert)
    comment = Comment(workspace_id=owner.workspace_id, campaign_id=campaign.id, subject_type="post",
                      subject_id=posts[0].id, author_id=owner.id, author_name=owner.email, body="Rival's note")
    db.session.add(comment)
    token, _ = accounts.create_token(owner.id, "rival")
    campaign.current_version = 1
    db.session.commit()
    invitation, _ = invitations.invite(owner.workspace_id, owner.id, "rivals-colleague@example.com", "editor")
    db.session.commit()
    # A member of the rival workspace only, and a link token that names nothing.
    return {"user_id": owner.id, "invitation_id": invitation.id, "token": "no-such-link",
            "subject_type": "post", "subject_id": posts[0].id, "comment_id": comment.id,
            "campaign_id": campaign.id, "run_id": run.id, "token_id": token.id, "post_id": posts[0].id,
            "variant_id": variant.id, "message_id": message.id, "trigger_id": trigger.id, "alert_id": alert.id,
            "link_id": review_links.create(owner.workspace_id, campaign.id, owner.id)[0].id,
            **_rival_webhook(owner)}


def _rival_webhook(owner) -> dict:
    endpoint = webhooks.create(owner.workspace_id, owner.id, "https://rival.example.com/hooks", ["post.approved"])
    return {"webhook_id": endpoint.id, "delivery_id": webhooks.send_test(owner.workspace_id, owner.id, endpoint.id).id}


@pytest.mark.parametrize("rule, method", _rules())
def test_another_workspaces_ids_answer_404(rule, method, auth_client, api, other):
    url = url_for_rule(rule, other)
    before = _counts()
    if rule.startswith("/api/"):
        response = api.client.open(url, method=method, json={}, headers=api.headers)
        assert response.status_code == 404, (url, response.status_code, response.get_data(as_text=True)[:300])
        assert response.get_json()["error"]
    else:
        response = auth_client.open(url, method=method, data={"feedback": "x", "direction": "x"})
        assert response.status_code == 404, (url, response.status_code, response.get_data(as_text=True)[:300])
    assert _counts() == before, "a refused request changed something"


def _counts():
    db.session.expire_all()
    return {model.__name__: db.session.query(model).count()
            for model in (Campaign, Run, StepVersion, Post, Variant, StrategyVersion, ChatMessage, Comment,
                          ReviewLink)}


def test_a_post_without_csrf_token_gets_400_and_changes_nothing(auth_client, campaign):
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={}, with_csrf=False)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert Run.query.count() == 0


def test_a_wrong_csrf_token_gets_400(auth_client, campaign):
    response = auth_client.post("/campaigns/new", data=dict(CAMPAIGN), headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400 and Campaign.query.count() == 1


def test_htmx_requests_carry_the_token_from_hx_headers(auth_client, campaign):
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={},
                                headers={"HX-Request": "true", "X-CSRFToken": token}, with_csrf=False)
    assert response.status_code == 200


def test_signup_form_needs_csrf_too(client):
    response = client.post("/signup", data={"email": "a@example.com", "password": PASSWORD}, with_csrf=False)
    assert response.status_code == 400


def test_unknown_step_kind_is_404_on_pages_and_api(auth_client, api, campaign):
    assert auth_client.get(f"/campaigns/{campaign.id}/steps/pricing").status_code == 404
    assert auth_client.post(f"/campaigns/{campaign.id}/steps/pricing/generate").status_code == 404
    status, body = api.post(f"/api/campaigns/{campaign.id}/steps/pricing/generate")
    assert status == 404 and "no step called 'pricing'" in body["error"]
    assert Run.query.count() == 0


def test_login_as_other_user_then_back(client, user, other):
    log_in(client, "rival@example.com")
    assert client.get(f"/campaigns/{other['campaign_id']}").status_code == 200


@pytest.mark.parametrize("rule, method", _rules())
def test_ids_out_of_range_answer_404_not_500(rule, method, auth_client, api, other):
    ids = {name: 2**63 for name in ("campaign_id", "run_id", "token_id", "post_id", "variant_id", "message_id",
                                    "trigger_id", "alert_id", "subject_id", "comment_id", "user_id", "invitation_id")}
    ids["link_id"] = 2**63
    ids["webhook_id"] = ids["delivery_id"] = 2**63
    url = url_for_rule(rule, {**ids, "subject_type": "post", "token": "x" * 200})
    if rule.startswith("/api/"):
        response = api.client.open(url, method=method, json={}, headers=api.headers)
    else:
        response = auth_client.open(url, method=method, data={})
    assert response.status_code == 404, (url, response.status_code)


@pytest.mark.parametrize("query", ["v=99999999999999999999", "v=-1", "v=abc", "a=1&b=99999999999999999999"])
def test_version_numbers_in_the_query_string_that_name_nothing_are_404(auth_client, api, campaign, work, query):
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
    work()
    assert auth_client.get(f"/campaigns/{campaign.id}/steps/competitors?{query}").status_code in (200, 404)
    response = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors/versions?{query}")
    assert response.status_code == 404 or "a=" not in query
    status, body = api.get(f"/api/campaigns/{campaign.id}/steps/competitors/diff?{query}")
    assert status in (404, 422) and body["error"]


def test_huge_numbers_on_the_post_page_are_404(auth_client, api, campaign, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.filter_by(campaign_id=campaign.id).first()
    url = f"/campaigns/{campaign.id}/posts/{post.id}"
    assert auth_client.get(url).status_code == 200
    assert auth_client.get(f"{url}?A=99999999999999999999").status_code == 404


def test_htmx_errors_are_retargeted_to_the_flash_area(htmx, campaign):
    response = htmx.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={}, with_csrf=False)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash" and response.headers["X-Gtm-Flash"] == "1"
    body = response.get_data(as_text=True)
    assert "security token" in body and "<html" not in body
    missing = htmx.get("/campaigns/999/steps/competitors")
    assert missing.status_code == 404 and missing.headers["HX-Retarget"] == "#flash"


@pytest.mark.config(REDIS_URL="redis://127.0.0.1:1/0")
def test_generating_while_redis_is_down_says_so(htmx, api, campaign):
    response = htmx.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
    assert response.status_code == 503 and response.headers["HX-Retarget"] == "#flash"
    assert "Redis does not answer" in response.get_data(as_text=True)
    status, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    assert status == 503 and "Redis does not answer" in body["error"]
    run = Run.query.order_by(Run.id.desc()).first()
    assert run.status == "failed" and run.active_key is None, "a later try is not blocked"
