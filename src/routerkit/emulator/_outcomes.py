"""What the engine decides for one request, as plain values the ASGI layer only has to send.

An outcome is a complete HTTP reply, a stream plan (pre-encoded frames plus pacing and ending), a bounded
hang, or a dropped connection. :class:`Failure` is how the pieces before generation (validation, faults,
reasoning replay) stop a request with an OpenRouter error body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from ._framing import Framing

__all__ = ["Drop", "Failure", "Hang", "HttpReply", "Outcome", "StreamPlan", "dumps", "invalid_prompt", "json_reply"]

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""Compact JSON, as OpenRouter sends it."""

Ending = Literal["done", "stall", "truncate"]


@dataclass(frozen=True, slots=True)
class HttpReply:
    """A complete HTTP response: status, headers (lower-case bytes) and body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(frozen=True, slots=True)
class StreamPlan:
    """Frames to send. ``paced[i]`` marks frames that wait ``pace_ms`` after the previous paced one
    (absolute schedule). ``ending``: ``done`` finish the body; ``stall`` go silent (bounded);
    ``truncate`` close the socket without finishing the body."""

    headers: list[tuple[bytes, bytes]]
    frames: list[bytes]
    paced: list[bool]
    pace_ms: int
    ending: Ending
    framing: Framing


@dataclass(frozen=True, slots=True)
class Hang:
    """Accept the request and never answer (until the client leaves, the server stops or ``seconds``)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Drop:
    """Close the connection without any response."""


Outcome = HttpReply | StreamPlan | Hang | Drop


class Failure(Exception):
    """A request stopped before generation: the HTTP status, the JSON error body and extra headers."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}

    def reply(self) -> HttpReply:
        """This failure as the HTTP reply OpenRouter would send."""
        return json_reply(self.status, self.body, self.headers)


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> HttpReply:
    """A JSON reply with ``headers`` added (names lower-cased)."""
    hdrs = [(b"content-type", b"application/json")]
    hdrs += [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
    return HttpReply(status, hdrs, dumps(body).encode())


def invalid_prompt(message: str, metadata: Any = None) -> Failure:
    """OpenRouter's Responses-layer validation error: 400, string ``code``, ``metadata`` beside ``error``."""
    return Failure(400, {"error": {"code": "invalid_prompt", "message": message}, "metadata": metadata})
