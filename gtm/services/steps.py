"""The analysis workflow: five steps handled by one mechanism.

A step is generated with the campaign and the current versions of all earlier steps as
context. Every generation or hand edit adds a version; nothing is overwritten. A version
records which version of each earlier step it was built on, so staleness is computed,
never stored.
"""
import json
import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import llm
from ..extensions import db
from ..llm import schemas
from ..models import STEP_KINDS, Campaign, Run, StepVersion
from . import campaigns, runs
from .errors import Conflict, Invalid, NotFound

log = logging.getLogger(__name__)

FEEDBACK_MAX = 2000
CONTEXT_CHARS_PER_STEP = 1500
PREVIOUS_CHARS = 6000
JOB = "jobs.steps.generate_step"


@dataclass(frozen=True)
class InputField:
    name: str
    label: str
    help: str = ""
    limit: int = 1000
    multiline: bool = True


@dataclass(frozen=True)
class StepSpec:
    kind: str
    title: str
    purpose: str
    schema: type
    inputs: tuple[InputField, ...] = ()
    enabled: bool = True


SPECS: dict[str, StepSpec] = {
    "competitors": StepSpec(
        "competitors", "Competitor analysis",
        "Who else the audience considers, what they do well and badly, and how we differ.",
        schemas.CompetitorAnalysis,
        (InputField("known_competitors", "Known competitors", "Comma-separated; the campaign's list is used when empty.", 800),
         InputField("notes", "Notes", "Anything the analysis should take into account.", 2000)),
    ),
    "customers": StepSpec("customers", "Customer analysis",
                          "Segments, their pains and jobs to be done, where to reach them.", dict, enabled=False),
    "objectives": StepSpec("objectives", "Objectives",
                           "SMART objectives with a KPI, a target and a date.", dict, enabled=False),
    "mechanics": StepSpec("mechanics", "Mechanics",
                          "Tactics per channel, cadence, and loyalty or referral mechanics.", dict, enabled=False),
    "costs": StepSpec("costs", "Cost estimate",
                      "Line items with computed totals, checked against the budget.", dict, enabled=False),
}
assert tuple(SPECS) == STEP_KINDS


@dataclass
class StepCard:
    """What a step card shows: the spec, its current version and its latest run."""

    spec: StepSpec
    current: StepVersion | None
    count: int
    run: Run | None
    blocked: str | None = None
    stale_because: list[str] = field(default_factory=list)
    live: list[str] = field(default_factory=list)

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


def spec_for(kind: str) -> StepSpec:
    spec = SPECS.get(kind)
    if spec is None:
        raise NotFound(f"There is no step called '{kind}'. Steps: {', '.join(STEP_KINDS)}.")
    return spec


def _current(campaign_id: int, kind: str) -> StepVersion | None:
    return db.session.scalar(select(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind, StepVersion.is_current.is_(True)))


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


def card(workspace_id: int, campaign_id: int, kind: str) -> StepCard:
    """Return one step card, its run reconciled with the queue."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    numbers = _current_numbers(campaign_id)
    current = _current(campaign_id, kind)
    count = db.session.scalar(select(func.count()).select_from(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind)) or 0
    run = runs.latest(campaign_id, "step", kind)
    if run is not None:
        run = runs.reconcile(run)
    live = runs.live_lines(run) if run is not None and not run.finished else []
    return StepCard(spec, current, count, run, _blocked(spec, numbers), _stale(current, numbers), live)


def clean_inputs(spec: StepSpec, raw: dict | None) -> dict:
    """Return the step form's values, or raise Invalid naming each field over its limit."""
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
        if len(value) > item.limit:
            errors[item.name] = f"At most {item.limit:,} characters (this has {len(value):,})."
        clean[item.name] = value
    if errors:
        raise Invalid(errors)
    return clean


def clean_feedback(feedback) -> str:
    if not isinstance(feedback, str):
        raise Invalid({"feedback": "Feedback must be text."})
    feedback = feedback.strip()
    if not feedback:
        raise Invalid({"feedback": "Say what should change, or pick one of the quick options."})
    if len(feedback) > FEEDBACK_MAX:
        raise Invalid({"feedback": f"Feedback has at most {FEEDBACK_MAX:,} characters (this has {len(feedback):,})."})
    return feedback


def start(workspace_id: int, campaign_id: int, kind: str, *, feedback: str | None = None,
          inputs: dict | None = None) -> Run:
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
    params = {"inputs": clean, "feedback": feedback or "", "based_on": current.number if current and feedback else None}
    return runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="step", subject=kind, params=params,
                       total=3, job=JOB, llm_calls=1,
                       busy_message=f"The {spec.title.lower()} is already being generated; wait for it to finish.")


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
    return runs.create(workspace_id=workspace_id, campaign_id=old.campaign_id, kind="step", subject=old.subject,
                       params=dict(old.params), total=3, job=JOB, llm_calls=1,
                       busy_message=f"The {spec.title.lower()} is already being generated; wait for it to finish.")


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
    runs.progress(run_id, "Reading the campaign and earlier steps…", done=0)
    context, context_numbers = context_for(campaign.id, spec.kind)
    feedback = run.params.get("feedback") or ""
    previous = _current(campaign.id, spec.kind) if feedback else None
    prompt = llm.render(
        spec.kind,
        campaign=campaigns.as_facts(campaign),
        inputs=run.params.get("inputs") or {},
        context=context,
        previous=json.dumps(previous.content, ensure_ascii=False)[:PREVIOUS_CHARS] if previous else "",
        previous_content=previous.content if previous else None,
        feedback=feedback,
    )
    runs.progress(run_id, f"Writing the {spec.title.lower()}…", done=1)
    # Nothing holds a database connection while the model thinks.
    db.session.remove()

    result = llm.generate(prompt, spec.schema, live=live)

    runs.progress(run_id, "Saving…", done=2)
    _save_version(run_id, result, context_numbers)


def _save_version(run_id: int, result: llm.Result, context_numbers: dict[str, int]) -> None:
    """Add the new version and make it current, in one transaction."""
    for attempt in range(3):
        run = db.session.get(Run, run_id)
        version = _add_version(run.campaign_id, run.subject, content=result.value.model_dump(mode="json"),
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
    for old in db.session.scalars(select(StepVersion).where(
            StepVersion.campaign_id == campaign_id, StepVersion.kind == kind, StepVersion.is_current.is_(True))):
        old.is_current = False
    version = StepVersion(campaign_id=campaign_id, kind=kind, number=number, is_current=True, **fields)
    db.session.add(version)
    db.session.flush()
    return version


def versions(workspace_id: int, campaign_id: int, kind: str) -> list[StepVersion]:
    """Return every version of a step, oldest first."""
    spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    return list(db.session.scalars(select(StepVersion).where(
        StepVersion.campaign_id == campaign_id, StepVersion.kind == kind).order_by(StepVersion.number)))


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
        "versions": [{
            "number": v.number,
            "feedback": v.feedback or None,
            "based_on": v.based_on,
            "edited": v.edited,
            "content": v.content,
            "created_at": v.created_at.isoformat(),
        } for v in versions(workspace_id, campaign_id, kind)],
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
