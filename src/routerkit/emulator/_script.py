"""Scripted replies and recorded requests: the small value types of the emulator's public API.

A scripted reply replaces model behaviour for exactly one ``POST /responses`` request
(:meth:`Emulator.enqueue`, FIFO). Three shapes:

- :class:`Reply` — a plain HTTP response: status, headers, and a body that is JSON (dict/list),
  raw bytes or text (e.g. an HTML 502 page).
- :class:`StreamReply` — a ``text/event-stream`` response made of *steps*, sent in order:

  * ``dict`` — an event, encoded with the request's framing (OpenRouter ``data: {json}``
    by default); a missing ``sequence_number`` is filled in, counting from 0;
  * ``bytes`` / ``str`` — sent verbatim (malformed lines, comments, ``event:`` lines, split UTF-8 …);
  * :class:`Pause` — sleep that many seconds (buffered output is flushed first);
  * :class:`Close` — close the socket now (FIN) without the terminal event or ``[DONE]``;
  * :class:`Reset` — abort the connection now (TCP RST).

  Nothing is added for you: put ``DONE`` (``b"data: [DONE]\\n\\n"``) in the steps if you want it.
- :class:`Reset` on its own — abort the connection before any response byte.

Example::

    emu.enqueue(Reply(status=502, body="<html>Bad gateway</html>",
                      headers={"content-type": "text/html"}))
    emu.enqueue(StreamReply([
        ": OPENROUTER PROCESSING\\n\\n",
        {"type": "response.output_text.delta", "delta": "Hel", ...},
        Pause(0.05),
        b"data: {not json\\n\\n",
        Reset(),
    ]))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = [
    "DONE",
    "Close",
    "Pause",
    "RecordedRequest",
    "Reply",
    "Reset",
    "ScriptedReply",
    "Step",
    "StreamReply",
]

DONE = b"data: [DONE]\n\n"
"""The OpenRouter end-of-stream sentinel frame, for use as a raw step."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Stream step: wait ``seconds`` before the next step (pending output is flushed first)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Close:
    """Stream step: close the connection now (orderly FIN), leaving the chunked body unfinished."""


@dataclass(frozen=True, slots=True)
class Reset:
    """Abort the connection with a TCP RST: as a stream step, or enqueued alone before any response."""


Step: TypeAlias = dict[str, Any] | bytes | str | Pause | Close | Reset


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete HTTP response. ``body``: dict/list → JSON, ``str`` → UTF-8 text, ``bytes`` → verbatim.

    ``content-type`` defaults to ``application/json`` for JSON bodies and ``text/plain`` otherwise.
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StreamReply:
    """A streamed response (default ``200 text/event-stream``) sent as the given steps, in order."""

    steps: list[Step]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


ScriptedReply: TypeAlias = Reply | StreamReply | Reset


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the emulator received. ``headers`` keys are lower-case; ``body`` is the parsed JSON
    (``None`` when empty or not JSON); ``raw`` is the body as received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes
