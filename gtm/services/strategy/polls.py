"""Cheap answers to polls: a short token for what a polling fragment shows.

A fragment that polls while work runs carries the token of the state it shows; the route reads the
token again with a few aggregate queries, whatever the number of posts or versions, and answers
204 (nothing to swap) when it has not changed. Only a changed state is rendered again.

A token covers everything the fragment shows that can change on its own: runs and their progress,
posts' statuses and approvals, the text streaming in, and the elapsed time in steps of
ELAPSED_STEP seconds. Checking the queue for dead workers (reconciling) costs several Redis calls
per unfinished run, so polls do it at most once every RECONCILE_SECONDS per campaign (and process); a render does
it every time, as before.
"""
import hashlib
import time

from redis.exceptions import RedisError
from datetime import datetime

from sqlalchemy import text

from ... import broker
from ...extensions import db
from ...models._base import utcnow
from ...models.run import UNFINISHED
from .. import runs
from ..errors import NotFound
from .lookups import CHANGE_KINDS, latest_pipeline
from .posts import reconcile_posts


ELAPSED_STEP = 5
RECONCILE_SECONDS = 3.0
_last_reconcile: dict[int, float] = {}


def token(*parts) -> str:
    return hashlib.blake2s(repr(parts).encode(), digest_size=8).hexdigest()


def _due(campaign_id: int) -> bool:
    """True at most once every RECONCILE_SECONDS per campaign in this process (a throttle, so it lives here,
    not in Redis: a poll that asked Redis would pay the round trip it saves)."""
    now = time.monotonic()
    if now - _last_reconcile.get(campaign_id, float("-inf")) < RECONCILE_SECONDS:
        return False
    _last_reconcile[campaign_id] = now
    return True


# Everything the board's token covers, in one statement whatever the number of posts, versions or metric rows.
BOARD_STATE = text("""
SELECT c.current_version,
       r.id, r.status, r.done, r.total, r.message, r.error, r.started_at,
       ps.posts, ps.planned, ps.writing, ps.failed, ps.approved, ps.in_review, ps.changes, ps.last_id, ps.id_sum,
       ms.metric_rows, ms.last_metric
FROM campaign c
LEFT JOIN run r ON r.id = (SELECT max(id) FROM run WHERE run.campaign_id = c.id
                           AND run.kind IN (%s))
CROSS JOIN (SELECT count(*) AS posts,
                   sum(CASE WHEN status = 'planned' THEN 1 ELSE 0 END) AS planned,
                   sum(CASE WHEN status = 'writing' THEN 1 ELSE 0 END) AS writing,
                   sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
                   sum(CASE WHEN approved THEN 1 ELSE 0 END) AS approved,
                   sum(CASE WHEN review = 'in_review' THEN 1 ELSE 0 END) AS in_review,
                   sum(CASE WHEN review = 'changes_requested' THEN 1 ELSE 0 END) AS changes,
                   max(id) AS last_id, sum(id) AS id_sum
            FROM post WHERE campaign_id = :campaign_id AND is_active) ps
CROSS JOIN (SELECT count(*) AS metric_rows, max(updated_at) AS last_metric
            FROM metric WHERE campaign_id = :campaign_id) ms
WHERE c.id = :campaign_id AND c.workspace_id = :workspace_id
""" % ", ".join(f"'{kind}'" for kind in CHANGE_KINDS))


def board_state(workspace_id: int, campaign_id: int) -> str:
    """The token of what the strategy board (and the campaign page's summary of it) shows."""
    row = _board_row(workspace_id, campaign_id)
    unfinished_run = row.id is not None and row.status in UNFINISHED
    if (unfinished_run or row.planned or row.writing) and _due(campaign_id):
        run = latest_pipeline(campaign_id)
        if run is not None and not run.finished:
            runs.reconcile(run)
        reconcile_posts(campaign_id)
        row = _board_row(workspace_id, campaign_id)
        unfinished_run = row.id is not None and row.status in UNFINISHED
    live, elapsed = 0, None
    if unfinished_run:
        try:
            live = broker.live_text.length(row.id)
        except RedisError:
            live = -1
        if row.started_at is not None:
            started = row.started_at if isinstance(row.started_at, datetime) else datetime.fromisoformat(
                str(row.started_at))
            elapsed = int((utcnow().replace(tzinfo=None) - started.replace(tzinfo=None)).total_seconds()
                          // ELAPSED_STEP)
    return token(tuple(row), live, elapsed)


def _board_row(workspace_id: int, campaign_id: int):
    row = db.session.connection().execute(BOARD_STATE, {"campaign_id": campaign_id,
                                                         "workspace_id": workspace_id}).one_or_none()
    if row is None:
        raise NotFound("No such campaign.")
    return row
