"""Generating a step version: check the request, enqueue a run, and (in the job) write and save it.

A step is generated with the campaign and the current versions of all earlier steps as
context. A version records which version of each earlier step it was built on, so staleness
is computed, never stored.
"""
import json
import logging
from typing import Mapping

from sqlalchemy import select

from ... import jobnames, llm
from ...extensions import db
from ...models import Campaign, Run, StepVersion
from .. import activity, campaigns, runs, voice
from ..errors import Conflict, NotFound
from ..numbering import commit_retrying
from . import content as step_content
from . import versions
from .inputs import clean_feedback, clean_inputs, compose_feedback
from .specs import StepSpec, blocked_reason, earlier, spec_for

log = logging.getLogger(__name__)

CONTEXT_CHARS_PER_STEP = 1500
PREVIOUS_CHARS = 6000


def _busy_message(spec: StepSpec) -> str:
    return f"The {spec.title.lower()} is already being generated; wait for it to finish."


def _refuse_if_blocked(spec: StepSpec, campaign_id: int) -> None:
    blocked = blocked_reason(spec, versions.current_numbers(campaign_id))
    if blocked:
        raise Conflict(blocked)


def start_step(workspace_id: int, campaign_id: int, kind: str, *, feedback: str | None = None,
          inputs: Mapping | None = None) -> Run:
    """Check the rules and enqueue a generation of a step.

    With `feedback`, the run revises the current version. Without it, the run writes a new
    version from the step form's inputs (or the inputs last used).
    """
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    current = versions.current(campaign_id, kind)
    if feedback is not None:
        feedback = clean_feedback(feedback)
        if current is None:
            raise Conflict(f"There is no {spec.title.lower()} to revise yet; generate it first.")
    clean = clean_inputs(spec, inputs if inputs is not None else (current.inputs if current else {}))
    _refuse_if_blocked(spec, campaign_id)
    mode = "revise" if feedback else "generate"
    params = {"mode": mode, "inputs": clean, "feedback": feedback or "",
              "based_on": current.number if mode == "revise" else None}
    return _enqueue(workspace_id, campaign_id, spec, params)


def regenerate_step(workspace_id: int, campaign_id: int, kind: str, feedback, picks=()) -> Run:
    """Revise the current version with typed feedback and quick picks."""
    spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    return start_step(workspace_id, campaign_id, kind, feedback=compose_feedback(feedback, picks))


def refresh_step(workspace_id: int, campaign_id: int, kind: str) -> Run:
    """Regenerate the current version with its inputs and the earlier steps as they are now."""
    spec = spec_for(kind)
    campaigns.get_campaign(workspace_id, campaign_id)
    current = versions.current(campaign_id, kind)
    if current is None:
        raise Conflict(f"There is no {spec.title.lower()} to refresh yet; generate it first.")
    _refuse_if_blocked(spec, campaign_id)
    # The inputs were clean when saved; checking again would refuse an old deadline or cap for no gain.
    params = {"mode": "refresh", "inputs": dict(current.inputs or {}), "feedback": "", "based_on": current.number}
    return _enqueue(workspace_id, campaign_id, spec, params)


def retry_step(workspace_id: int, campaign_id: int, kind: str, run_id: int) -> Run:
    """Run a failed step generation again with the same inputs and feedback."""
    old = runs.get(workspace_id, run_id)
    if old.kind != "step" or old.campaign_id != campaign_id or old.subject != kind:
        raise NotFound("No such step run.")
    if not old.finished:
        raise Conflict("That run has not finished yet.")
    spec = spec_for(old.subject)
    _refuse_if_blocked(spec, old.campaign_id)
    return _enqueue(workspace_id, old.campaign_id, spec, dict(old.params))


def _enqueue(workspace_id: int, campaign_id: int, spec: StepSpec, params: dict) -> Run:
    return runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="step", subject=spec.kind,
                       params=params, total=3, job=jobnames.GENERATE_STEP, llm_calls=1, busy_message=_busy_message(spec))


def context_for(campaign_id: int, kind: str) -> tuple[dict[str, str], dict[str, int], dict[str, dict]]:
    """Return the earlier steps' current versions: compacted for the prompt, their numbers, and whole.

    The offline provider composes from the whole content; a model reads the compacted text.
    """
    texts, numbers, whole = {}, {}, {}
    for before in earlier(kind):
        version = versions.current(campaign_id, before)
        if version is not None:
            texts[before] = step_content.compact(version.content, CONTEXT_CHARS_PER_STEP)
            numbers[before] = version.number
            whole[before] = version.content
    return texts, numbers, whole


def execute_step(run_id: int, live: llm.Live) -> None:
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
    context, context_numbers, earlier_content = context_for(campaign.id, spec.kind)
    inputs = run.params.get("inputs") or {}
    feedback = run.params.get("feedback") or ""
    mode = run.params.get("mode") or ("revise" if feedback else "generate")
    based_on = run.params.get("based_on")
    # Build on the version the marketer saw when asking, even if another became current since.
    previous = versions.numbered(campaign.id, spec.kind, based_on) if based_on else None
    previous_text = json.dumps(previous.content, ensure_ascii=False)[:PREVIOUS_CHARS] if previous else ""
    prompt = llm.render(
        spec.kind,
        campaign=facts,
        inputs=inputs,
        context=context,
        earlier=earlier_content,
        previous=previous_text if mode == "revise" else "",
        refresh_previous=previous_text if mode == "refresh" else "",
        previous_content=previous.content if previous else None,
        feedback=feedback,
        launch_date=campaign.launch_date.isoformat() if campaign.launch_date else "",
        voice=voice.prompt_voice(campaign),
        **(spec.prompt_vars(inputs, facts) if spec.prompt_vars else {}),
    )
    runs.progress(run_id, f"Writing the {spec.title.lower()}…", done=1)
    # Nothing holds a database connection while the model thinks.
    db.session.remove()

    result = llm.generate(prompt, spec.schema, live=live,
                          check=lambda value: step_content.too_long(value.model_dump(mode="json")))

    runs.progress(run_id, "Saving…", done=2)
    content = spec.finished(result.value.model_dump(mode="json"), inputs, facts)
    _save_version(run_id, result, content, context_numbers)


def _save_version(run_id: int, result: llm.Result, content: dict, context_numbers: dict[str, int]) -> None:
    """Add the new version, make it current and finish the run, in one transaction."""
    def add():
        run = db.session.get(Run, run_id)
        version = versions.add_current(
            run.campaign_id, run.subject, content=content, inputs=run.params.get("inputs") or {},
            feedback=run.params.get("feedback") or "", based_on=run.params.get("based_on"),
            context_versions=context_numbers, run_id=run_id, provider=result.provider, model=result.model,
            tokens_in=result.tokens_in, tokens_out=result.tokens_out)
        runs.record_usage(run, result)
        runs.succeed(run, f"Saved version {version.number}")
        _record(run, version)
        return version

    version = commit_retrying(add)
    log.info("run %s: saved %s v%s", run_id, version.kind, version.number)


def _record(run: Run, version: StepVersion) -> None:
    """Say in the history what the run wrote (the caller commits)."""
    title, mode = spec_for(version.kind).title.lower(), run.params.get("mode")
    if mode == "revise":
        kind, summary = "step_regenerated", f"Regenerated the {title} with feedback: {activity.quote(version.feedback)}"
    elif mode == "refresh":
        kind, summary = "step_regenerated", f"Refreshed the {title} with the earlier steps as they are now"
    else:
        kind, summary = "step_generated", f"Generated the {title}"
    activity.record(run.workspace_id, kind, f"{summary} (version {version.number})", campaign_id=run.campaign_id,
                    subject=version, link=activity.step_path(run.campaign_id, version.kind))
