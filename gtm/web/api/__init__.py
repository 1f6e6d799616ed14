"""The JSON API under /api, authenticated with Bearer tokens: one module per resource, each holding its routes
and the models of what they take and answer, all on the one blueprint `bp` (endpoints are `api.<view>`).

- campaigns.py: campaigns; steps.py: the analysis steps (the workflow); runs.py: runs;
- strategy.py: planning, the posts by phase, approval and regeneration; reviews.py: posts submitted for review,
  approved or sent back with a comment, and a post's comments; variants.py: a post's variants, edited
  by hand and made current; versions.py: the strategy's history; follow_ups.py: a follow-up post after chosen
  posts, as a new version;
- calendar.py: the current version's posts by date, and a post moved to another date;
- activity.py: the activity history (who changed what and when); chat.py: the chat; results.py: metrics and
  results; triggers.py: triggers and alerts;
- workspace.py: the workspace, its members and their roles; invitations.py: invitations to it;
- review_links.py: links that share posts for review with people outside the workspace;
- feeds.py: a campaign's calendar feed address, made anew or turned off;
- exports.py: exports and imports; openapi.py: /api/openapi.json, generated from the routes and their models.

Shared pieces: blueprint.py (the blueprint, the token check, what describes a view), parsing.py (`documented`:
bodies and queries checked by their models), fields.py (what bodies and queries are made of), answers.py
(answer models and their field types) and errors.py.
"""
from . import (  # noqa: F401
    activity, calendar, campaigns, chat, exports, follow_ups, invitations, openapi, results, review_links, reviews,
    runs, steps, strategy, triggers, variants, versions, workspace,
)
from .blueprint import bp  # noqa: F401
from . import feeds  # noqa: F401, E402 - the calendar feed's address
from . import webhooks  # noqa: F401, E402 - outbound webhooks and their deliveries
from . import voice  # noqa: F401, E402 - the brand voice of the workspace and of a campaign
