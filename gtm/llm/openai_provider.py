"""The openai provider: the official SDK against OPENAI_BASE_URL, with structured outputs."""
import base64
import functools
import logging
import random
import time

import openai
from openai.types import ImagesResponse
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import BaseModel

from .types import Completion, Live, LLMError, Prompt

log = logging.getLogger(__name__)

MAX_BACKOFF = 10.0
TRANSIENT = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)


class OpenAIProvider:
    name = "openai"

    def __init__(self, *, api_key: str, base_url: str | None, model: str, image_model: str,
                 timeout: float, attempts: int):
        self.model = model
        self.image_model = image_model
        self.attempts = max(1, attempts)
        # The SDK's own retries are off: ours are bounded so a job never outlives its RQ timeout.
        self.client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)

    def complete(self, prompt: Prompt, schema: type[BaseModel], max_tokens: int, live: Live) -> Completion:
        """Stream one structured completion, retrying 429s, 5xx errors and timeouts."""
        response_format = response_format_for(schema)
        call = self._stream if live.stream else self._whole
        return self._with_retries(lambda: call(prompt, response_format, max_tokens, live), live)

    def _request(self, prompt: Prompt, response_format: dict, max_tokens: int) -> dict:
        return {"model": self.model, "messages": prompt.messages, "response_format": response_format,
                "max_completion_tokens": max_tokens}

    def _whole(self, prompt: Prompt, response_format: dict, max_tokens: int, live: Live) -> Completion:
        answer = self.client.chat.completions.create(**self._request(prompt, response_format, max_tokens))
        choice = answer.choices[0]
        completion = Completion(text=choice.message.content or "", finish_reason=choice.finish_reason or "stop",
                                refusal=getattr(choice.message, "refusal", None) or None,
                                model=answer.model or self.model)
        if answer.usage:
            completion.tokens_in = answer.usage.prompt_tokens
            completion.tokens_out = answer.usage.completion_tokens
        if completion.finish_reason == "content_filter":
            completion.refusal = completion.refusal or "the provider's content filter stopped the answer"
        return completion

    def _stream(self, prompt: Prompt, response_format: dict, max_tokens: int, live: Live) -> Completion:
        stream = self.client.chat.completions.create(**self._request(prompt, response_format, max_tokens),
                                                     stream=True, stream_options={"include_usage": True})
        parts: list[str] = []
        refusal: list[str] = []
        completion = Completion(text="", model=self.model)
        with stream:
            for chunk in stream:
                if chunk.usage:
                    completion.tokens_in = chunk.usage.prompt_tokens
                    completion.tokens_out = chunk.usage.completion_tokens
                if chunk.model:
                    completion.model = chunk.model
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        parts.append(delta.content)
                        live.write(delta.content)
                    if getattr(delta, "refusal", None):
                        refusal.append(delta.refusal)
                    if choice.finish_reason:
                        completion.finish_reason = choice.finish_reason
        completion.text = "".join(parts)
        completion.refusal = "".join(refusal) or None
        if completion.finish_reason == "content_filter":
            completion.refusal = completion.refusal or "the provider's content filter stopped the answer"
        return completion

    def _with_retries(self, call, live: Live):
        for attempt in range(1, self.attempts + 1):
            try:
                return call()
            except TRANSIENT as exc:
                if attempt == self.attempts:
                    raise LLMError(f"The model API kept failing after {attempt} tries: {_describe(exc)}. "
                                   "Try again in a few minutes.") from exc
                wait = _backoff(attempt, exc)
                log.warning("model API: %s; try %d of %d in %.1f s", _describe(exc), attempt + 1, self.attempts, wait)
                live.reset()
                time.sleep(wait)
            except openai.APIStatusError as exc:
                raise LLMError(f"The model API refused the request: {_describe(exc)}. "
                               "Check OPENAI_API_KEY, OPENAI_BASE_URL and GTM_MODEL.") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def image(self, prompt: str, headline: str) -> bytes:
        """Generate one PNG with the images API."""
        def call():
            answer = self.client.images.generate(model=self.image_model, prompt=prompt, n=1, size="1024x1024")
            data = answer.data[0]
            if data.b64_json:
                return base64.b64decode(data.b64_json)
            raise LLMError("The images API answered without image data.")
        return self._with_retries(call, Live())


def warm_up() -> None:
    """Build the SDK's lazily made validators for the answers we read, before a worker forks.

    Only public names of the SDK are used: private modules change without notice between releases.
    """
    choice = {"index": 0, "finish_reason": "stop", "logprobs": None}
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    ChatCompletion.construct(
        id="x", object="chat.completion", created=0, model="x", usage=usage,
        choices=[{**choice, "message": {"role": "assistant", "content": "{}", "refusal": None}}])
    ChatCompletionChunk.construct(
        id="x", object="chat.completion.chunk", created=0, model="x", usage=usage,
        choices=[{**choice, "delta": {"role": "assistant", "content": "{}"}}])
    ImagesResponse.construct(created=0, data=[{"b64_json": ""}])


@functools.cache
def response_format_for(schema: type[BaseModel]) -> dict:
    """Return the strict JSON-schema response format for a pydantic model (built once per model).

    The SDK's public `pydantic_function_tool` makes the same strict schema that structured
    outputs need; its private helper for it is not part of the SDK's interface.
    """
    strict = openai.pydantic_function_tool(schema)["function"]["parameters"]
    return {"type": "json_schema", "json_schema": {"name": schema.__name__, "strict": True, "schema": strict}}


def _describe(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.APIStatusError):
        message = exc.message
        body = exc.body if isinstance(exc.body, dict) else {}
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        if isinstance(inner, dict) and inner.get("message"):
            message = inner["message"]
        return f"HTTP {exc.status_code}: {message}"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect to the model API"
    return str(exc)


def _backoff(attempt: int, exc: Exception) -> float:
    """Honour Retry-After when the server sends one; otherwise back off exponentially with jitter."""
    response = getattr(exc, "response", None)
    if response is not None:
        header = response.headers.get("retry-after")
        try:
            if header is not None:
                return min(max(float(header), 0.0), MAX_BACKOFF)
        except ValueError:
            pass
    return min(0.5 * 2 ** (attempt - 1) + random.uniform(0, 0.25), MAX_BACKOFF)
