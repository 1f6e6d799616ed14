"""The activity history: who changed what and when, in a sentence a person reads, per workspace and per campaign.

`record` adds a row to the session; the caller commits, so a change and its history are saved together
or not at all. Who made the change is the person the request (or the job) acts for: the web layer sets
it once per request (`set_actor`), a job from its run's author (`acting_for_run`), so services that do
not know their actor still record it. Work gtm does on its own schedule (an alert raised) is by "gtm".
"""
import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select

from .. import ids
from ..extensions import db
from ..models import Activity, Campaign, Membership, Run, User
from . import paging
from .errors import Invalid, NotFound

# Who the current request or job acts for: a user id, or None for nobody known (gtm's own work).
_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("gtm_activity_actor", default=None)

GTM = "gtm"
# The activity pages show this many rows at a time.
SHOWN = 50
QUOTE_MAX = 120

# Every kind of change, by what a person calls it, in the order the filter lists them.
KINDS: dict[str, str] = {
    "campaign_created": "Campaign created", "campaign_edited": "Campaign edited",
    "campaign_archived": "Campaign archived", "campaign_unarchived": "Campaign brought back",
    "campaign_deleted": "Campaign deleted", "campaign_imported": "Campaign imported",
    "campaign_exported": "Campaign downloaded",
    "step_generated": "Analysis step written", "step_regenerated": "Analysis step rewritten with feedback",
    "step_edited": "Analysis step edited by hand", "step_made_current": "Analysis step version made current",
    "strategy_planned": "Strategy planned", "strategy_regenerated": "Strategy regenerated",
    "strategy_restored": "Strategy version restored", "strategy_undone": "Strategy change undone",
    "variant_edited": "Post copy edited by hand", "variant_made_current": "Post copy version made current",
    "variant_rewritten": "Post copy rewritten",
    "posts_submitted": "Posts submitted for review", "changes_requested": "Changes requested",
    "commented": "Comment",
    "post_approved": "Post approved", "post_unapproved": "Approval withdrawn",
    "posts_approved": "All posts approved", "approval_taken": "Approval taken away by a change",
    "results_recorded": "Results recorded",
    "trigger_created": "Trigger created", "trigger_deleted": "Trigger deleted", "trigger_paused": "Trigger paused",
    "trigger_resumed": "Trigger resumed", "alert_raised": "Alert raised", "alert_dismissed": "Alert dismissed",
    "member_invited": "Member invited", "member_joined": "Member joined",
    "member_role_changed": "Member's role changed", "member_removed": "Member removed",
    "review_link_created": "Posts shared for review by link", "review_link_revoked": "Review link withdrawn",
    "post_moved": "Post moved on the calendar", "feed_created": "Calendar feed address made",
    "feed_revoked": "Calendar feed address revoked", "follow_up_added": "Follow-up post added",
    "webhook_created": "Webhook added", "webhook_changed": "Webhook changed", "webhook_deleted": "Webhook removed",
    "voice_changed": "Workspace voice changed", "campaign_voice_changed": "Campaign voice changed",
}


def set_actor(user_id: int | None) -> None:
    """Act for `user_id` until told otherwise (the web layer, once per request)."""
    _actor.set(user_id)


def actor() -> int | None:
    """The user the current request or job acts for, or None."""
    return _actor.get()


@contextmanager
def acting_as(user_id: int | None):
    """Act for `user_id` inside the block, then for whoever it was before."""
    token = _actor.set(user_id)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def acting_for_run(run_id: int):
    """Inside a job: act for the person who started the run (its `author_id`), or for gtm when none did."""
    run = db.session.get(Run, run_id)
    author = (run.params or {}).get("author_id") if run is not None else None
    with acting_as(author if isinstance(author, int) else None):
        yield


def quote(text, limit: int = QUOTE_MAX) -> str:
    """Text a person wrote, between quotation marks, shortened to `limit` characters."""
    text = " ".join(str(text or "").split())
    return f"“{text if len(text) <= limit else text[:limit - 1] + '…'}”"


def record(workspace_id: int, kind: str, summary: str, *, campaign_id: int | None = None,
           actor_id: int | None = None, subject=None, link: str | None = None,
           actor_name: str | None = None) -> Activity:
    """Add a row of history to the session (the caller commits, with the change it describes).

    The actor is `actor_id`, else the person the request or job acts for; `actor_name` alone (such as "gtm")
    names an actor who is not a member. `subject` is a model row or a (type, id) pair."""
    if actor_id is None and actor_name is None:
        actor_id = _actor.get()
    with db.session.no_autoflush:
        if actor_name is None:
            user = db.session.get(User, actor_id) if actor_id is not None else None
            actor_name = user.email if user is not None else GTM
        subject_type, subject_id = _subject(subject)
    row = Activity(workspace_id=workspace_id, campaign_id=campaign_id, actor_id=actor_id, actor_name=actor_name,
                   kind=kind, summary=summary, subject_type=subject_type, subject_id=subject_id, link=link)
    db.session.add(row)
    return row


def _subject(subject) -> tuple[str | None, int | None]:
    if subject is None:
        return None, None
    if isinstance(subject, tuple):
        return subject
    if subject.id is None:
        db.session.flush()
    return subject.__tablename__, subject.id


def forget_campaign(campaign_id: int) -> None:
    """A campaign is being deleted: its rows stay in the workspace's history, without the campaign or links to
    pages that are gone (the caller commits, with the deletion)."""
    db.session.execute(Activity.__table__.update().where(Activity.campaign_id == campaign_id)
                       .values(campaign_id=None, link=None))


# The pages a row links to.
def campaign_path(campaign_id: int) -> str:
    return f"/campaigns/{campaign_id}"


def step_path(campaign_id: int, kind: str) -> str:
    return f"/campaigns/{campaign_id}/steps/{kind}"


def board_path(campaign_id: int) -> str:
    return f"/campaigns/{campaign_id}/strategy"


def version_path(campaign_id: int, number: int) -> str:
    return f"/campaigns/{campaign_id}/strategy/versions/{number}"


def post_path(campaign_id: int, post_id: int) -> str:
    return f"/campaigns/{campaign_id}/posts/{post_id}"


def results_path(campaign_id: int) -> str:
    return f"/campaigns/{campaign_id}/results"


def triggers_path(campaign_id: int) -> str:
    return f"/campaigns/{campaign_id}/triggers"


MEMBERS_PATH = "/settings"


# Reading the history.
@dataclass(frozen=True)
class Filters:
    person: int | None = None
    kind: str | None = None
    campaign: int | None = None

    @property
    def any(self) -> bool:
        return any(value is not None for value in (self.person, self.kind, self.campaign))


def filters(person=None, kind=None, campaign=None) -> Filters:
    """Read the filters (each may be absent), or raise Invalid naming the one that is wrong."""
    errors = {}
    found_person = found_campaign = None
    if person not in (None, ""):
        found_person = ids.whole(person, low=1)
        if found_person is None:
            errors["person"] = "Choose a person from the list."
    if campaign not in (None, ""):
        found_campaign = ids.whole(campaign, low=1)
        if found_campaign is None:
            errors["campaign"] = "Choose a campaign from the list."
    if kind in ("", None):
        kind = None
    elif kind not in KINDS:
        errors["kind"] = "Choose a kind of change from the list."
    if errors:
        raise Invalid(errors, " ".join(errors.values()))
    return Filters(found_person, kind, found_campaign)


def workspace_history(workspace_id: int, before=None, limit=None, found: Filters = Filters()) -> paging.Page[Activity]:
    """The workspace's history, newest first, a page at a time (those before the cursor `before`)."""
    query = select(Activity).where(Activity.workspace_id == workspace_id)
    if found.campaign is not None:
        query = query.where(Activity.campaign_id == found.campaign)
    return _page(query, found, before, limit)


def campaign_history(workspace_id: int, campaign_id: int, before=None, limit=None,
                     found: Filters = Filters()) -> paging.Page[Activity]:
    """The campaign's history, newest first, a page at a time; another workspace's campaign is not found."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.workspace_id != workspace_id:
        raise NotFound("No such campaign.")
    query = select(Activity).where(Activity.campaign_id == campaign_id, Activity.workspace_id == workspace_id)
    return _page(query, found, before, limit)


def _page(query, found: Filters, before, limit) -> paging.Page[Activity]:
    before, size = paging.cursor(before), paging.limit(limit, SHOWN)
    if found.person is not None:
        query = query.where(Activity.actor_id == found.person)
    if found.kind is not None:
        query = query.where(Activity.kind == found.kind)
    rows = db.session.scalars(paging.keyset(query, Activity.id, before, size)).all()
    return paging.page_of(rows, size, before, lambda row: row.id)


def kind_name(kind: str) -> str:
    """What a person calls a kind of change."""
    return KINDS.get(kind) or kind.replace("_", " ").capitalize()


def people(workspace_id: int) -> list[tuple[int, str]]:
    """The workspace's members, by email, for the person filter."""
    return list(db.session.execute(select(User.id, User.email).join(Membership, Membership.user_id == User.id)
                                   .where(Membership.workspace_id == workspace_id).order_by(User.email)).all())


def campaign_names(workspace_id: int) -> dict[int, str]:
    """The workspace's campaigns by id (archived ones too), for the campaign filter and the rows."""
    return dict(db.session.execute(select(Campaign.id, Campaign.name).where(Campaign.workspace_id == workspace_id)
                                   .order_by(Campaign.name)).all())

