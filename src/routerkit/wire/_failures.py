"""Turning OpenRouter's failures into typed exceptions, and deciding which ones to retry.

OpenRouter answers errors in two JSON shapes (see the wire reference §5.2):

    A  {"error": {"code": <int status>, "message": ..., "metadata": {...}}}
    B  {"error": {"code": "invalid_prompt", "message": ...}, "metadata": {...} | null}

and, from proxies in front of it, sometimes an HTML page. `error_from_status` reads all three; the message a
user sees is OpenRouter's own, never markup. `RetryPolicy` is the retry schedule as pure arithmetic: the
drivers in `routerkit.models` sleep for what it says.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFailedError,
    ServerError,
    StreamInterruptedError,
)
from ._json import loads

__all__ = ["RetryPolicy", "error_from_event", "error_from_status", "parse_retry_after"]

_STATUS_TYPES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: BadRequestError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}
#: Inner codes OpenRouter wraps in an HTTP 400 when a provider failed transiently.
_TRANSIENT_INNER_CODES = frozenset({502, 503, 529})
_RETRYABLE_STATUSES = frozenset({408, 409, 429})
_MAX_DETAIL = 300
_MAX_MESSAGE = 2000


def error_from_status(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    models: Sequence[str],
) -> APIStatusError:
    """The exception for an HTTP error response, whatever shape its body has."""
    code: str | int | None = None
    metadata: dict[str, Any] = {}
    try:
        payload = loads(body) if body else None
    except ValueError:
        payload = None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, str):
        error = {"message": error}  # {"error": "Unauthorized"}, from proxies and OpenAI-compatible servers
    elif error is None and isinstance(payload, dict) and isinstance(payload.get("message"), str):
        error = payload  # {"message": ..., "code": ...} without the "error" wrapper
    if isinstance(error, dict):
        code = _code(error.get("code"))
        message = _clip(str(error.get("message") or "").strip()) or f"HTTP {status}"
        inner_meta = error.get("metadata")
        outer_meta = payload.get("metadata") if isinstance(payload, dict) else None
        metadata = inner_meta if isinstance(inner_meta, dict) else outer_meta if isinstance(outer_meta, dict) else {}
        message += _detail(metadata, message)
    else:
        message = _text_message(status, body)
    cls = _STATUS_TYPES.get(status, ServerError)
    if isinstance(code, int) and code in _TRANSIENT_INNER_CODES:
        cls = ServerError
    return cls(
        message,
        status=status,
        code=code,
        metadata=metadata,
        models=models,
        generation_id=headers.get("x-generation-id"),
        retry_after=parse_retry_after(headers),
    )


def error_from_event(
    event: Mapping[str, Any], models: Sequence[str], partial_text: str, generation_id: str | None = None
) -> ResponseFailedError:
    """The exception for a failure reported inside a stream or a 200 body.

    Handles `response.failed` (the error inside `response`), the flat `error` event of the OpenAPI schema
    (`{"type":"error","code","message"}`), and the nested one OpenRouter's prose docs show
    (`{"type":"error","error":{"code","message"}}`).
    """
    response = event.get("response")
    source: Mapping[str, Any] = event
    if isinstance(response, Mapping):
        source = response
    error = source.get("error")
    if isinstance(error, Mapping):
        source = {**source, **error}
    message = _clip(str(source.get("message") or "the model reported a failure without a message"))
    metadata = {k: source[k] for k in ("error_type", "param") if source.get(k) is not None}
    response_id = source.get("id") if isinstance(response, Mapping) else None
    return ResponseFailedError(
        message,
        code=_code(source.get("code")),
        metadata=metadata,
        models=models,
        generation_id=(response_id if isinstance(response_id, str) else None) or generation_id,
        partial_text=partial_text,
    )


def _code(value: Any) -> str | int | None:
    """OpenRouter's error code: a number or a name; anything else from a hostile body is dropped."""
    if isinstance(value, bool):
        return None
    return value if isinstance(value, (str, int)) else None


def _clip(text: str) -> str:
    """A message short enough for one report line's worth of facts, however long the server's was."""
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "…"


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    millis = _seconds(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    from datetime import UTC, datetime  # here: an HTTP date is rare, and email.utils costs every start ~5 ms
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" and obsolete zones parse as naive; HTTP dates are UTC
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _seconds(value: str | None) -> float | None:
    """A non-negative finite number of seconds, or None ("nan" or "inf" would break the sleep after it)."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return max(number, 0.0) if math.isfinite(number) else None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try again, and after how long.

    Retried: HTTP 408, 409, 429 and 5xx; an HTTP 400 wrapping a transient 502/503/529; connection failures
    and timeouts before any output. Never retried: anything after output reached the caller (the drivers
    check that), and every other status. Waits grow 0.5 s → 8 s with jitter; a server's `Retry-After` wins,
    unless it asks for more than `max_retry_after`: that is reported (`retry_after`) instead of waited out.
    No wait may run past the call's overall deadline.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def is_retryable(self, exc: APIError) -> bool:
        if isinstance(exc, APIStatusError):
            status = exc.status or 0
            if status in _RETRYABLE_STATUSES or status >= 500:
                return True
            return isinstance(exc.code, int) and exc.code in _TRANSIENT_INNER_CODES
        return isinstance(exc, (APIConnectionError, APITimeoutError, StreamInterruptedError))

    def delay(self, exc: APIError, retries_done: int, time_left: float | None) -> float | None:
        """Seconds to sleep before the next attempt, or None to give up and raise `exc`."""
        if retries_done >= self.max_retries or not self.is_retryable(exc):
            return None
        if exc.retry_after is not None:
            if exc.retry_after > self.max_retry_after:
                return None  # the server asks for a long pause: report it (`retry_after`) rather than block
            wait = exc.retry_after
        else:
            wait = min(self.initial_delay * 2**retries_done, self.max_delay)
            import random  # here: only a retry needs it

            wait *= 1 - 0.25 * random.random()
        if time_left is not None and wait >= time_left:
            return None
        return wait


def _detail(metadata: Mapping[str, Any], message: str) -> str:
    """A short suffix with what OpenRouter's metadata adds to `message` (provider, validation issues); the
    upstream's raw text only when the message does not already say it."""
    bits = []
    provider = metadata.get("provider_name")
    if provider:
        bits.append(f"provider: {provider}")
    raw = metadata.get("raw")
    flat = " ".join(raw.split()) if isinstance(raw, str) else ""
    if flat and flat.rstrip(".") not in " ".join(message.split()):
        bits.append(flat if len(flat) <= _MAX_DETAIL else flat[:_MAX_DETAIL] + "…")
    reasons = metadata.get("reasons")
    if isinstance(reasons, list) and reasons:
        bits.append("flagged: " + ", ".join(map(str, reasons)))
    return f" ({'; '.join(bits)})" if bits else ""


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _text_message(status: int, body: bytes) -> str:
    """A clean one-line message from a non-JSON body (an HTML error page from a proxy, plain text)."""
    match = _TITLE.search(body)
    text = (match.group(1) if match else body).decode("utf-8", "replace")
    text = " ".join(_TAG.sub(" ", text).split())
    if not text:
        return f"HTTP {status} with an empty body"
    if len(text) > _MAX_DETAIL:
        text = text[:_MAX_DETAIL] + "…"
    return f"{text} (non-JSON error body)"
