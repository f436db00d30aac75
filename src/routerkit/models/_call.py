"""One model call's I/O-free bookkeeping, shared by the sync and async drivers.

A `Call` holds the prepared request, the retry schedule and the deadline; `translate_errors` maps httpx2's
exceptions to routerkit's in one place. The drivers in `openai.py` are short loops around these two.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2

from ..errors import APIConnectionError, APIError, APIStatusError, APITimeoutError, StreamInterruptedError
from ..wire.errors import RetryPolicy, error_from_event, error_from_status
from ..wire.response import ModelResponse, build_response
from ..wire.stream import ResponseStream

__all__ = ["Call", "translate_errors"]


@dataclass(slots=True)
class Call:
    url: str
    headers: dict[str, str] = field(repr=False)
    """Holds the Authorization header: never in a repr (tracebacks with locals print every frame's `call`)."""
    payload: bytes
    requested_model: str
    models: list[str]
    policy: RetryPolicy
    connect_timeout: float
    stall_timeout: float
    total_timeout: float | None
    started: float = field(default_factory=time.perf_counter)
    retries: int = 0

    def time_left(self) -> float | None:
        if self.total_timeout is None:
            return None
        return self.total_timeout - (time.perf_counter() - self.started)

    def timeout(self) -> httpx2.Timeout:
        left = self.time_left()
        cap = (lambda t: t) if left is None else (lambda t: max(min(t, left), 0.001))
        return httpx2.Timeout(
            connect=cap(self.connect_timeout),
            read=cap(self.stall_timeout),
            write=cap(self.stall_timeout),
            pool=cap(self.connect_timeout),
        )

    def check_deadline(self, stream: ResponseStream | None = None) -> None:
        left = self.time_left()
        if left is not None and left <= 0:
            raise self.deadline_error(stream)

    def deadline_error(self, stream: ResponseStream | None) -> APITimeoutError:
        return APITimeoutError(
            f"the call took longer than timeout={self.total_timeout:g}s",
            models=self.models,
            partial_text=stream.partial_text if stream else "",
        )

    def backoff(self, exc: APIError, stream: ResponseStream | None = None) -> float:
        """Seconds to wait before trying again; re-raises `exc` when no retry is allowed."""
        if stream is not None and stream.output_started:
            raise exc
        delay = self.policy.delay(exc, self.retries, self.time_left())
        if delay is None:
            raise exc
        self.retries += 1
        return delay

    def raise_for_status(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        if status >= 400:
            raise error_from_status(status, body, headers, self.models)
        if status >= 300:
            # Redirects are never followed: the Authorization header must only ever go to base_url. Say so,
            # instead of failing later on an empty body (and retrying what is not a transient failure).
            location = headers.get("location")
            where = f"to {location}" if location else "without a location"
            raise APIStatusError(
                f"the server answered {self.url} with a redirect {where}; routerkit does not follow redirects "
                "(the API key is sent only to base_url), so point base_url at the final address",
                status=status,
                models=self.models,
                generation_id=headers.get("x-generation-id"),
            )

    def read_json(self, headers: Mapping[str, str], body: bytes) -> ModelResponse:
        try:
            payload: Any = json.loads(body)
        except ValueError as exc:
            raise StreamInterruptedError(f"the response body is not JSON: {body[:80]!r}", models=self.models) from exc
        if not isinstance(payload, dict):
            raise StreamInterruptedError("the response body is not a JSON object", models=self.models)
        generation_id = headers.get("x-generation-id")
        if payload.get("status") == "failed" or (payload.get("error") and not payload.get("output")):
            raise error_from_event(payload, self.models, "", generation_id)
        try:
            response = build_response(self.requested_model, payload, generation_id=generation_id)
        except (TypeError, AttributeError, ValueError, KeyError) as exc:
            # Valid JSON of the wrong shape (`"output": "abc"`, …) is a broken response, not a crash.
            raise StreamInterruptedError(f"malformed response body ({exc})", models=self.models) from exc
        response.duration = time.perf_counter() - self.started
        return response

    def new_stream(self, headers: Mapping[str, str]) -> ResponseStream:
        return ResponseStream(self.requested_model, models=self.models, generation_id=headers.get("x-generation-id"))


@contextmanager
def translate_errors(call: Call, stream: ResponseStream | None = None) -> Iterator[None]:
    """Re-raise httpx2's transport exceptions as routerkit's, with the model and any partial answer."""
    try:
        yield
    except httpx2.TimeoutException as exc:
        left = call.time_left()
        if left is not None and left <= 0.01:
            raise call.deadline_error(stream) from exc
        if isinstance(exc, (httpx2.ConnectTimeout, httpx2.PoolTimeout)):
            message = f"could not connect within connect_timeout={call.connect_timeout:g}s"
        elif stream is not None:
            message = f"no data from the server for stall_timeout={call.stall_timeout:g}s"
        else:
            message = f"no response within stall_timeout={call.stall_timeout:g}s"
        partial = stream.partial_text if stream else ""
        raise APITimeoutError(message, models=call.models, partial_text=partial) from exc
    except httpx2.TransportError as exc:
        if stream is not None and stream.output_started:
            raise StreamInterruptedError(
                f"the connection broke mid-stream ({type(exc).__name__})",
                models=call.models,
                generation_id=stream.generation_id,
                partial_text=stream.partial_text,
            ) from exc
        reason = str(exc) or type(exc).__name__
        raise APIConnectionError(f"{reason} ({call.url})", models=call.models) from exc
