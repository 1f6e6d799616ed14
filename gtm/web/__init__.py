"""The web layer: one blueprint per feature, registered here with the pieces every page shares."""
from flask import Flask

from . import authorization, context, converters, errors, security
from .assets import favicon, script_sources
from .htmx import poll_url
from .requests import Request


def init_app(app: Flask) -> None:
    # Before the blueprints are registered, so every <int:...> in their rules uses it.
    app.url_map.converters["int"] = converters.IdConverter
    app.request_class = Request
    from . import feeds  # a campaign's calendar feed, and its public address /feeds/<token>.ics

    from . import (
        activity, api, auth, calendar, campaigns, chat, comments, exports, results, review_links, runs, settings,
        strategy, triggers, versions, workflow,
    )
    # Routes on other modules' blueprints: invitations' links and forgotten passwords on auth's, members on settings'.
    from . import invitations, members, passwords  # noqa: F401
    from . import webhooks  # noqa: F401 - Settings › Webhooks, on settings' blueprint
    from . import voice  # noqa: F401 - the brand voice, on settings' and campaigns' blueprints
    from .filters import register_filters
    from . import health, metrics

    for module in (auth, campaigns, workflow, strategy, versions, chat, runs, settings, exports, triggers, results,
                   activity, comments, review_links, calendar):
        app.register_blueprint(module.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    from . import admin  # the instance administrators' jobs dashboard, /admin/jobs

    app.register_blueprint(admin.bp)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    register_filters(app)
    app.register_blueprint(health.bp)  # /healthz and /readyz, open to anyone
    metrics.init_app(app)  # /metrics, when GTM_METRICS=1
    context.init_app(app)
    app.register_blueprint(feeds.bp)
    app.add_template_global(poll_url)  # for macros, which are imported without the page's context
    errors.init_app(app)
    # After errors: a request refused for a NUL character is refused before anything is looked up.
    authorization.init_app(app)
    security.init_app(app, script_sources)
