"""The fault catalogue: what each failing model id answers, as data.

Pre-stream faults (``fail-STATUS``, ``unavailable``, ``html-502``, ``flaky-N``) are HTTP errors that let
fallback move on to the next model; mid-stream faults (``stall``, ``truncate``, ``error-event``,
``failed``, ``incomplete``) send a partial answer and then end the way :data:`MID_STREAM` says.
Messages and metadata follow OpenRouter's captured bodies (wire reference §5).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any, Literal

from ._models import ModelSpec, context_length, provider_name
from ._outcomes import Ending, Failure, HttpReply, dumps

__all__ = ["MID_STREAM", "PARTIAL", "STALL_LIMIT_S", "FlakyCounter", "MidStream", "pre_stream_failure"]

STALL_LIMIT_S = 120.0
PARTIAL = ["Partial ", "answer ", "then "]
"""The deltas a mid-stream fault sends before it ends."""

Terminal = Literal["completed", "incomplete", "failed", "error", "none"]


@dataclass(frozen=True, slots=True)
class MidStream:
    """How a mid-stream fault ends: the terminal event (``none``: no terminal event) and the body ending."""

    terminal: Terminal
    ending: Ending


MID_STREAM: dict[str, MidStream] = {
    "stall": MidStream("none", "stall"),
    "truncate": MidStream("none", "truncate"),
    "error-event": MidStream("error", "done"),
    "failed": MidStream("failed", "done"),
    "incomplete": MidStream("incomplete", "done"),
}

# status → (error.message, error.metadata); "{model}" / "{prov}" are filled in.
_FAIL_BODIES: dict[int, tuple[str, dict[str, Any] | None]] = {
    400: ("Provider returned error", {"raw": '{"error":{"message":"Bad request"}}', "provider_name": "{prov}"}),
    401: ("User not found.", None),
    402: (
        "This request requires more credits, or fewer max_tokens. Add more using https://openrouter.ai/settings/credits",
        None,
    ),
    403: (
        '{model} requires moderation on {prov}. Your input was flagged for "harassment". No credits were charged.',
        {"reasons": ["harassment"], "flagged_input": "...", "provider_name": "{prov}", "model_slug": "{model}"},
    ),
    404: ("No endpoints found for {model}.", None),
    408: ("Operation timed out. Please try again later.", None),
    413: ("Payload too large", None),
    422: ("Unprocessable entity", None),
    429: (
        "{model} is temporarily rate-limited upstream. Please retry shortly, or add your own key to "
        "accumulate your rate limits: https://openrouter.ai/settings/integrations",
        {"raw": "{model} is temporarily rate-limited upstream.", "provider_name": "{prov}"},
    ),
    500: ("Internal Server Error", None),
    502: ("Provider returned error", {"raw": "error code: 502", "provider_name": "{prov}"}),
    503: ("Service temporarily unavailable", {"provider_name": "{prov}"}),
    504: ("Gateway timeout", None),
    524: ("Request timed out. Please try again later.", None),
    529: (
        "Provider returned error",
        {
            "raw": '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
            "provider_name": "{prov}",
        },
    ),
}
_DEFAULT_BODY = ("Provider returned error ({status})", {"provider_name": "{prov}"})

# Headers by status, and the 429 variants by their id suffix (fail-429-ms, fail-429-none).
_FAIL_HEADERS: dict[int, dict[str, str]] = {429: {"retry-after": "1"}, 503: {"retry-after": "1"}}
_429_HEADERS: dict[str, dict[str, str]] = {"-ms": {"retry-after-ms": "200"}, "-none": {}}

_HTML_502 = (
    b'<!DOCTYPE html>\n<html lang="en-US">\n<head><title>openrouter.ai | 502: Bad gateway</title></head>\n'
    b"<body>\n<h1>Bad gateway</h1>\n<p>Error code 502</p>\n"
    b"<p>The web server reported a bad gateway error.</p>\n</body>\n</html>\n"
)


def _fill(value: Any, fields: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, text in fields.items():
            value = value.replace("{" + name + "}", text)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, fields) for v in value]
    return value


def _fail(spec: ModelSpec, prov: str) -> Failure:
    """``emulator/fail-STATUS`` and its variants."""
    if spec.persona == "503-in-400":
        raw = {"raw": "Service Unavailable: upstream connect error", "provider_name": prov}
        return Failure(400, {"error": {"code": 503, "message": "Provider returned error", "metadata": raw}})
    status = spec.status
    message, metadata = _FAIL_BODIES.get(status, _DEFAULT_BODY)
    fields = {"model": spec.base, "prov": prov, "status": str(status)}
    error: dict[str, Any] = {"code": status, "message": _fill(message, fields)}
    if status == 401:
        error = {"message": error["message"], "code": 401}
    if metadata is not None:
        error["metadata"] = _fill(metadata, fields)
    headers = _429_HEADERS.get(spec.persona, _FAIL_HEADERS[429]) if status == 429 else _FAIL_HEADERS.get(status, {})
    return Failure(status, {"error": error}, dict(headers))


def _unavailable(spec: ModelSpec) -> Failure:
    message = f"No endpoints available for {spec.base}: no available model provider meets your routing requirements"
    metadata = {"provider_name": None, "error_type": "provider_unavailable"}
    return Failure(503, {"error": {"code": 503, "message": message, "metadata": metadata}})


class FlakyCounter:
    """How many times each (model, input) was sent, for ``flaky-N``; thread-safe."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def count(self, model: str, body: dict[str, Any]) -> int:
        """Sends of this input to ``model`` before this one."""
        key = (model, hashlib.sha256(dumps(body.get("input")).encode()).hexdigest())
        with self._lock:
            seen = self._seen.get(key, 0)
            self._seen[key] = seen + 1
        return seen

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()


def _flaky(spec: ModelSpec, body: dict[str, Any], counter: FlakyCounter) -> Failure | None:
    seen = counter.count(spec.base, body)
    if seen >= spec.n:
        return None
    raw = f"upstream connect error or disconnect/reset before headers (attempt {seen + 1} of {spec.n} fails)"
    metadata = {"raw": raw, "provider_name": provider_name(spec.base)}
    return Failure(503, {"error": {"code": 503, "message": "Provider returned error", "metadata": metadata}})


def _too_long(spec: ModelSpec, size: int) -> Failure | None:
    """OpenRouter's 400 for a prompt past a realistic model's context length (about 4 bytes a token)."""
    limit = context_length(spec.base)
    tokens = size // 4
    if limit is None or tokens <= limit:
        return None
    message = (
        f"This endpoint's maximum context length is {limit} tokens. However, you requested about {tokens} tokens "
        f'({tokens} of text input). Please reduce the length of either one, or use the "middle-out" transform '
        "to compress your prompt automatically."
    )
    metadata = {"provider_name": provider_name(spec.base), "error_type": "context_length_exceeded"}
    return Failure(400, {"error": {"code": 400, "message": message, "metadata": metadata}})


def pre_stream_failure(
    spec: ModelSpec, body: dict[str, Any], counter: FlakyCounter, *, down: bool = False, size: int = 0
) -> Failure | HttpReply | None:
    """The error ``spec`` answers before streaming, or ``None`` if it serves the request. ``down``: the
    model is in an outage (``Emulator.outages``); ``size``: the request body's length, checked against a
    realistic model's context length."""
    if down:
        return _unavailable(spec)
    if (too_long := _too_long(spec, size)) is not None:
        return too_long
    if spec.family == "fail":
        return _fail(spec, provider_name(spec.base))
    if spec.family == "unavailable":
        return _unavailable(spec)
    if spec.family == "html-502":
        return HttpReply(502, [(b"content-type", b"text/html; charset=UTF-8")], _HTML_502)
    if spec.family == "flaky":
        return _flaky(spec, body, counter)
    return None
