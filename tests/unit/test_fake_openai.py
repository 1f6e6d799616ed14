"""Exercise tests/kit/fake_openai.py through the real openai SDK."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Iterator
from typing import Literal

import openai
import pytest
from openai import OpenAI
from openai.lib._pydantic import to_strict_json_schema
from PIL import Image
from pydantic import BaseModel

from tests.kit.fake_openai import FakeOpenAI, Reply
from tests.kit.schema_samples import estimate_tokens, sample_from_schema

MESSAGES = [{"role": "user", "content": "Find competitors of Acme."}]


class Competitor(BaseModel):
    name: str
    tier: Literal["direct", "indirect"]
    founded: int | None


class Report(BaseModel):
    summary: str
    score: int
    competitors: list[Competitor]


def _schema_format(model: type[BaseModel]) -> dict:
    return {"type": "json_schema", "json_schema": {"name": "x", "strict": True, "schema": to_strict_json_schema(model)}}


@pytest.fixture
def fake_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def client(fake_server: FakeOpenAI) -> Iterator[OpenAI]:
    with OpenAI(base_url=fake_server.base_url, api_key="test", max_retries=0) as c:
        yield c


def test_default_answer_validates_against_strict_schema(client: OpenAI, fake_server: FakeOpenAI) -> None:
    fmt = _schema_format(Report)
    completion = client.chat.completions.create(model="gpt-x", messages=MESSAGES, response_format=fmt)
    report = Report.model_validate_json(completion.choices[0].message.content or "")
    assert len(report.competitors) == 2
    assert report.competitors[0].tier == "direct"
    assert report.competitors[1].name == "Sample name 2"
    assert completion.model == "gpt-x"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == estimate_tokens(MESSAGES)
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_default_without_schema_is_ok(client: OpenAI) -> None:
    completion = client.chat.completions.create(model="m", messages=MESSAGES)
    assert completion.choices[0].message.content == "ok"


def test_schema_bounds_and_refs() -> None:
    schema = {"type": "object", "$defs": {"Node": {"type": "object", "properties": {
        "kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}},
        "properties": {"tags": {"type": "array", "minItems": 3, "items": {"type": "string", "maxLength": 4}},
                       "one": {"type": "array", "maxItems": 1, "items": {"type": "integer", "minimum": 5}},
                       "code": {"type": "string", "minLength": 30}, "ratio": {"type": "number", "maximum": 0.5},
                       "tree": {"$ref": "#/$defs/Node"}, "maybe": {"anyOf": [{"type": "null"}, {"type": "boolean"}]}}}
    value = sample_from_schema(schema)
    assert value["tags"] == ["Samp"] * 3 and value["one"] == [5] and value["maybe"] is True
    assert len(value["code"]) == 30 and value["ratio"] == 0.5
    assert len(value["tree"]["kids"]) == 2  # recursive $ref terminates


def test_streaming_assembles_same_content(client: OpenAI) -> None:
    fmt = _schema_format(Report)
    plain = client.chat.completions.create(model="m", messages=MESSAGES, response_format=fmt)
    stream = client.chat.completions.create(model="m", messages=MESSAGES, response_format=fmt, stream=True,
                                            stream_options={"include_usage": True})
    parts, finish, usage = [], None, None
    with stream:
        for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
            for choice in chunk.choices:
                parts.append(choice.delta.content or "")
                finish = choice.finish_reason or finish
    assert len([p for p in parts if p]) > 1  # really split into several pieces
    assert "".join(parts) == plain.choices[0].message.content
    assert finish == "stop"
    assert usage is not None and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streaming_refusal_and_error(client: OpenAI, fake_server: FakeOpenAI) -> None:
    fake_server.script(Reply.refusal("I can't help with that."), Reply.error(429, "slow down"))
    with client.chat.completions.create(model="m", messages=MESSAGES, stream=True) as stream:
        refusal = "".join(c.choices[0].delta.refusal or "" for c in stream if c.choices)
    assert refusal == "I can't help with that."
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="m", messages=MESSAGES, stream=True)


def test_scripted_errors(client: OpenAI, fake_server: FakeOpenAI) -> None:
    fake_server.script(Reply.error(429, "slow down", retry_after=2), Reply.error(500))
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model="m", messages=MESSAGES)
    assert info.value.response.headers["retry-after"] == "2"
    assert "slow down" in info.value.message
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="m", messages=MESSAGES)


def test_length_refusal_json_text(client: OpenAI, fake_server: FakeOpenAI) -> None:
    fake_server.script(Reply.length(), Reply.refusal("nope"), Reply.json({"a": 1}, usage=(3, 4)), Reply.text("{bad"))
    first = client.chat.completions.create(model="m", messages=MESSAGES)
    assert first.choices[0].finish_reason == "length"
    assert first.choices[0].message.content == '{"competitors": ['
    assert first.usage is not None and first.usage.completion_tokens == 4096
    refused = client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message
    assert refused.content is None and refused.refusal == "nope"
    third = client.chat.completions.create(model="m", messages=MESSAGES)
    assert third.choices[0].message.content == '{"a": 1}' and third.usage and third.usage.total_tokens == 7
    assert client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == "{bad"


def test_responder_and_requests_recorded(client: OpenAI, fake_server: FakeOpenAI) -> None:
    fake_server.responder = lambda body: {"echo": body["messages"][0]["content"]} if body["model"] == "echo" else None
    echoed = client.chat.completions.create(model="echo", messages=MESSAGES)
    assert echoed.choices[0].message.content == '{"echo": "Find competitors of Acme."}'
    assert client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == "ok"
    assert [b["model"] for b in fake_server.chat_requests] == ["echo", "m"]
    request = fake_server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer test"
    fake_server.reset()
    assert fake_server.requests == [] and fake_server.responder is None


def test_broken_responder_answers_500(client: OpenAI, fake_server: FakeOpenAI) -> None:
    fake_server.responder = lambda body: 1 // 0
    with pytest.raises(openai.InternalServerError, match="ZeroDivisionError"):
        client.chat.completions.create(model="m", messages=MESSAGES)


def test_hang_times_out(fake_server: FakeOpenAI) -> None:
    fake_server.script(Reply.hang(5))
    with OpenAI(base_url=fake_server.base_url, api_key="test", max_retries=0, timeout=0.5) as client:
        with pytest.raises(openai.APITimeoutError):
            client.chat.completions.create(model="m", messages=MESSAGES)
    assert len(fake_server.chat_requests) == 1


def test_images_png_and_script(client: OpenAI, fake_server: FakeOpenAI) -> None:
    result = client.images.generate(model="gpt-image-1", prompt="x")
    assert result.data is not None and result.data[0].b64_json
    with Image.open(io.BytesIO(base64.b64decode(result.data[0].b64_json))) as image:
        assert image.format == "PNG" and image.size == (64, 64)
    fake_server.script_images(Reply.error(500))
    with pytest.raises(openai.InternalServerError):
        client.images.generate(model="gpt-image-1", prompt="y")
    assert [b["prompt"] for b in fake_server.image_requests] == ["x", "y"]


def test_models_and_unknown_path(client: OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["fake-model"]
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="m", input="x")


def test_concurrent_requests_with_latency(fake_server: FakeOpenAI) -> None:
    fake_server.latency = 0.2
    results: list[str] = []

    def call() -> None:
        with OpenAI(base_url=fake_server.base_url, api_key="test", max_retries=0) as c:
            results.append(c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content or "")

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"] * 8 and len(fake_server.chat_requests) == 8
