"""Small builders for scripted emulator replies: OpenRouter error bodies, response objects and stream steps.

Used by the fault and security suites; the shapes follow OpenRouter's Responses API (wire reference §4-5).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MODEL",
    "created",
    "delta",
    "item_added",
    "item_done",
    "message",
    "or_error",
    "response",
    "text_stream",
]

MODEL = "emulator/echo"


def or_error(status: int | str, message: str, **metadata: Any) -> dict[str, Any]:
    """OpenRouter's error body (shape A: `{"error": {"code", "message", "metadata"}}`)."""
    error: dict[str, Any] = {"code": status, "message": message}
    if metadata:
        error["metadata"] = metadata
    return {"error": error}


def message(text: str, item_id: str = "msg_1", status: str = "completed") -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def response(
    output: list[dict[str, Any]], *, status: str = "completed", model: str = MODEL, **extra: Any
) -> dict[str, Any]:
    return {
        "id": "gen-fault-1",
        "object": "response",
        "created_at": 1,
        "model": model,
        "status": status,
        "output": output,
        "usage": {"input_tokens": 3, "output_tokens": 5, "total_tokens": 8, "cost": 0.0001},
        **extra,
    }


def item_added(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.added", "output_index": index, "item": item}


def item_done(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.done", "output_index": index, "item": item}


def delta(text: str, item_id: str = "msg_1", index: int = 0) -> dict[str, Any]:
    return {
        "type": "response.output_text.delta",
        "item_id": item_id,
        "output_index": index,
        "content_index": 0,
        "delta": text,
    }


def created() -> dict[str, Any]:
    return {"type": "response.created", "response": response([], status="in_progress")}


def text_stream(*deltas: str, terminal: bool = True) -> list[dict[str, Any]]:
    """The events of a one-message answer made of `deltas` (without `[DONE]`); no terminal event when asked."""
    text = "".join(deltas)
    events = [
        created(),
        item_added(0, {**message("", status="in_progress"), "content": []}),
        *(delta(d) for d in deltas),
        item_done(0, message(text)),
    ]
    if terminal:
        events.append({"type": "response.completed", "response": response([message(text)])})
    return events
