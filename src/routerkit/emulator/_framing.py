"""SSE framing of Responses events: OpenRouter's (``data:`` only, ``[DONE]``) and OpenAI's (``event:``)."""

from __future__ import annotations

import json
from typing import Any, Literal

__all__ = ["DONE_FRAME", "KEEPALIVE", "Framing", "encode_event", "framing_from_headers"]

Framing = Literal["openrouter", "openai"]

KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
DONE_FRAME = b"data: [DONE]\n\n"

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode_event(event: dict[str, Any], framing: Framing = "openrouter") -> bytes:
    """One event as an SSE frame, UTF-8."""
    data = _dumps(event)
    if framing == "openai":
        return f"event: {event.get('type', 'message')}\ndata: {data}\n\n".encode()
    return f"data: {data}\n\n".encode()


def framing_from_headers(headers: dict[str, str]) -> Framing:
    """``X-Emulator-Framing: openai`` selects OpenAI framing; anything else is OpenRouter's."""
    return "openai" if headers.get("x-emulator-framing", "").strip().lower() == "openai" else "openrouter"
