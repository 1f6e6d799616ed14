"""Who may call what: every page route and API operation, by endpoint, with the action it needs (the actions
and the roles that have them are in gtm/services/roles.py). A route missing from this table is refused for
everyone, and a test that walks the URL map fails, so a new route cannot slip through unchecked.

Pages find the workspace a session acts in and the person's role there before any view runs; the API checks
its token first (api/blueprint.py) and then the same table."""
from flask import Flask, g, request, session
from flask_login import current_user

from ..services import activity, roles, workspaces
from ..services.errors import Forbidden, NotFound

PUBLIC = "public"  # no workspace: signing up, logging in and out, the favicon, static files, the API's description
# The instance's administrators only (User.is_admin, named with `gtm users set-admin`), whatever their role in a
# workspace; to everyone else signed in such a page does not exist (404), and whoever is signed out is asked to log in.
ADMIN = "admin"

ENDPOINTS: dict[str, str] = {
    # Not in a workspace.
    "auth.login": PUBLIC, "auth.signup": PUBLIC, "auth.logout": PUBLIC, "favicon": PUBLIC, "static": PUBLIC,
    "api.openapi": PUBLIC,
    # Liveness and readiness for process managers and load balancers (they say which part is away, no more).
    "health.healthz": PUBLIC, "health.readyz": PUBLIC,
    # Prometheus' scrape, when GTM_METRICS=1: no session; GTM_METRICS_TOKEN, when set, is checked by the view.
    "metrics": PUBLIC,
    # A link that works once, for whoever holds it: an invitation (joining needs the invited person logged in),
    # and setting a forgotten password.
    "auth.invitation": PUBLIC, "auth.join": PUBLIC, "auth.forgot": PUBLIC, "auth.reset_password": PUBLIC,
    # The person's own account, whatever their role: password, their tokens, which workspace they act in.
    "settings.index": "read", "settings.change_password": "read", "settings.create_token": "read",
    "settings.revoke_token": "read", "settings.switch_workspace": "read",
    # Members and roles.
    "settings.members": "read", "settings.change_role": "manage", "settings.remove_member": "manage",
    "api.get_workspace": "read", "api.change_member_role": "manage", "api.remove_member": "manage",
    "settings.invite": "manage", "settings.revoke_invitation": "manage", "settings.make_reset_link": "manage",
    "api.create_invitation": "manage",
    # Campaigns.
    "campaigns.index": "read", "campaigns.show": "read", "campaigns.new": "edit", "campaigns.edit": "edit",
    "campaigns.archive": "edit", "campaigns.unarchive": "edit", "campaigns.delete": "manage",
    "api.list_campaigns": "read", "api.get_campaign": "read", "api.create_campaign": "edit",
    "api.update_campaign": "edit", "api.archive_campaign": "edit", "api.unarchive_campaign": "edit",
    "api.delete_campaign": "manage",
    # The five analysis steps.
    "workflow.step": "read", "workflow.versions": "read", "workflow.generate": "edit", "workflow.regenerate": "edit",
    "workflow.refresh": "edit", "workflow.retry": "edit", "workflow.edit": "edit", "workflow.make_current": "edit",
    "api.get_step": "read", "api.diff_step_versions": "read", "api.generate_step": "edit",
    "api.create_step_version": "edit", "api.make_step_version_current": "edit",
    # Runs.
    "runs.show": "read", "api.get_run": "read",
    # The strategy: board, graph, posts and their variants.
    "strategy.board": "read", "strategy.summary": "read", "strategy.graph": "read", "strategy.mermaid": "read",
    "strategy.post": "read", "strategy.variant": "read", "strategy.media": "read",
    "strategy.regenerate_preview": "read",
    "strategy.plan": "edit", "strategy.regenerate_strategy": "edit", "strategy.retry_regeneration": "edit",
    "strategy.undo": "edit", "strategy.retry": "edit", "strategy.regenerate": "edit", "strategy.edit_variant": "edit",
    "strategy.add_follow_up": "edit",
    "strategy.make_variant_current": "edit",
    "strategy.approve": "review", "strategy.approve_all": "review",
    # Reviews: editors submit written drafts, reviewers approve them or request changes.
    "strategy.submit_reviews": "edit", "strategy.submit_review": "edit", "strategy.review": "review",
    "api.submit_for_review": "edit", "api.review_post": "review",
    # Comments on posts and step versions: every role may comment.
    "comments.create": "comment", "comments.edit": "comment", "comments.delete": "comment",
    "api.list_post_comments": "read", "api.create_post_comment": "comment",
    "api.strategy_nodes": "read", "api.regenerate_preview": "read", "api.get_variant": "read",
    "api.plan_strategy": "edit", "api.regenerate_strategy": "edit", "api.create_variant_version": "edit",
    "api.make_variant_version_current": "edit", "api.approve_all_posts": "review",
    # Versions.
    "versions.index": "read", "versions.show": "read", "versions.compare": "read", "versions.restore": "edit",
    "api.strategy_versions": "read", "api.strategy_version": "read", "api.compare_versions": "read",
    "api.restore_version": "edit", "api.add_follow_up": "edit",
    # The chat: reading it is reading; asking a question changes nothing, so whoever may comment may send a
    # message, and the chat service refuses a command that changes the strategy to a role that may not edit.
    "chat.show": "read", "chat.message": "read", "chat.post": "comment", "chat.undo": "edit", "chat.retry": "edit",
    "api.chat_history": "read", "api.post_chat_message": "comment",
    # Exports and imports.
    "exports.export": "read", "exports.import_campaign": "edit", "api.export_campaign": "read",
    "api.import_campaign": "edit",
    # Results, triggers and alerts.
    "results.show": "read", "results.template": "read", "results.record": "edit", "results.upload": "edit",
    "results.confirm": "edit", "api.campaign_results": "read", "api.record_metrics": "edit",
    "triggers.index": "read", "triggers.alerts": "read", "triggers.badge": "read", "triggers.create": "edit",
    "triggers.delete": "edit", "triggers.pause": "edit", "triggers.resume": "edit", "triggers.dismiss": "edit",
    "api.list_triggers": "read", "api.list_alerts": "read", "api.create_trigger": "edit",
    "api.dismiss_alert": "edit",
    # Review links: owners and editors share posts with people outside the workspace; the link's own pages are
    # open to whoever holds it (review_links.py).
    "review_links.index": "edit", "review_links.create": "edit", "review_links.revoke": "edit",
    "review_links.shared": PUBLIC, "review_links.decide": PUBLIC, "review_links.image": PUBLIC,
    "api.create_review_link": "edit", "api.revoke_review_link": "edit",
    # The calendar feed: owners and editors make its secret address anew or turn it off; the address itself
    # answers whoever holds it, with no log-in (feeds.py).
    "feeds.show": "read", "feeds.create": "edit", "feeds.revoke": "edit", "feeds.feed": PUBLIC,
    "api.create_calendar_feed": "edit", "api.revoke_calendar_feed": "edit",
    # The activity history.
    "activity.index": "read", "activity.campaign": "read", "api.activity_history": "read", "api.campaign_activity": "read",
    # The content calendar: reading it is reading; moving a post, or setting the launch date from it, is editing.
    "calendar.show": "read", "calendar.move": "edit", "calendar.launch_date": "edit",
    "api.campaign_calendar": "read", "api.move_post": "edit",
    # Outbound webhooks: the workspace's owners only (web/webhooks.py, api/webhooks.py).
    "settings.webhooks_index": "manage", "settings.create_webhook": "manage", "settings.webhook_log": "manage",
    "settings.change_webhook": "manage", "settings.pause_webhook": "manage", "settings.delete_webhook": "manage",
    "settings.test_webhook": "manage", "settings.redeliver_webhook": "manage",
    "api.create_webhook": "manage", "api.list_webhooks": "manage", "api.change_webhook": "manage",
    "api.delete_webhook": "manage", "api.webhook_deliveries": "manage", "api.test_webhook": "manage",
    "api.redeliver_webhook": "manage",
    # The brand voice: everyone reads it; owners and editors set the workspace's and a campaign's (voice.py).
    "settings.voice_page": "read", "settings.save_voice": "edit", "campaigns.campaign_voice": "read",
    "campaigns.save_campaign_voice": "edit",
    "api.get_workspace_voice": "read", "api.put_workspace_voice": "edit", "api.get_campaign_voice": "read",
    "api.put_campaign_voice": "edit",
}


# Whole blueprints under one rule, for every endpoint they have now or later: the jobs dashboard (web/admin.py).
BLUEPRINTS: dict[str, str] = {"admin": ADMIN}


def action_of(endpoint: str | None) -> str | None:
    """The action an endpoint needs, by its own line or its blueprint's; None for an endpoint in neither table."""
    if endpoint in ENDPOINTS:
        return ENDPOINTS[endpoint]
    return BLUEPRINTS.get((endpoint or "").rpartition(".")[0])


def check(role: str | None, endpoint: str | None) -> None:
    """Raise Forbidden unless `role` may call `endpoint`; an endpoint missing from the table is refused."""
    action = action_of(endpoint)
    if action == PUBLIC:
        return
    if action is None or action == ADMIN:  # the API has no administrators' operations
        raise Forbidden("This address is not open to anyone yet.")
    if not roles.can(role, action):
        raise Forbidden(roles.refusal(role, action) if role else "You are not a member of this workspace.")


def role() -> str | None:
    """The signed-in person's role in the workspace this request acts in (pages and API alike)."""
    return g.get("role")


def can(action: str) -> bool:
    """For templates: whether the person may do `action` here, so a page offers only what they can do."""
    return roles.can(role(), action)


def init_app(app: Flask) -> None:
    @app.before_request
    def act_in_a_workspace():
        """Find the workspace a page request acts in and the role there, then refuse what the role may not do.

        Unknown addresses (no endpoint) go on to the 404 handler; the API checks its token first."""
        if request.endpoint is None or request.blueprint == "api":
            return
        action = action_of(request.endpoint)
        if action == PUBLIC:
            return
        if action is None:
            raise Forbidden("This address is not open to anyone yet.")
        if not current_user.is_authenticated:
            return  # the view's login_required sends the person to log in
        if action == ADMIN and not current_user.is_admin:
            raise NotFound("This page does not exist.")
        g.workspace_id, g.role = workspaces.acting_workspace(current_user, session.get("workspace_id"))
        session["workspace_id"] = g.workspace_id
        activity.set_actor(current_user.id)
        if action != ADMIN:
            check(g.role, request.endpoint)

    app.add_template_global(can)
