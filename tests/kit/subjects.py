"""What the walks over every page open: a campaign with a written strategy in two versions, its five steps (the
competitors in two versions, the last run of which failed), a chat message, numbers, a trigger that fired and its
alert, an API token, an invitation, a password reset, a review link and a webhook, its owner an instance
administrator; every id a page rule names, and the page rules of the URL map filled with them."""
from gtm.extensions import db
from gtm.models import Post
from gtm.services import (
    accounts, chat, invitations, password_resets, results, review_links, runs, steps, strategy, webhooks,
)

from .routes import url_for_rule
from .workflow import PLAIN, generate_until

# The rules whose <token> is a secret of their own: the raw token of each, by endpoint.
TOKENS = {"auth.invitation": "invitation", "auth.reset_password": "reset", "review_links.shared": "review"}


def page_subjects(user, campaign, auth_client, work) -> dict:
    """Fill the written campaign with every kind of row a page shows, and return their ids by route parameter
    (the tokens by the name TOKENS gives them)."""
    generate_until(auth_client, work, campaign, "costs")
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate", data={"quick": "More detail"},
                     headers=PLAIN)
    work()
    step_run = steps.start_step(user.workspace_id, campaign.id, "competitors")
    runs.fail(step_run.id, "Stopped by the walk over every page.")
    strategy.regenerate(user.workspace_id, campaign.id, 2, "Lead with demos.", user.id)  # version 2, to compare
    work()
    message = chat.post_message(user.workspace_id, campaign.id, user.id, user.email, "What is phase 2 for?")
    post = Post.query.filter_by(campaign_id=campaign.id, phase=2, is_active=True).order_by(Post.id).first()
    trigger = results.create_trigger(user.workspace_id, campaign.id, {
        "metric": "ctr", "comparison": "<", "threshold": 1, "min_impressions": 1000, "scope_phase": 2,
        "action": "regenerate"}, author_id=None)
    results.record_metrics(user.workspace_id, campaign.id, [{
        "post_id": post.id, "variant": label, "date": "2024-01-02", "impressions": 2000, "clicks": 2,
        "conversions": 1, "spend": "1234.56"} for label in "AB"])
    token, _ = accounts.create_token(user.id, "every page")
    _, invitation = invitations.invite(user.workspace_id, user.id, "colleague@example.com", "editor")
    _, reset = password_resets.ask(user.email)
    link, review = review_links.create(user.workspace_id, campaign.id, user.id)
    webhook = webhooks.create(user.workspace_id, user.id, "https://hooks.example.com/gtm", ["post.approved"])
    user.is_admin = True  # the instance's administrator, who may open the admin pages
    db.session.commit()
    return {"campaign_id": campaign.id, "post_id": post.id, "run_id": step_run.id, "message_id": message.id,
            "trigger_id": trigger.id, "alert_id": results.alerts(user.workspace_id, campaign.id)[0].id,
            "token_id": token.id, "variant_id": post.variants[0].id, "link_id": link.id, "user_id": user.id,
            "comment_id": 1, "webhook_id": webhook.id,
            "token": invitation, "invitation": invitation, "reset": reset, "review": review}


def page_url(rule, ids: dict) -> str:
    """The rule filled with the subjects' ids; a <token> with the secret of its own endpoint."""
    if rule.endpoint in TOKENS:
        ids = {**ids, "token": ids[TOKENS[rule.endpoint]]}
    return url_for_rule(rule.rule, ids)
