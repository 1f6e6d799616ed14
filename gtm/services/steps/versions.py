"""Step versions: look them up, add one, make one current, save a hand edit, list and compare them.

A version is never overwritten. Exactly one version of a step is current; a partial unique
index holds that in the database, so the un-marking of the old current version is always
written before the new one is marked.
"""
from dataclasses import dataclass, field
from sqlalchemy import func, select, update

from ... import ids
from ...extensions import db
from ...models import StepVersion
from .. import activity, campaigns, paging
from ..errors import Conflict, Invalid, NotFound
from ..numbering import commit_retrying, next_number
from . import content as step_content
from .specs import SPECS, StepSpec, spec_for



def current(campaign_id: int, kind: str) -> StepVersion | None:
    return db.session.scalar(select(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind, StepVersion.is_current.is_(True)))


def current_numbers(campaign_id: int) -> dict[str, int]:
    """Return the current version number of every step that has one."""
    rows = db.session.execute(select(StepVersion.kind, StepVersion.number).where(
        StepVersion.campaign_id == campaign_id, StepVersion.is_current.is_(True)))
    return {kind: number for kind, number in rows}


def count(campaign_id: int, kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind)) or 0


def numbered(campaign_id: int, kind: str, number: int) -> StepVersion | None:
    return db.session.scalar(select(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind, StepVersion.number == number))


def version_or_404(campaign_id: int, spec: StepSpec, number) -> StepVersion:
    # Only whole numbers the database can hold name a version; anything else simply does not exist.
    valid = isinstance(number, int) and ids.whole(number, low=1) is not None
    version = numbered(campaign_id, spec.kind, number) if valid else None
    if version is None:
        raise NotFound(f"The {spec.title.lower()} has no version {number}.")
    return version


def _uncurrent(campaign_id: int, kind: str) -> None:
    # A statement of its own, so it reaches the database before any row is marked current.
    db.session.execute(update(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind, StepVersion.is_current.is_(True))
        .values(is_current=False))


def add_current(campaign_id: int, kind: str, **fields) -> StepVersion:
    """Add the next version of a step and make it current (the caller commits)."""
    number = next_number(StepVersion.number, StepVersion.campaign_id == campaign_id, StepVersion.kind == kind)
    _uncurrent(campaign_id, kind)
    version = StepVersion(campaign_id=campaign_id, kind=kind, number=number, is_current=True, **fields)
    db.session.add(version)
    db.session.flush()
    return version


def make_current(workspace_id: int, campaign_id: int, kind: str, number) -> StepVersion:
    """Make an older version current again; nothing is deleted, and later steps become stale."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    version = version_or_404(campaign_id, spec, number)

    def mark():
        _uncurrent(campaign_id, kind)
        db.session.execute(update(StepVersion).where(StepVersion.id == version.id).values(is_current=True))
        activity.record(workspace_id, "step_made_current", f"Made version {version.number} of the "
                        f"{spec.title.lower()} current again", campaign_id=campaign_id, subject=version,
                        link=activity.step_path(campaign_id, kind))
        return version

    if not version.is_current:
        # A job that saves a new current version at the same moment makes one of the two commits fail; do it again.
        commit_retrying(mark)
        db.session.refresh(version)
    return version


def editable(workspace_id: int, campaign_id: int, kind: str, number=None) -> StepVersion:
    """Return the version a hand edit starts from: version `number`, or the current one by default."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    version = version_or_404(campaign_id, spec, number) if number is not None else current(campaign_id, kind)
    if version is None:
        raise Conflict(f"There is no {spec.title.lower()} to edit yet; generate it first.")
    return version


def save_edit(workspace_id: int, campaign_id: int, kind: str, content, based_on=None,
              names: dict | None = None) -> StepVersion:
    """Save structured content as a new, hand-edited version; nothing is saved when a field is wrong.

    Errors name the fields by their path into the content (`segments.0.name`), or, for content read from
    a form, by the form's names of its groups: `names` maps a group's path to where it was posted."""
    spec = spec_for(kind)
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    if content is None:
        raise Invalid({"content": "This field is required: the step's content as an object."})
    if not isinstance(content, dict):
        raise Invalid({"content": "Must be an object with the step's fields."})
    base = editable(workspace_id, campaign_id, kind, based_on)
    value, errors = step_content.validate(spec.schema, content, names)
    if errors:
        raise Invalid(errors, "Some fields need attention; nothing was saved.")
    inputs = dict(base.inputs or {})
    content = spec.finished(value.model_dump(mode="json"), inputs, campaigns.as_facts(campaign))
    # The edit keeps the context its base was built on: editing does not refresh it.
    def add():
        version = add_current(campaign_id, spec.kind, content=content, inputs=inputs, feedback="",
                              based_on=base.number, context_versions=dict(base.context_versions or {}), edited=True)
        activity.record(workspace_id, "step_edited", f"Edited the {spec.title.lower()} by hand (version "
                        f"{version.number})", campaign_id=campaign_id, subject=version,
                        link=activity.step_path(campaign_id, spec.kind))
        return version

    return commit_retrying(add)


def list_versions(workspace_id: int, campaign_id: int, kind: str, before=None, limit=None) -> paging.Page[StepVersion]:
    """Return a page of a step's versions, oldest first: the newest ones, or those before the cursor `before`."""
    spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    before, size = paging.cursor(before), paging.limit(limit)
    rows = db.session.scalars(paging.keyset(select(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind), StepVersion.number, before, size)).all()
    found = paging.page_of(rows, size, before, lambda version: version.number)
    found.items.reverse()
    return found


@dataclass
class Diff:
    old: StepVersion
    new: StepVersion
    lines: list[step_content.DiffLine]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.op == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.op == "removed")


# The versions page of a step shows this many at a time.
VERSIONS_SHOWN = 20


@dataclass
class History:
    """A page of a step's versions (oldest first), the differences between two of them, and the newest number."""

    spec: StepSpec
    versions: paging.Page[StepVersion]
    diff: Diff | None
    latest: int = 0
    titles: dict[str, str] = field(default_factory=lambda: {k: s.title for k, s in SPECS.items()})


def step_history(workspace_id: int, campaign_id: int, kind: str, old=None, new=None, before=None) -> History:
    """Return a page of a step's versions (the newest, or those before `before`) and a diff: of `old` and `new`,
    or of the two newest by default."""
    spec = spec_for(kind)
    found = list_versions(workspace_id, campaign_id, kind, before, VERSIONS_SHOWN)
    latest = db.session.scalar(select(func.max(StepVersion.number)).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind)) or 0
    if old is None and new is None and latest > 1:
        old, new = latest - 1, latest
    elif old is None or new is None:
        if old is not None or new is not None:
            raise Invalid({"a" if old is None else "b": "Choose a version to compare."},
                          "Choose two versions to compare, like ?a=1&b=2.")
        return History(spec, found, None, latest)
    return History(spec, found, diff_versions(workspace_id, campaign_id, kind, old, new), latest)


def diff_versions(workspace_id: int, campaign_id: int, kind: str, old, new) -> Diff:
    """Compare two versions of a step as readable lines."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    missing = {name: "Choose a version to compare." for name, value in (("a", old), ("b", new)) if value is None}
    if missing:
        raise Invalid(missing, "Give two versions to compare, like ?a=1&b=2.")
    a, b = version_or_404(campaign_id, spec, old), version_or_404(campaign_id, spec, new)
    return Diff(a, b, step_content.diff_lines(a.content, b.content))
