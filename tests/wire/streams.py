"""Builders for synthetic Responses streams, shared by the wire and models tests.

Frames are encoded by the emulator's own SSE encoder, so the client is tested against the bytes the
emulator serves.
"""

from __future__ import annotations

from typing import Any

from routerkit.emulator import DONE, encode_event

__all__ = [
    "completed",
    "frame",
    "function_call_item",
    "message_item",
    "reasoning_item",
    "text_events",
    "text_stream",
    "wire",
]


def frame(event: dict[str, Any]) -> bytes:
    """One OpenRouter-style SSE frame (`data:` only)."""
    return encode_event(event)


def wire(*events: dict[str, Any] | bytes, done: bool = True) -> bytes:
    """A stream body: events (dicts, or raw bytes passed through), then `data: [DONE]` unless `done=False`."""
    body = b"".join(e if isinstance(e, bytes) else frame(e) for e in events)
    return body + (DONE if done else b"")


def message_item(text: str, item_id: str = "msg_1", status: str = "completed") -> dict[str, Any]:
    content = [{"type": "output_text", "text": text, "annotations": []}] if status == "completed" else []
    return {"id": item_id, "type": "message", "role": "assistant", "status": status, "content": content}


def reasoning_item(
    item_id: str = "rs_1", *, text: str | None = None, summary: list[str] = (), encrypted: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": item_id,
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": s} for s in summary],
    }
    if text is not None:
        item["content"] = [{"type": "reasoning_text", "text": text}]
    if encrypted is not None:
        item["encrypted_content"] = encrypted
    return item


def function_call_item(
    name: str = "get_weather", arguments: str = '{"city":"Paris"}', call_id: str = "call_1", item_id: str = "fc_1"
) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "function_call",
        "status": "completed",
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
    }


def completed(
    output: list[dict[str, Any]],
    *,
    model: str = "openai/gpt-oss-20b",
    status: str = "completed",
    usage: dict[str, Any] | None = None,
    kind: str = "response.completed",
    **extra: Any,
) -> dict[str, Any]:
    response = {
        "id": "gen-1-abc",
        "object": "response",
        "model": model,
        "status": status,
        "output": output,
        "usage": usage,
        **extra,
    }
    return {"type": kind, "response": response}


def text_stream(deltas: list[str], *, model: str = "openai/gpt-oss-20b", terminal: bool = True) -> bytes:
    """A complete text-only stream whose answer is `"".join(deltas)`."""
    return wire(*text_events(deltas, model=model, terminal=terminal), done=terminal)


def text_events(deltas: list[str], *, model: str = "openai/gpt-oss-20b", terminal: bool = True) -> list[dict[str, Any]]:
    """The events of :func:`text_stream`, to encode with another framing."""
    text = "".join(deltas)
    events: list[dict[str, Any]] = [
        {
            "type": "response.created",
            "response": {"id": "gen-1-abc", "model": model, "status": "in_progress", "output": []},
        },
        {"type": "response.output_item.added", "output_index": 0, "item": message_item("", status="in_progress")},
    ]
    events += [
        {"type": "response.output_text.delta", "output_index": 0, "item_id": "msg_1", "content_index": 0, "delta": d}
        for d in deltas
    ]
    if terminal:
        events += [
            {"type": "response.output_item.done", "output_index": 0, "item": message_item(text)},
            completed(
                [message_item(text)],
                model=model,
                usage={"input_tokens": 3, "output_tokens": len(deltas), "total_tokens": 3 + len(deltas)},
            ),
        ]
    return events
