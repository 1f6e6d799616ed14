"""The API's activity history: who changed what and when, for the workspace and for one campaign, newest first."""
from typing import Any

from pydantic import Field

from ...services import activity, paging
from .answers import Answer, Cursor, IdText, OrNull, Timestamp, answer, next_field
from .blueprint import bp, workspace
from .fields import PageQuery, passed_on
from .parsing import documented


class Actor(Answer):
    """Who made the change: a member (their id and email as it was), or gtm's own scheduled work (no id)."""

    user_id: IdText | None = Field(validation_alias="actor_id")
    email: OrNull = Field(description="The member's email when they made the change; null for gtm's own work")
    name: str = Field(description="Who the history names: the member's email, or “gtm”")


class Subject(Answer):
    """What changed: its type (`post`, `variant`, `step_version`, `strategy_version`, `trigger`, `campaign`,
    `user`…), its id, and the page that shows it (a path; null when it has none, or no longer has one)."""

    type: str | None
    id: IdText | None
    link: str | None


class Item(Answer):
    """One change, in a sentence a person reads."""

    id: IdText
    at: Timestamp
    actor: Actor
    kind: str = Field(description="The kind of change, such as `step_regenerated`, `post_approved` or "
                                  "`results_recorded`")
    summary: str
    campaign_id: IdText | None = Field(description="The campaign it happened in; null for the workspace's own "
                                                   "changes and for a deleted campaign")
    subject: Subject | None

    @classmethod
    def of(cls, row) -> "Item":
        gtm = row.actor_id is None
        return cls(id=row.id, at=row.created_at, kind=row.kind, summary=row.summary, campaign_id=row.campaign_id,
                   actor=Actor(actor_id=row.actor_id, email=None if gtm else row.actor_name, name=row.actor_name),
                   subject=None if not (row.subject_type or row.link) else
                   Subject(type=row.subject_type, id=row.subject_id, link=row.link))


class ActivityPage(Answer):
    """A page of the history, newest first."""

    items: list[Item]
    next: Cursor = next_field("older changes")

    @classmethod
    def of(cls, rows: paging.Page) -> "ActivityPage":
        return cls(items=[Item.of(row) for row in rows], next=rows.next)


class ActivityQuery(PageQuery):
    """A page of the history, optionally only one person's changes, or one kind of change."""

    person: Any = passed_on({"type": "string", "pattern": "^[0-9]+$", "description": "Only this member's changes "
                                                                                        "(their user id)"})
    kind: Any = passed_on({"type": "string", "enum": list(activity.KINDS), "description": "Only this kind of change"})


class WorkspaceActivityQuery(ActivityQuery):
    campaign: Any = passed_on({"type": "string", "pattern": "^[0-9]+$",
                               "description": "Only this campaign's changes (its id)"})


@bp.get("/activity")
@documented({200: ActivityPage}, query=WorkspaceActivityQuery)
def activity_history(query: WorkspaceActivityQuery):
    """Return the workspace's history, newest first (or the changes before ?before=)."""
    found = activity.filters(query.person, query.kind, query.campaign)
    return answer(ActivityPage.of(activity.workspace_history(workspace(), query.before, query.limit, found)))


@bp.get("/campaigns/<int:campaign_id>/activity")
@documented({200: ActivityPage}, query=ActivityQuery)
def campaign_activity(campaign_id: int, query: ActivityQuery):
    """Return the campaign's history, newest first (or the changes before ?before=)."""
    found = activity.filters(query.person, query.kind)
    return answer(ActivityPage.of(activity.campaign_history(workspace(), campaign_id, query.before, query.limit,
                                                            found)))
