"""The analysis workflow: five steps handled by one mechanism.

A step is generated with the campaign and the current versions of all earlier steps as
context. Every generation or hand edit adds a version; nothing is overwritten. A version
records which version of each earlier step it was built on, so staleness is computed,
never stored. What differs between the kinds lives in their StepSpec: the form's inputs,
the output schema, extra prompt values and how validated output becomes saved content.
"""
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable, Mapping

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import llm
from ..extensions import db
from ..llm import schemas
from ..models import STEP_KINDS, Campaign, Run, StepVersion
from . import campaigns, runs, step_content
from .errors import Conflict, Invalid, NotFound, clean_text

log = logging.getLogger(__name__)

FEEDBACK_MAX = 2000
CONTEXT_CHARS_PER_STEP = 1500
PREVIOUS_CHARS = 6000
JOB = "jobs.steps.generate_step"
QUICK_PICKS = ("More concise", "More detail", "Different angle")
BUDGET_MAX = Decimal("1000000000")


@dataclass(frozen=True)
class InputField:
    name: str
    label: str
    help: str = ""
    limit: int = 1000
    multiline: bool = True
    # text, money (a non-negative amount), currency (ISO code) or date (YYYY-MM-DD)
    type: str = "text"


def _costs_vars(inputs: dict, campaign: dict) -> dict:
    return {"currency": inputs.get("currency") or campaign.get("currency") or "USD",
            "budget_cap": inputs.get("budget_cap") or campaign.get("budget") or ""}


def _costs_content(content: dict, inputs: dict, campaign: dict) -> dict:
    """Compute the totals in code: the model's arithmetic is never used."""
    values = _costs_vars(inputs, campaign)
    return step_content.cost_totals(content, values["budget_cap"], values["currency"])


def _objectives_vars(inputs: dict, campaign: dict) -> dict:
    return {"today": date.today().isoformat()}


@dataclass(frozen=True)
class StepSpec:
    kind: str
    title: str
    purpose: str
    schema: type
    inputs: tuple[InputField, ...] = ()
    enabled: bool = True
    # Extra prompt values for this kind, from the step inputs and the campaign facts.
    prompt_vars: Callable[[dict, dict], dict] | None = None
    # Turns validated output (or a hand edit) into the content that is saved.
    finish: Callable[[dict, dict, dict], dict] | None = None


SPECS: dict[str, StepSpec] = {
    "competitors": StepSpec(
        "competitors", "Competitor analysis",
        "Who else the audience considers, what they do well and badly, and how we differ.",
        schemas.CompetitorAnalysis,
        (InputField("known_competitors", "Known competitors", "Comma-separated; the campaign's list is used when empty.", 800),
         InputField("notes", "Notes", "Anything the analysis should take into account.", 2000)),
    ),
    "customers": StepSpec(
        "customers", "Customer analysis",
        "Segments, their pains and jobs to be done, where to reach them and what they object to.",
        schemas.CustomerAnalysis,
        (InputField("segments", "Segments to consider",
                    "One per line or comma-separated; leave empty to let gtm propose them.", 1000),
         InputField("notes", "Notes", "Anything the analysis should take into account.", 2000)),
    ),
    "objectives": StepSpec(
        "objectives", "Objectives",
        "SMART objectives, each with a KPI, a target and a date.",
        schemas.ObjectivesPlan,
        (InputField("kpi_targets", "KPI targets", "Separate targets with a semicolon or a new line, e.g. "
                                                  "“300 paid sign-ups; 40% weekly active”.", 1000),
         InputField("deadline", "Deadline", "YYYY-MM-DD; every objective is due by then.", 10, False, "date")),
        prompt_vars=_objectives_vars,
    ),
    "mechanics": StepSpec(
        "mechanics", "Mechanics",
        "Tactics per channel, their cadence, loyalty or referral mechanics, and the objective each serves.",
        schemas.MechanicsPlan,
        (InputField("include", "Channels and tactics to include", "Comma-separated, e.g. “Newsletter, webinar”.", 800),
         InputField("exclude", "Channels and tactics to exclude", "Comma-separated, e.g. “TikTok, discounts”.", 800)),
    ),
    "costs": StepSpec(
        "costs", "Cost estimate",
        "Line items with totals computed by gtm, checked against the budget.",
        schemas.CostEstimate,
        (InputField("budget_cap", "Budget cap", "A number; the campaign's budget is used when empty.", 20, False,
                    "money"),
         InputField("currency", "Currency", "Three letters, e.g. EUR; the campaign's currency when empty.", 3, False,
                    "currency")),
        prompt_vars=_costs_vars,
        finish=_costs_content,
    ),
}
assert tuple(SPECS) == STEP_KINDS


@dataclass
class StepCard:
    """What a step card shows: the spec, the version on display, the current one and the latest run."""

    spec: StepSpec
    current: StepVersion | None
    count: int
    run: Run | None
    blocked: str | None = None
    stale_because: list[str] = field(default_factory=list)
    live: list[str] = field(default_factory=list)
    shown: StepVersion | None = None

    def __post_init__(self):
        if self.shown is None:
            self.shown = self.current

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def number(self) -> int:
        return STEP_KINDS.index(self.spec.kind) + 1

    @property
    def busy(self) -> bool:
        return bool(self.run and not self.run.finished)

    @property
    def failed_run(self) -> Run | None:
        return self.run if self.run and self.run.status == "failed" else None

    @property
    def older(self) -> bool:
        """True while an older version is on display instead of the current one."""
        return bool(self.shown and self.current and self.shown.number != self.current.number)

    @property
    def previous_number(self) -> int | None:
        return self.shown.number - 1 if self.shown and self.shown.number > 1 else None

    @property
    def next_number(self) -> int | None:
        return self.shown.number + 1 if self.shown and self.shown.number < self.count else None


def spec_for(kind: str) -> StepSpec:
    spec = SPECS.get(kind)
    if spec is None:
        raise NotFound(f"There is no step called '{kind}'. Steps: {', '.join(STEP_KINDS)}.")
    return spec


def _current(campaign_id: int, kind: str) -> StepVersion | None:
    return db.session.scalar(select(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind, StepVersion.is_current.is_(True)))


def _numbered(campaign_id: int, kind: str, number: int) -> StepVersion | None:
    return db.session.scalar(select(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind, StepVersion.number == number))


def _current_numbers(campaign_id: int) -> dict[str, int]:
    rows = db.session.execute(select(StepVersion.kind, StepVersion.number).where(
        StepVersion.campaign_id == campaign_id, StepVersion.is_current.is_(True)))
    return {kind: number for kind, number in rows}


def _earlier(kind: str) -> tuple[str, ...]:
    return STEP_KINDS[:STEP_KINDS.index(kind)]


def _blocked(spec: StepSpec, numbers: dict[str, int]) -> str | None:
    if not spec.enabled:
        return f"{spec.title} is not available yet in this version of gtm."
    earlier = _earlier(spec.kind)
    if earlier and earlier[-1] not in numbers:
        return f"Generate the {SPECS[earlier[-1]].title.lower()} first: this step builds on it."
    return None


def _stale(version: StepVersion | None, numbers: dict[str, int]) -> list[str]:
    """Name the earlier steps that changed since this version was built."""
    if version is None:
        return []
    used = version.context_versions or {}
    return [SPECS[k].title for k in _earlier(version.kind) if k in numbers and used.get(k) != numbers[k]]


def overview(workspace_id: int, campaign_id: int) -> list[StepCard]:
    """Return the five step cards of a campaign, in order."""
    campaigns.get_campaign(workspace_id, campaign_id)
    return [card(workspace_id, campaign_id, kind) for kind in STEP_KINDS]


def card(workspace_id: int, campaign_id: int, kind: str, number: int | None = None) -> StepCard:
    """Return one step card, its run reconciled with the queue; `number` puts that version on display."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    numbers = _current_numbers(campaign_id)
    current = _current(campaign_id, kind)
    shown = _version_or_404(campaign_id, spec, number) if number is not None else current
    count = db.session.scalar(select(func.count()).select_from(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind)) or 0
    run = runs.latest(campaign_id, "step", kind)
    if run is not None:
        run = runs.reconcile(run)
    live = runs.live_lines(run) if run is not None and not run.finished else []
    return StepCard(spec, current, count, run, _blocked(spec, numbers), _stale(current, numbers), live, shown)


def later_cards(workspace_id: int, campaign_id: int, kind: str) -> list[StepCard]:
    """Return the cards of the steps after `kind`, whose staleness or blocking may just have changed."""
    spec_for(kind)
    return [card(workspace_id, campaign_id, later) for later in STEP_KINDS[STEP_KINDS.index(kind) + 1:]]


def revisable_card(workspace_id: int, campaign_id: int, kind: str) -> StepCard:
    """Return a step card whose current version can be revised, or raise Conflict saying why not."""
    step = card(workspace_id, campaign_id, kind)
    if step.current is None:
        raise Conflict(f"There is no {step.spec.title.lower()} to revise yet; generate it first.")
    return step


def _version_or_404(campaign_id: int, spec: StepSpec, number) -> StepVersion:
    # Only whole numbers the database can hold name a version; anything else simply does not exist.
    valid = isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**31
    version = _numbered(campaign_id, spec.kind, number) if valid else None
    if version is None:
        raise NotFound(f"The {spec.title.lower()} has no version {number}.")
    return version


def _clean_value(item: InputField, value: str) -> tuple[str, str | None]:
    """Normalise one typed input; return (value, error)."""
    if not value or item.type == "text":
        return value, None
    if item.type == "money":
        try:
            amount = step_content.decimal(value)
        except ValueError:
            return value, "Enter an amount as a number, like 5000 or 5000.50."
        if amount < 0:
            return value, "The amount cannot be negative."
        if amount > BUDGET_MAX:
            return value, "The amount can be at most 1,000,000,000."
        return str(amount.quantize(step_content.CENT)), None
    if item.type == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            return value, "Use a three-letter currency code, like USD or EUR."
        return value.upper(), None
    if item.type == "date":
        try:
            return date.fromisoformat(value).isoformat(), None
        except ValueError:
            return value, "Enter a date as YYYY-MM-DD, like 2025-06-30."
    raise AssertionError(f"unknown input type {item.type}")


def clean_inputs(spec: StepSpec, raw: Mapping | None) -> dict:
    """Return the step form's values, or raise Invalid naming each field that breaks a rule."""
    raw = raw or {}
    errors, clean = {}, {}
    for item in spec.inputs:
        value = raw.get(item.name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[item.name] = "Must be text."
            continue
        value = value.strip()
        if item.type != "text":
            # A typed value says what is wrong with it better than a character count would.
            value, problem = _clean_value(item, value)
            if problem:
                errors[item.name] = problem
        elif len(value) > item.limit:
            errors[item.name] = f"At most {item.limit:,} characters (this has {len(value):,})."
        clean[item.name] = value
    if errors:
        raise Invalid(errors)
    return clean


def clean_feedback(feedback) -> str:
    return clean_text(feedback, "feedback", "Feedback", FEEDBACK_MAX,
                      empty="Say what should change, or pick one of the quick options.")


def compose_feedback(text, picks) -> str:
    """Join the quick picks and the typed feedback into one feedback text, checked."""
    picks = [p for p in (picks or []) if p]
    unknown = [p for p in picks if p not in QUICK_PICKS]
    if unknown:
        raise Invalid({"quick": f"Choose quick picks from: {', '.join(QUICK_PICKS)}."})
    text = text if isinstance(text, str) else ""
    if len(text.strip()) > FEEDBACK_MAX:
        return clean_feedback(text)
    parts = [f"{pick}." for pick in picks] + ([text.strip()] if text.strip() else [])
    return clean_feedback(" ".join(parts))


def _busy_message(spec: StepSpec) -> str:
    return f"The {spec.title.lower()} is already being generated; wait for it to finish."


def start(workspace_id: int, campaign_id: int, kind: str, *, feedback: str | None = None,
          inputs: Mapping | None = None) -> Run:
    """Check the rules and enqueue a generation of a step.

    With `feedback`, the run revises the current version. Without it, the run writes a new
    version from the step form's inputs (or the inputs last used).
    """
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    current = _current(campaign_id, kind)
    if feedback is not None:
        feedback = clean_feedback(feedback)
        if current is None:
            raise Conflict(f"There is no {spec.title.lower()} to revise yet; generate it first.")
    clean = clean_inputs(spec, inputs if inputs is not None else (current.inputs if current else {}))
    blocked = _blocked(spec, _current_numbers(campaign_id))
    if blocked:
        raise Conflict(blocked)
    mode = "revise" if feedback else "generate"
    params = {"mode": mode, "inputs": clean, "feedback": feedback or "",
              "based_on": current.number if mode == "revise" else None}
    return _enqueue(workspace_id, campaign_id, spec, params)


def regenerate(workspace_id: int, campaign_id: int, kind: str, feedback, picks=()) -> Run:
    """Revise the current version with typed feedback and quick picks."""
    spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    return start(workspace_id, campaign_id, kind, feedback=compose_feedback(feedback, picks))


def refresh(workspace_id: int, campaign_id: int, kind: str) -> Run:
    """Regenerate the current version with its inputs and the earlier steps as they are now."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    current = _current(campaign_id, kind)
    if current is None:
        raise Conflict(f"There is no {spec.title.lower()} to refresh yet; generate it first.")
    blocked = _blocked(spec, _current_numbers(campaign_id))
    if blocked:
        raise Conflict(blocked)
    # The inputs were clean when saved; checking again would refuse an old deadline or cap for no gain.
    params = {"mode": "refresh", "inputs": dict(current.inputs or {}), "feedback": "", "based_on": current.number}
    return _enqueue(workspace_id, campaign_id, spec, params)


def _enqueue(workspace_id: int, campaign_id: int, spec: StepSpec, params: dict) -> Run:
    return runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="step", subject=spec.kind,
                       params=params, total=3, job=JOB, llm_calls=1, busy_message=_busy_message(spec))


def retry(workspace_id: int, campaign_id: int, kind: str, run_id: int) -> Run:
    """Run a failed step generation again with the same inputs and feedback."""
    old = runs.get(workspace_id, run_id)
    if old.kind != "step" or old.campaign_id != campaign_id or old.subject != kind:
        raise NotFound("No such step run.")
    if not old.finished:
        raise Conflict("That run has not finished yet.")
    spec = spec_for(old.subject)
    blocked = _blocked(spec, _current_numbers(old.campaign_id))
    if blocked:
        raise Conflict(blocked)
    return _enqueue(workspace_id, old.campaign_id, spec, dict(old.params))


def compact(content: dict | None, limit: int) -> str:
    """Flatten a step's content to short text lines, cut to `limit` characters."""
    if not content:
        return ""
    lines: list[str] = []

    def walk(value, prefix=""):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{prefix}{key}: " if not isinstance(item, (dict, list)) else f"{prefix}{key}. ")
        elif isinstance(value, list):
            if all(not isinstance(item, (dict, list)) for item in value):
                lines.append(prefix + "; ".join(str(item) for item in value))
            else:
                for item in value:
                    walk(item, prefix)
        else:
            lines.append(f"{prefix}{value}")

    walk(content)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def context_for(campaign_id: int, kind: str) -> tuple[dict[str, str], dict[str, int]]:
    """Return the compacted current versions of the earlier steps, and their numbers."""
    texts, numbers = {}, {}
    for earlier in _earlier(kind):
        version = _current(campaign_id, earlier)
        if version is not None:
            texts[earlier] = compact(version.content, CONTEXT_CHARS_PER_STEP)
            numbers[earlier] = version.number
    return texts, numbers


def _earlier_content(campaign_id: int, kind: str) -> dict[str, dict]:
    """Return the earlier steps' current content, structured (the offline provider composes from it)."""
    found = {}
    for earlier in _earlier(kind):
        version = _current(campaign_id, earlier)
        if version is not None:
            found[earlier] = version.content
    return found


def execute(run_id: int, live: llm.Live) -> None:
    """Generate a step version for a run (called by the job; safe to call twice)."""
    run = runs.start(run_id)
    if run is None:
        return
    if db.session.scalar(select(StepVersion.id).where(StepVersion.run_id == run_id)):
        runs.succeed(run, "Done")
        db.session.commit()
        return
    spec = spec_for(run.subject)
    campaign = db.session.get(Campaign, run.campaign_id)
    facts = campaigns.as_facts(campaign)
    runs.progress(run_id, "Reading the campaign and earlier steps…", done=0)
    context, context_numbers = context_for(campaign.id, spec.kind)
    inputs = run.params.get("inputs") or {}
    feedback = run.params.get("feedback") or ""
    mode = run.params.get("mode") or ("revise" if feedback else "generate")
    based_on = run.params.get("based_on")
    # Build on the version the marketer saw when asking, even if another became current since.
    previous = _numbered(campaign.id, spec.kind, based_on) if based_on else None
    previous_text = json.dumps(previous.content, ensure_ascii=False)[:PREVIOUS_CHARS] if previous else ""
    prompt = llm.render(
        spec.kind,
        campaign=facts,
        inputs=inputs,
        context=context,
        earlier=_earlier_content(campaign.id, spec.kind),
        previous=previous_text if mode == "revise" else "",
        refresh_previous=previous_text if mode == "refresh" else "",
        previous_content=previous.content if previous else None,
        feedback=feedback,
        **(spec.prompt_vars(inputs, facts) if spec.prompt_vars else {}),
    )
    runs.progress(run_id, f"Writing the {spec.title.lower()}…", done=1)
    # Nothing holds a database connection while the model thinks.
    db.session.remove()

    result = llm.generate(prompt, spec.schema, live=live)

    runs.progress(run_id, "Saving…", done=2)
    content = _finish(spec, result.value.model_dump(mode="json"), inputs, facts)
    _save_version(run_id, result, content, context_numbers)


def _finish(spec: StepSpec, content: dict, inputs: dict, facts: dict) -> dict:
    return spec.finish(content, inputs, facts) if spec.finish else content


def _save_version(run_id: int, result: llm.Result, content: dict, context_numbers: dict[str, int]) -> None:
    """Add the new version and make it current, in one transaction."""
    for attempt in range(3):
        run = db.session.get(Run, run_id)
        version = _add_version(run.campaign_id, run.subject, content=content,
                               inputs=run.params.get("inputs") or {}, feedback=run.params.get("feedback") or "",
                               based_on=run.params.get("based_on"), context_versions=context_numbers, run_id=run_id)
        runs.record_usage(run, result)
        runs.succeed(run, f"Saved version {version.number}")
        try:
            db.session.commit()
            return
        except IntegrityError:
            # Another writer took this version number (a concurrent hand edit); take the next one.
            db.session.rollback()
            if attempt == 2:
                raise


def _add_version(campaign_id: int, kind: str, **fields) -> StepVersion:
    number = (db.session.scalar(select(func.max(StepVersion.number)).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind)) or 0) + 1
    _uncurrent(campaign_id, kind)
    version = StepVersion(campaign_id=campaign_id, kind=kind, number=number, is_current=True, **fields)
    db.session.add(version)
    db.session.flush()
    return version


def _uncurrent(campaign_id: int, kind: str) -> None:
    for old in db.session.scalars(select(StepVersion).where(
            StepVersion.campaign_id == campaign_id, StepVersion.kind == kind, StepVersion.is_current.is_(True))):
        old.is_current = False


def make_current(workspace_id: int, campaign_id: int, kind: str, number) -> StepVersion:
    """Make an older version current again; nothing is deleted, and later steps become stale."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    version = _version_or_404(campaign_id, spec, number)
    if not version.is_current:
        _uncurrent(campaign_id, kind)
        version.is_current = True
        db.session.commit()
    return version


@dataclass
class EditForm:
    """The edit form of one version: its fields, filled from the version or from what was posted."""

    spec: StepSpec
    version: StepVersion
    fields: list[step_content.FormField]


def edit_form(workspace_id: int, campaign_id: int, kind: str, number=None, posted: Mapping | None = None) -> EditForm:
    """Return the edit form for a version (the current one by default)."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    version = _version_or_404(campaign_id, spec, number) if number is not None else _current(campaign_id, kind)
    if version is None:
        raise Conflict(f"There is no {spec.title.lower()} to edit yet; generate it first.")
    data = step_content.parse_form(spec.schema, posted, keep_blank=True) if posted is not None else version.content
    return EditForm(spec, version, step_content.form_fields(spec.schema, data))


def save_edit_form(workspace_id: int, campaign_id: int, kind: str, form: Mapping, based_on=None) -> StepVersion:
    """Save the posted edit form as a new, hand-edited version; nothing is saved when a field is wrong."""
    spec = spec_for(kind)
    names: dict = {}
    data = step_content.parse_form(spec.schema, form, names=names)
    return _save_edit(workspace_id, campaign_id, spec, data, based_on, names)


def save_edit(workspace_id: int, campaign_id: int, kind: str, content, based_on=None) -> StepVersion:
    """Save structured content as a new, hand-edited version (the API's edit)."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    if content is None:
        raise Invalid({"content": "This field is required: the step's content as an object."})
    if not isinstance(content, dict):
        raise Invalid({"content": "Must be an object with the step's fields."})
    return _save_edit(workspace_id, campaign_id, spec, content, based_on, None)


def _save_edit(workspace_id: int, campaign_id: int, spec: StepSpec, data: dict, based_on, names) -> StepVersion:
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    base = _version_or_404(campaign_id, spec, based_on) if based_on is not None else _current(campaign_id, spec.kind)
    if base is None:
        raise Conflict(f"There is no {spec.title.lower()} to edit yet; generate it first.")
    value, errors = step_content.validate(spec.schema, data, names)
    if errors:
        raise Invalid(errors, "Some fields need attention; nothing was saved.")
    inputs = dict(base.inputs or {})
    content = _finish(spec, value.model_dump(mode="json"), inputs, campaigns.as_facts(campaign))
    for attempt in range(3):
        # The edit keeps the context its base was built on: editing does not refresh it.
        version = _add_version(campaign_id, spec.kind, content=content, inputs=inputs, feedback="",
                               based_on=base.number, context_versions=dict(base.context_versions or {}),
                               edited=True)
        try:
            db.session.commit()
            return version
        except IntegrityError:
            db.session.rollback()  # a run saved the same number at the same moment; take the next one
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def versions(workspace_id: int, campaign_id: int, kind: str) -> list[StepVersion]:
    """Return every version of a step, oldest first."""
    spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    return list(db.session.scalars(select(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind).order_by(StepVersion.number)))


@dataclass
class History:
    """A step's versions, oldest first, and the differences between two of them."""

    spec: StepSpec
    versions: list[StepVersion]
    diff: "Diff | None"
    titles: dict[str, str] = field(default_factory=lambda: {k: s.title for k, s in SPECS.items()})


def history(workspace_id: int, campaign_id: int, kind: str, old=None, new=None) -> History:
    """Return every version of a step and a diff: of `old` and `new`, or of the two newest by default."""
    spec = spec_for(kind)
    found = versions(workspace_id, campaign_id, kind)
    if old is None and new is None and len(found) > 1:
        old, new = found[-2].number, found[-1].number
    elif old is None or new is None:
        if old is not None or new is not None:
            raise Invalid({"a" if old is None else "b": "Choose a version to compare."},
                          "Choose two versions to compare, like ?a=1&b=2.")
        return History(spec, found, None)
    return History(spec, found, diff(workspace_id, campaign_id, kind, old, new))


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


def diff(workspace_id: int, campaign_id: int, kind: str, old, new) -> Diff:
    """Compare two versions of a step as readable lines."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    missing = {name: "Choose a version to compare." for name, value in (("a", old), ("b", new)) if value is None}
    if missing:
        raise Invalid(missing, "Give two versions to compare, like ?a=1&b=2.")
    a, b = _version_or_404(campaign_id, spec, old), _version_or_404(campaign_id, spec, new)
    return Diff(a, b, step_content.diff_lines(a.content, b.content))


def version_json(version: StepVersion) -> dict:
    return {
        "number": version.number,
        "feedback": version.feedback or None,
        "based_on": version.based_on,
        "edited": version.edited,
        "current": version.is_current,
        "context_versions": version.context_versions or {},
        "inputs": version.inputs or {},
        "content": version.content,
        "created_at": version.created_at.isoformat(),
    }


def as_json(workspace_id: int, campaign_id: int, kind: str) -> dict:
    """Return a step in the API's shape."""
    step = card(workspace_id, campaign_id, kind)
    return {
        "kind": kind,
        "title": step.spec.title,
        "current_version": step.current.number if step.current else None,
        "stale": bool(step.stale_because),
        "stale_because": step.stale_because,
        "available": step.spec.enabled,
        "blocked": step.blocked,
        "run": runs.as_json(step.run) if step.run else None,
        "versions": [version_json(v) for v in versions(workspace_id, campaign_id, kind)],
    }


def status_summary(campaign_id: int) -> dict[str, dict]:
    """Return each step's current version number and staleness, for the campaign JSON."""
    numbers = _current_numbers(campaign_id)
    summary = {}
    for kind in STEP_KINDS:
        current = _current(campaign_id, kind)
        summary[kind] = {"current_version": numbers.get(kind), "stale": bool(_stale(current, numbers)),
                         "available": SPECS[kind].enabled}
    return summary
