"""The LLM gateway: the only part of gtm that talks to a language model.

One call shape goes in: a task name, a rendered prompt and a pydantic output schema. A
validated object and its token usage come out. Output that is truncated, not JSON or
breaks the schema (or a caller's extra checks) gets one repair attempt, then a clear error. A caller's
advice (`advise`: rules a draft should keep, such as a channel's length) joins that one repair request,
but what still breaks it after the repair is the caller's to record, not an error.
"""
import json
import logging
from pathlib import Path
from typing import Callable, Protocol, TypeVar

import jinja2
from flask import Flask, current_app
from pydantic import BaseModel, ValidationError

from .. import metrics
from ..config import llm_provider_name
from .types import Completion, Live, LLMError, Prompt, Result

__all__ = ["Completion", "Live", "LLMError", "Prompt", "Result", "describe", "generate", "image", "provider",
           "render", "warm_up"]

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
Check = Callable[[BaseModel], list[str]]

PROMPTS = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "prompts"),
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    undefined=jinja2.StrictUndefined,
)
USER_MARK = "=== user ==="
DEFAULT_MAX_TOKENS = 4096


class Provider(Protocol):
    name: str
    model: str

    def complete(self, prompt: Prompt, schema: type[BaseModel], max_tokens: int, live: Live) -> Completion: ...

    def image(self, prompt: str, headline: str) -> bytes: ...


def warm_up(app: Flask) -> None:
    """Build the provider, compile every prompt and, for the OpenAI SDK, every output schema once, before a worker
    forks: RQ forks a process per job, and a job that imported the SDK itself would spend about a second of CPU on
    it; imported here, every job inherits it from its worker."""
    from . import schemas

    built = provider(app)
    for name in PROMPTS.list_templates():
        PROMPTS.get_template(name)
    if built.name != "openai":
        return
    from .openai_provider import response_format_for, warm_up as warm_up_sdk

    warm_up_sdk()
    for value in vars(schemas).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            response_format_for(value)


def render(task: str, **values) -> Prompt:
    """Render `prompts/<task>.j2` into a system and a user message."""
    text = PROMPTS.get_template(f"{task}.j2").render(**values)
    system, _, user = text.partition(USER_MARK)
    return Prompt(task=task, messages=[
        {"role": "system", "content": system.strip()},
        {"role": "user", "content": user.strip()},
    ], vars=values)


def provider(app: Flask | None = None) -> Provider:
    """Return the app's provider, built once from its configuration."""
    app = app or current_app._get_current_object()
    existing = app.extensions.get("gtm.llm")
    if existing is None:
        name = llm_provider_name(app.config["GTM_LLM"], app.config["OPENAI_API_KEY"])
        if name == "openai":
            from .openai_provider import OpenAIProvider

            existing = OpenAIProvider(
                api_key=app.config["OPENAI_API_KEY"] or "unset",
                base_url=app.config["OPENAI_BASE_URL"],
                model=app.config["GTM_MODEL"],
                image_model=app.config["GTM_IMAGE_MODEL"],
                timeout=app.config["GTM_LLM_TIMEOUT"],
                attempts=app.config["GTM_LLM_ATTEMPTS"],
            )
        else:
            from .offline import OfflineProvider

            existing = OfflineProvider(pace=app.config["GTM_OFFLINE_PACE"])
        app.extensions["gtm.llm"] = existing
    return existing


def describe(app: Flask | None = None) -> dict:
    """Say which provider and model are in use, for the UI."""
    active = provider(app)
    return {"provider": active.name, "model": active.model}


def image(prompt: str, headline: str) -> bytes:
    """Return one PNG for a post variant: the images API with openai, a rendered social card offline."""
    active = provider()
    model = getattr(active, "image_model", active.model)
    try:
        data = active.image(prompt, headline)
    except Exception:
        metrics.model_failure(active.name, model)
        raise
    metrics.model_call(active.name, model, 0, 0)
    if not data:
        raise LLMError("The image service answered with an empty image.")
    return data


def generate(prompt: Prompt, schema: type[T], *, live: Live | None = None, check: Check | None = None,
             advise: Check | None = None, max_tokens: int = DEFAULT_MAX_TOKENS) -> Result:
    """Ask the model for an object of `schema`, validate it, and repair it once if needed.

    `check` names problems that make an answer unusable; `advise` names rules a usable answer should keep.
    Either asks for the one repair; after it, only `check`'s problems are an error."""
    active = provider()
    live = live or Live(stream=False)
    result = Result(value=None, provider=active.name, model=active.model)  # type: ignore[arg-type]
    messages = prompt.messages

    completion = _complete_within_budget(active, prompt, schema, max_tokens, live, result)
    problems, value = _validate(completion.text, schema, check)
    if not problems and advise is not None:
        problems = advise(value)
    if problems:
        log.info("%s: invalid output, asking for a repair: %s", prompt.task, problems[:3])
        first = value
        repair = Prompt(task=prompt.task, vars={**prompt.vars, "repair_problems": problems}, messages=[
            *messages,
            {"role": "assistant", "content": completion.text},
            {"role": "user", "content": _repair_request(problems)},
        ])
        live.reset()
        completion = _complete_within_budget(active, repair, schema, max_tokens, live, result)
        problems, value = _validate(completion.text, schema, check)
        if problems and first is not None:
            # Only advice was asked for, and the repair broke what the first answer kept: the first stands.
            log.info("%s: the repaired answer is unusable (%s); keeping the first", prompt.task, problems[:3])
            problems, value = [], first
        if problems:
            raise LLMError(
                "The model's answer was not usable twice, so nothing was saved. Problems: "
                + "; ".join(problems[:5])
            )
    result.value = value
    return result


def _complete_within_budget(active: Provider, prompt: Prompt, schema, max_tokens: int, live: Live,
                            result: Result) -> Completion:
    """Make one call; when the answer is cut off for length, retry once with twice the budget."""
    completion = _call(active, prompt, schema, max_tokens, live, result)
    if completion.finish_reason == "length":
        log.info("%s: answer cut off at %d tokens, retrying with %d", prompt.task, max_tokens, max_tokens * 2)
        live.reset()
        completion = _call(active, prompt, schema, max_tokens * 2, live, result)
        if completion.finish_reason == "length":
            raise LLMError(
                f"The model's answer was cut off at its length limit twice ({max_tokens * 2} tokens), "
                "so nothing was saved. Shorten the brief or feedback, or use a model with a larger output limit."
            )
    return completion


def _call(active: Provider, prompt: Prompt, schema, max_tokens: int, live: Live, result: Result) -> Completion:
    try:
        completion = active.complete(prompt, schema, max_tokens, live)
    except Exception:
        metrics.model_failure(active.name, active.model)
        raise
    metrics.model_call(active.name, active.model, completion.tokens_in, completion.tokens_out)
    result.calls += 1
    result.tokens_in += completion.tokens_in
    result.tokens_out += completion.tokens_out
    result.model = completion.model or result.model
    if completion.refusal:
        raise LLMError(f"The model declined to answer: {completion.refusal}")
    return completion


def _validate(text: str, schema: type[T], check: Check | None) -> tuple[list[str], T | None]:
    """Return (problems, value): problems is empty when the text is a valid object."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        return [f"the answer is not valid JSON ({exc.msg} at character {exc.pos})" if hasattr(exc, "msg")
                else "the answer is empty"], None
    try:
        value = schema.model_validate(data)
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in err['loc']) or 'answer'}: {err['msg']}" for err in exc.errors()], None
    problems = check(value) if check else []
    return problems, (None if problems else value)


def _repair_request(problems: list[str]) -> str:
    listed = "\n".join(f"- {problem}" for problem in problems[:20])
    return (
        "Your previous answer cannot be used because of these problems:\n"
        f"{listed}\n"
        "Answer again with the complete corrected JSON object only, following the schema exactly."
    )

