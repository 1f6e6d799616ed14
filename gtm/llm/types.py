"""The values that pass through the LLM gateway, shared by the gateway and its providers."""
from dataclasses import dataclass, field
from typing import Callable

from pydantic import BaseModel


class LLMError(Exception):
    """A generation that failed; the message is written for the person who asked for it."""


@dataclass
class Prompt:
    """Rendered messages plus the values they were rendered from (the offline provider composes from those)."""

    task: str
    messages: list[dict]
    vars: dict


@dataclass
class Completion:
    """What a provider returns for one call."""

    text: str
    finish_reason: str = "stop"
    refusal: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    model: str = ""


@dataclass
class Result:
    value: BaseModel
    provider: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    calls: int = 0


@dataclass
class Live:
    """Where streamed text goes while a call runs; `reset` starts a new attempt.

    With `stream` false nobody is watching, so the provider asks for the whole answer at once,
    which costs far less CPU than parsing a stream of small chunks.
    """

    write: Callable[[str], None] = lambda text: None
    reset: Callable[[], None] = lambda: None
    chars: int = field(default=0)
    stream: bool = True
