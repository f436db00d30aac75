"""`Message`: agno's view of a conversation turn (`.role`, `.content`), read from the Responses items.

A run keeps the items exactly as they were sent and received (`RunOutput.items`): that is what is replayed
to the model, reasoning and all. agno code reads `run.messages` instead, so the same items are also shown as
messages: the user's input, the assistant's answer (with its reasoning and tool calls) and each tool's
result. `Message` objects given as input become items again (`Message.to_item`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ._ids import new_id

__all__ = ["Message", "messages_from_items"]


@dataclass(slots=True)
class Message:
    """One message of a run, as agno shows it: `role` is "system", "user", "assistant" or "tool"."""

    role: str
    content: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    """The assistant's tool calls, in agno's shape: `{"id", "type": "function", "function": {"name",
    "arguments"}}`."""
    tool_call_id: str | None = None
    tool_name: str | None = None
    id: str = field(default_factory=new_id)
    created_at: int = field(default_factory=lambda: int(time.time()))

    def get_content_string(self) -> str:
        """The content as text ("" when there is none), as agno's method returns it."""
        return self.content or ""

    def to_dict(self) -> dict[str, Any]:
        """The message as a JSON-ready dict, without its empty fields (agno's shape)."""
        fields = {
            "id": self.id,
            "role": self.role,
            "content": self.content,
            "reasoning_content": self.reasoning_content,
            "tool_calls": self.tool_calls,
            "tool_call_id": self.tool_call_id,
            "tool_name": self.tool_name,
            "created_at": self.created_at,
        }
        return {key: value for key, value in fields.items() if value is not None}

    def to_item(self) -> dict[str, Any]:
        """The Responses input item for a message given as input (user, system, developer or assistant)."""
        return {"role": self.role, "content": self.content or ""}


def messages_from_items(items: list[dict[str, Any]], created_at: int | None = None) -> list[Message]:
    """The run's items as agno messages, in order. Reasoning is attached to the assistant message that
    follows it; consecutive function calls form one assistant message with several `tool_calls`."""
    stamp = int(time.time()) if created_at is None else created_at
    messages: list[Message] = []
    reasoning: list[str] = []
    names: dict[str, str] = {}  # call_id -> tool name, for the tool messages
    calls: Message | None = None  # the assistant message collecting the current function calls
    for item in items:
        kind = item.get("type", "message")
        if kind == "reasoning":
            reasoning.extend(_reasoning_texts(item))
            continue
        if kind == "function_call":
            call_id = str(item.get("call_id") or "")
            names[call_id] = str(item.get("name") or "")
            call = {
                "id": call_id,
                "type": "function",
                "function": {"name": names[call_id], "arguments": str(item.get("arguments") or "")},
            }
            if calls is None:
                calls = Message("assistant", reasoning_content=_joined(reasoning), tool_calls=[], created_at=stamp)
                reasoning = []
                messages.append(calls)
            assert calls.tool_calls is not None
            calls.tool_calls.append(call)
            continue
        calls = None
        if kind == "function_call_output":
            call_id = str(item.get("call_id") or "")
            output = item.get("output")
            messages.append(
                Message(
                    "tool",
                    _text(output),
                    tool_call_id=call_id,
                    tool_name=names.get(call_id),
                    created_at=stamp,
                )
            )
        elif kind == "message":
            role = str(item.get("role") or "user")
            message = Message(role, _text(item.get("content")), created_at=stamp)
            if role == "assistant":
                message.reasoning_content, reasoning = _joined(reasoning), []
            messages.append(message)
    return messages


def _text(content: object) -> str | None:
    """The text of an item's content: a string, or the text parts of a list of content parts."""
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [part.get("text") for part in content if isinstance(part, dict)]
        return "".join(text for text in texts if isinstance(text, str))
    return str(content)


def _reasoning_texts(item: dict[str, Any]) -> list[str]:
    parts = item.get("content") or item.get("summary") or []
    texts = [part.get("text") for part in parts if isinstance(part, dict)] if isinstance(parts, list) else []
    return [text for text in texts if isinstance(text, str) and text]


def _joined(texts: list[str]) -> str | None:
    return "\n\n".join(texts) or None
