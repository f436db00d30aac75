"""One model call's I/O-free bookkeeping, shared by the sync and async drivers.

A `Call` holds the prepared request, the retry schedule, the deadline and the size caps; `translate_errors`
maps the transports' exceptions (the sync pool's and httpx2's) to routerkit's in one place. The drivers in
`_drivers.py` are short loops around these: they only move bytes and sleep.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..wire._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    MalformedResponseError,
    ResponseTooLargeError,
    StreamInterruptedError,
)
from ..wire._failures import RetryPolicy, error_from_event, error_from_status
from ..wire._json import loads
from ..wire._response import ModelResponse, build_response
from ..wire._stream import ResponseStream
from ._http11 import HTTPFailure, Timeouts
from ._observe import ChatObserver, retried

__all__ = ["ERROR_BODY_LIMIT", "BodyReader", "Call", "on_fallback", "on_retry", "translate_errors"]

#: Error bodies are read up to this size, and the message built from what arrived: no error page needs more.
ERROR_BODY_LIMIT = 1024 * 1024


#: Told of each retry before its wait: (the error, seconds to wait, the attempt about to start, attempts
#: allowed). The CLI sets it to say "retrying in 2 s" on a terminal instead of staying blank.
on_retry: ContextVar[Callable[[APIError, float, int, int], None] | None] = ContextVar("on_retry", default=None)

#: Told once per call when its stream names a fallback model serving it, before the answer's first token.
#: The CLI sets it to say "falling back to …" while waiting.
on_fallback: ContextVar[Callable[[str], None] | None] = ContextVar("on_fallback", default=None)


@lru_cache(maxsize=64)
def _timeouts(connect: float, stall: float) -> Timeouts:
    """The timeouts of an attempt with more time left than either: one object per setting, not per request."""
    return (connect, stall, stall, connect)


@dataclass(slots=True)
class Call:
    """One call's request, schedule and limits. Retries reuse it: the deadline covers all attempts."""

    url: str
    headers: dict[str, str] = field(repr=False)
    """Holds the Authorization header: never in a repr (tracebacks with locals print every frame's `call`)."""
    payload: bytes = field(repr=False)
    requested_model: str
    models: list[str]
    policy: RetryPolicy
    connect_timeout: float
    stall_timeout: float
    total_timeout: float | None
    max_response_bytes: int
    method: str = "POST"
    started: float = field(default_factory=time.perf_counter)
    retries: int = 0
    provider: str = "openai"
    """`gen_ai.provider.name` in traces."""
    observer: ChatObserver | None = field(default=None, repr=False)
    response: ModelResponse | None = field(default=None, repr=False)
    stream: ResponseStream | None = field(default=None, repr=False)
    """The last attempt's outcome, for the observer (see `_observe`)."""
    fallback_settled: bool = field(default=False, repr=False)

    def time_left(self) -> float | None:
        if self.total_timeout is None:
            return None
        return self.total_timeout - (time.perf_counter() - self.started)

    def timeout(self) -> Timeouts:
        """The per-operation timeouts (connect, read, write, pool), each cut to the time left so no single
        wait outlives the call."""
        left = self.time_left()
        if left is None or left >= max(self.connect_timeout, self.stall_timeout):
            return _timeouts(self.connect_timeout, self.stall_timeout)

        def cap(seconds: float) -> float:
            return seconds if left is None else max(min(seconds, left), 0.001)

        connect, stall = cap(self.connect_timeout), cap(self.stall_timeout)
        return (connect, stall, stall, connect)

    def check_deadline(self, stream: ResponseStream | None = None, status: int | None = None) -> None:
        left = self.time_left()
        if left is not None and left <= 0:
            raise self.deadline_error(stream, status)

    def tell_fallback(self, stream: ResponseStream) -> None:
        """Tell `on_fallback`'s listener, once, when the stream names a fallback model serving this call. Called
        per chunk: with no listener (the library's case) the first call settles it for the rest of the call."""
        if self.fallback_settled:
            return
        if (listener := on_fallback.get()) is None:
            self.fallback_settled = True
        elif (served := stream.fallback_model) is not None:
            self.fallback_settled = True
            listener(served)

    def deadline_error(self, stream: ResponseStream | None, status: int | None = None) -> APITimeoutError:
        during = f" (while reading the HTTP {status} error body)" if status is not None and status >= 300 else ""
        return APITimeoutError(
            f"the call took longer than timeout={self.total_timeout:g}s{during}",
            status=status if during else None,
            models=self.models,
            partial_text=stream.partial_text if stream else "",
        )

    def backoff(self, exc: APIError, stream: ResponseStream | None = None) -> float:
        """Seconds to wait before trying again; re-raises `exc` when no retry is allowed.

        What is raised carries no exception chain: the transport's frames hold the request headers (the API key)
        in their locals, which `traceback` with `capture_locals`, rich's `show_locals` and `pytest -l` print.
        """
        retry = not (stream is not None and stream.output_started) and not isinstance(exc, _NEVER_RETRIED)
        delay = self.policy.delay(exc, self.retries, self.time_left()) if retry else None
        if delay is None:
            exc.__cause__ = exc.__context__ = None
            exc.__suppress_context__ = True
            raise exc
        self.retries += 1
        retried(self, exc, delay)
        listener = on_retry.get()
        if listener is not None:
            listener(exc, delay, self.retries + 1, self.policy.max_retries + 1)
        return delay

    def body_reader(self, status: int, headers: Mapping[str, str]) -> BodyReader:
        return BodyReader(self, status, headers)

    def raise_for_status(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        if status >= 400:
            raise error_from_status(status, body, headers, self.models)
        if status >= 300:
            # Redirects are never followed: the Authorization header must only ever go to base_url. Say so,
            # instead of failing later on an empty body (and retrying what is not a transient failure).
            location = headers.get("location")
            where = f"to {location[:200]}" if location else "without a location"
            raise APIStatusError(
                f"the server answered {self.url} with a redirect {where}; routerkit does not follow redirects "
                "(the API key is sent only to base_url), so point base_url at the final address",
                status=status,
                models=self.models,
                generation_id=headers.get("x-generation-id"),
            )

    def read_json(self, headers: Mapping[str, str], body: bytes) -> ModelResponse:
        """The response in a 200 JSON body. Once it parsed as JSON it is never retried: it was paid for."""
        try:
            payload: Any = loads(body)
        except ValueError as exc:
            raise StreamInterruptedError(f"the response body is not JSON: {body[:80]!r}", models=self.models) from exc
        generation_id = headers.get("x-generation-id")
        if not isinstance(payload, dict):
            raise MalformedResponseError("the response body is not a JSON object", models=self.models)
        if payload.get("status") == "failed" or (payload.get("error") and not payload.get("output")):
            raise error_from_event(payload, self.models, "", generation_id)
        response = build_response(self.requested_model, payload, generation_id=generation_id)
        response.duration = time.perf_counter() - self.started
        self.response = response
        return response

    def new_stream(self, headers: Mapping[str, str]) -> ResponseStream:
        generation_id = headers.get("x-generation-id")
        self.stream = ResponseStream(self.requested_model, models=self.models, generation_id=generation_id)
        return self.stream


#: Failures retrying cannot fix: the server answered, and would answer the same (and charge again).
_NEVER_RETRIED = (MalformedResponseError, ResponseTooLargeError)


class BodyReader:
    """Collects a response body under the call's deadline and a size cap.

    A success body over `max_response_bytes` is an error naming the limit; an error body is cut at
    `ERROR_BODY_LIMIT` and the error built from what arrived (its status is the fact that matters).
    """

    __slots__ = ("_call", "_chunks", "_limit", "_size", "status")

    def __init__(self, call: Call, status: int, headers: Mapping[str, str]) -> None:
        self._call = call
        self.status = status
        self._limit = ERROR_BODY_LIMIT if status >= 300 else call.max_response_bytes
        self._chunks: list[bytes] = []
        self._size = 0
        declared = headers.get("content-length", "")
        if status < 300 and declared.isdigit() and int(declared) > self._limit:
            raise self._too_large(f"a {int(declared):,}-byte body was announced")

    def add(self, chunk: bytes) -> bool:
        """Take one chunk; False once the body is complete enough to stop reading."""
        self._size += len(chunk)
        if self._size > self._limit:
            if self.status < 300:
                raise self._too_large("the body grew past it")
            self._chunks.append(chunk[: len(chunk) - (self._size - self._limit)])
            return False
        self._chunks.append(chunk)
        self._call.check_deadline(status=self.status)
        return True

    def body(self) -> bytes:
        return b"".join(self._chunks)

    def _too_large(self, what: str) -> ResponseTooLargeError:
        limit = self._limit
        return ResponseTooLargeError(
            f"the response body exceeds max_response_bytes={limit:,} ({what}); raise max_response_bytes "
            "on the model if such answers are expected",
            status=self.status,
            models=self._call.models,
        )


@contextmanager
def translate_errors(call: Call, stream: ResponseStream | None = None) -> Iterator[None]:
    """Re-raise the transport's exceptions as routerkit's, with the model and any partial answer.

    Messages are built from the failure's kind and the OS's reason only: a transport's text for a request it
    could not send may quote a header value.
    """
    try:
        yield
    except APIError:
        raise
    except Exception as exc:
        kind = _failure_kind(exc)
        if kind is None:
            raise
        raise _translated(call, stream, exc, kind) from exc


def _translated(call: Call, stream: ResponseStream | None, exc: Exception, kind: str) -> APIError:
    partial = stream.partial_text if stream else ""
    if kind in ("pool-timeout", "connect-timeout", "timeout"):
        left = call.time_left()
        if left is not None and left <= 0.01:
            return call.deadline_error(stream)
        if kind == "pool-timeout":
            message = f"no free connection in the client's pool within connect_timeout={call.connect_timeout:g}s"
        elif kind == "connect-timeout":
            message = f"could not connect within connect_timeout={call.connect_timeout:g}s"
        elif stream is not None:
            message = f"no data from the server for stall_timeout={call.stall_timeout:g}s"
        else:
            message = f"no response within stall_timeout={call.stall_timeout:g}s"
        return APITimeoutError(message, models=call.models, partial_text=partial)
    if kind == "decode":
        return StreamInterruptedError(
            f"the response body could not be decoded ({_reason(exc)})", models=call.models, partial_text=partial
        )
    if stream is not None and stream.output_started:
        return StreamInterruptedError(
            f"the connection broke mid-stream ({type(exc).__name__})",
            models=call.models,
            generation_id=stream.generation_id,
            partial_text=stream.partial_text,
        )
    reason = f"the request could not be sent ({type(exc).__name__})" if kind == "request" else _reason(exc)
    return APIConnectionError(f"{reason} ({call.url})", models=call.models)


#: httpx2's failures, most specific first, and how each failed (see `_failure_kind`).
_HTTPX2_KINDS = (
    ("PoolTimeout", "pool-timeout"),
    ("ConnectTimeout", "connect-timeout"),
    ("TimeoutException", "timeout"),
    ("DecodingError", "decode"),
    ("LocalProtocolError", "request"),
    ("TransportError", "transport"),
)


def _failure_kind(exc: Exception) -> str | None:
    """How a transport failed (see `HTTPFailure.kind`, plus "pool-timeout"), or None for any other exception."""
    if isinstance(exc, HTTPFailure):
        return exc.kind
    httpx2 = sys.modules.get("httpx2")
    if httpx2 is None:  # never imported: nothing raised can be one of its errors
        return None
    return next((kind for name, kind in _HTTPX2_KINDS if isinstance(exc, getattr(httpx2, name))), None)


def _reason(exc: Exception) -> str:
    """A short, header-free description of a transport failure."""
    text = str(exc)
    return text[:200] if text else type(exc).__name__
