"""A small OpenAI-compatible fake HTTP server for tests and benchmarks.

The real ``openai`` SDK talks to it via ``OpenAI(base_url=fake.base_url, api_key="test")``.
Chat completions (plain and SSE streaming), image generations and the model list are
served; answers come from a scripted FIFO queue, an optional ``responder`` callback, or a
default answer synthesised from the request's JSON schema so that it validates.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from PIL import Image

from .schema_samples import estimate_tokens, sample_from_schema

_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                404: "not_found_error", 409: "conflict_error", 422: "invalid_request_error",
                429: "rate_limit_error"}
_STREAM_PIECE = 20  # characters of content per streamed delta


@dataclass
class Reply:
    """What the fake answers to one chat-completions (or image) call."""

    # Field names differ from the constructor classmethods (refusal/hang) so both can exist.
    content: str | None = None
    refusal_message: str | None = None
    finish_reason: str = "stop"
    usage: tuple[int, int] | None = (11, 22)
    delay: float = 0.0
    status: int = 200
    error_message: str = ""
    retry_after: float | None = None
    hang_seconds: float | None = None

    @classmethod
    def json(cls, obj: Any, *, finish_reason: str = "stop", usage: tuple[int, int] | None = (11, 22),
             delay: float = 0.0) -> Reply:
        """Answer ``json.dumps(obj)`` as the message content."""
        return cls(content=json.dumps(obj), finish_reason=finish_reason, usage=usage, delay=delay)

    @classmethod
    def text(cls, content: str, *, finish_reason: str = "stop", usage: tuple[int, int] | None = (11, 22),
             delay: float = 0.0) -> Reply:
        """Answer raw content (e.g. invalid JSON)."""
        return cls(content=content, finish_reason=finish_reason, usage=usage, delay=delay)

    @classmethod
    def length(cls, partial: str = '{"competitors": [', usage: tuple[int, int] | None = (11, 4096)) -> Reply:
        """A truncated answer with ``finish_reason="length"``."""
        return cls(content=partial, finish_reason="length", usage=usage)

    @classmethod
    def refusal(cls, message: str) -> Reply:
        """An assistant message with ``content=None`` and ``refusal=message``."""
        return cls(content=None, refusal_message=message)

    @classmethod
    def error(cls, status: int, message: str = "fake error", *, retry_after: float | None = None) -> Reply:
        """An HTTP error with an OpenAI-style JSON body (never streamed)."""
        return cls(status=status, error_message=message, retry_after=retry_after)

    @classmethod
    def hang(cls, seconds: float) -> Reply:
        """Sleep ``seconds`` and then drop the connection without an answer."""
        return cls(hang_seconds=seconds)


@lru_cache(maxsize=1)
def _png_b64() -> str:
    """A real 64x64 solid-colour PNG, base64-encoded (cached: Pillow work is done once)."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (40, 120, 200)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default listen backlog of 5 drops bursts of new connections (SYN retried after ~1 s).
    request_queue_size = 128
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that time out or disconnect early; report real bugs."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API; every answer has a length or is chunked
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature from base class
        """Normal requests log nothing."""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; like real API servers, do not let Nagle's
        # algorithm hold the body back waiting for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        self.server.fake._track(self.connection, add=False)
        super().finish()

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _dispatch(self) -> None:
        fake = self.server.fake
        path = self.path.split("?", 1)[0].rstrip("/")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        fake._record({"path": path, "body": body, "headers": {k.lower(): v for k, v in self.headers.items()},
                      "at": time.time()})
        if (self.command, path) == ("POST", "/v1/chat/completions"):
            try:
                reply = fake._next_chat(body)
            except Exception as exc:  # a broken responder/schema should fail the test loudly, not hang it
                reply = Reply.error(500, f"fake_openai could not answer: {exc!r}")
        elif (self.command, path) == ("POST", "/v1/images/generations"):
            reply = fake._next_image(body)
        elif (self.command, path) == ("GET", "/v1/models"):
            reply = None
        else:
            reply = Reply.error(404, f"Unknown request URL: {self.command} {path}")
        fake._sleep(fake.latency + reply.delay if reply else fake.latency)
        if reply is not None and reply.hang_seconds is not None:
            fake._sleep(reply.hang_seconds)
            self.close_connection = True  # no body at all: the client should have timed out already
        elif reply is not None and reply.status >= 400:
            self._send_error(reply)
        elif path == "/v1/models":
            self._send_json({"object": "list", "data": [
                {"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"}]})
        elif path == "/v1/images/generations":
            self._send_json({"created": int(time.time()),
                             "data": [{"b64_json": _png_b64()}] * max(1, int(body.get("n") or 1))})
        else:
            self._send_chat(body, reply)

    def _send_json(self, obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, reply: Reply) -> None:
        code = {429: "rate_limit_exceeded", 401: "invalid_api_key"}.get(reply.status)
        error = {"message": reply.error_message, "type": _ERROR_TYPES.get(reply.status, "server_error"),
                 "param": None, "code": code}
        headers = {"Retry-After": f"{reply.retry_after:g}"} if reply.retry_after is not None else {}
        self._send_json({"error": error}, reply.status, headers)

    def _send_chat(self, body: dict[str, Any], reply: Reply) -> None:
        model = body.get("model") or "fake-model"
        usage = None if reply.usage is None else {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1],
                                                  "total_tokens": sum(reply.usage)}
        base = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "created": int(time.time()), "model": model,
                "system_fingerprint": "fp_fake"}
        if not body.get("stream"):
            message = {"role": "assistant", "content": reply.content, "refusal": reply.refusal_message}
            self._send_json({**base, "object": "chat.completion", "usage": usage, "choices": [
                {"index": 0, "message": message, "finish_reason": reply.finish_reason, "logprobs": None}]})
            return
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            out = {**base, "object": "chat.completion.chunk", "choices": [
                {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}]}
            return {**out, "usage": None} if include_usage else out

        field = "refusal" if reply.refusal_message is not None else "content"
        text = (reply.refusal_message if reply.refusal_message is not None else reply.content) or ""
        first = {"role": "assistant", "content": ""} if field == "content" else \
            {"role": "assistant", "content": None, "refusal": ""}
        events = [chunk(first)]
        events += [chunk({field: text[i:i + _STREAM_PIECE]}) for i in range(0, len(text), _STREAM_PIECE)]
        events.append(chunk({}, reply.finish_reason))
        if include_usage:
            events.append({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        for i, event in enumerate(events):
            if i and self.server.fake.stream_pause:
                self.server.fake._sleep(self.server.fake.stream_pause)
            self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")  # zero-length chunk terminates the chunked body

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


class FakeOpenAI:
    """OpenAI-compatible fake server on 127.0.0.1; thread-safe; usable as a context manager."""

    def __init__(self, port: int = 0, latency: float = 0.0) -> None:
        self.port = port
        self.latency = latency
        self.stream_pause = 0.0  # seconds between streamed chunks
        self.responder: Callable[[dict[str, Any]], Reply | dict[str, Any] | None] | None = None
        # Called for image calls the script queue does not answer; None (or no responder) answers an image.
        self.image_responder: Callable[[dict[str, Any]], Reply | None] | None = None
        self.requests: list[dict[str, Any]] = []
        self.base_url = ""
        self._lock = threading.Lock()
        self._chat_queue: list[Reply] = []
        self._image_queue: list[Reply] = []
        self._conns: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeOpenAI:
        """Bind and serve in a daemon thread."""
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-openai-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes sleeping handlers and drops open keep-alive connections."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            with self._lock:
                conns = list(self._conns)
            for conn in conns:  # unblock handler threads waiting on idle keep-alive connections
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next chat-completion calls, one per call."""
        with self._lock:
            self._chat_queue.extend(replies)

    def script_images(self, *replies: Reply) -> None:
        """Queue replies (errors/hangs) for the next image calls."""
        with self._lock:
            self._image_queue.extend(replies)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of chat-completions requests, in order."""
        return self._bodies("/v1/chat/completions")

    @property
    def image_requests(self) -> list[dict[str, Any]]:
        """Bodies of image-generation requests, in order."""
        return self._bodies("/v1/images/generations")

    def forget_requests(self) -> None:
        """Clear the recorded requests only (answers set up for the test stay)."""
        with self._lock:
            self.requests.clear()

    def reset(self) -> None:
        """Clear queues, recorded requests, responder and latency."""
        with self._lock:
            self._chat_queue, self._image_queue = [], []
            self.requests.clear()
        self.responder = None
        self.image_responder = None
        self.latency = 0.0
        self.stream_pause = 0.0

    # -- used by the handler -------------------------------------------------
    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def _record(self, request: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(request)

    def _bodies(self, path: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r["body"] for r in self.requests if r["path"] == path]

    def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up at once when the server stops."""
        if seconds > 0:
            self._stopping.wait(seconds)

    def _next_image(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._image_queue:
                return self._image_queue.pop(0)
        responder = self.image_responder
        return (responder(body) if responder is not None else None) or Reply()

    def _next_chat(self, body: dict[str, Any]) -> Reply:
        """Script queue first, then the responder, then a schema-valid default."""
        with self._lock:
            if self._chat_queue:
                return self._chat_queue.pop(0)
        responder = self.responder
        answer = responder(body) if responder is not None else None  # outside the lock: may be slow
        if isinstance(answer, Reply):
            return answer
        if isinstance(answer, dict):
            return Reply.json(answer)
        fmt = body.get("response_format") or {}
        schema = (fmt.get("json_schema") or {}).get("schema") if fmt.get("type") == "json_schema" else None
        content = json.dumps(sample_from_schema(schema)) if isinstance(schema, dict) else "ok"
        return Reply.text(content, usage=(estimate_tokens(body.get("messages") or []), len(content) // 4 + 1))
