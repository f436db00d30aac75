"""A run's events as a Responses API response: the streamed events, and the final response object.

One `ResponseBuilder` per request turns the agent's run events into OpenAI-Responses stream events (what the
openai SDK's typed models parse); the JSON answer is the `response.completed` event's response, so both
shapes come from the same code. Tools already ran on the server, so their calls are reported as `mcp_call`
items (a call the server made, with its output) rather than `function_call` items a client would try to run.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from ..agent import (
    ReasoningContentDeltaEvent,
    RunCompletedEvent,
    RunContentEvent,
    RunErrorEvent,
    RunOutputEvent,
    ToolCallCompletedEvent,
    ToolCallStartedEvent,
)
from ..agent.run import RunOutput

__all__ = ["SERVER_LABEL", "ResponseBuilder"]

SERVER_LABEL = "routerkit"


class ResponseBuilder:
    """Responses events for one run, numbered; `response` is the response object as it stands."""

    def __init__(self, model: str, conversation: str) -> None:
        self.id = f"resp_{uuid.uuid4().hex}"
        self.model = model
        self.conversation = conversation
        self.created_at = int(time.time())
        self.items: list[dict[str, Any]] = []
        self._open: dict[str, Any] | None = None
        self._seq = 0
        self.output: RunOutput | None = None
        self.error: dict[str, Any] | None = None

    def start(self) -> list[dict[str, Any]]:
        return [
            self._event("response.created", response=self.response("in_progress")),
            self._event("response.in_progress", response=self.response("in_progress")),
        ]

    def events(self, event: RunOutputEvent) -> list[dict[str, Any]]:
        """The Responses events for one run event."""
        if isinstance(event, RunContentEvent):
            return self._delta("message", event.content)
        if isinstance(event, ReasoningContentDeltaEvent):
            return self._delta("reasoning", event.reasoning_content)
        if isinstance(event, ToolCallStartedEvent):
            call = event.call
            item = {
                "type": "mcp_call",
                "id": f"mcp_{call.call_id}",
                "server_label": SERVER_LABEL,
                "name": call.name,
                "arguments": call.arguments,
                "status": "in_progress",
            }
            return [*self._close(), self._add(item)]
        if isinstance(event, ToolCallCompletedEvent):
            return self._tool_done(event)
        if isinstance(event, RunCompletedEvent):
            self.output = event.output
            return [*self._close(), self._event("response.completed", response=self.response("completed"))]
        if isinstance(event, RunErrorEvent):
            self.output = event.output
            return self.failed(str(event.error) or type(event.error).__name__)
        return []

    def failed(self, message: str) -> list[dict[str, Any]]:
        """The closing events of a failed run (the run's own error, or one raised before the run reported it)."""
        self.error = {"code": "server_error", "message": message}
        return [*self._close(), self._event("response.failed", response=self.response("failed"))]

    def response(self, status: str) -> dict[str, Any]:
        """The response object (OpenAI's shape, with OpenRouter's `usage.cost`)."""
        output = self.output
        usage = None
        if output is not None:
            metrics = output.metrics
            usage = {
                "input_tokens": metrics.input_tokens,
                "input_tokens_details": {"cached_tokens": metrics.cache_read_tokens},
                "output_tokens": metrics.output_tokens,
                "output_tokens_details": {"reasoning_tokens": metrics.reasoning_tokens},
                "total_tokens": metrics.total_tokens,
                "cost": metrics.cost,
            }
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "model": (output.model if output is not None and output.model else self.model),
            "output": [dict(item) for item in self.items],
            "usage": usage,
            "error": self.error,
            "incomplete_details": None,
            "instructions": None,
            "metadata": {},
            "parallel_tool_calls": True,
            "temperature": None,
            "top_p": None,
            "tool_choice": "auto",
            "tools": [],
            "conversation": {"id": self.conversation},
        }

    # Items

    def _delta(self, kind: str, text: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        item = self._open
        if item is None or item["type"] != kind:
            events += self._close()
            if kind == "message":
                item = {
                    "type": "message",
                    "id": f"msg_{uuid.uuid4().hex}",
                    "role": "assistant",
                    "status": "in_progress",
                }
                item["content"] = []
                events.append(self._add(item))
                part = {"type": "output_text", "text": "", "annotations": []}
                events.append(self._event("response.content_part.added", **self._at(item), part=part))
                item["content"].append(part)
            else:
                item = {"type": "reasoning", "id": f"rs_{uuid.uuid4().hex}", "summary": [], "content": []}
                item["content"].append({"type": "reasoning_text", "text": ""})
                events.append(self._add(item))
            self._open = item
        part = item["content"][0]
        part["text"] += text
        name = "response.output_text.delta" if kind == "message" else "response.reasoning_text.delta"
        extra: dict[str, Any] = {"logprobs": []} if kind == "message" else {}
        events.append(self._event(name, **self._at(item), delta=text, **extra))
        return events

    def _close(self) -> list[dict[str, Any]]:
        item, self._open = self._open, None
        if item is None:
            return []
        part = item["content"][0]
        if item["type"] == "message":
            item["status"] = "completed"
            done = [
                self._event("response.output_text.done", **self._at(item), text=part["text"], logprobs=[]),
                self._event("response.content_part.done", **self._at(item), part=dict(part)),
            ]
        else:
            done = [self._event("response.reasoning_text.done", **self._at(item), text=part["text"])]
        return [*done, self._item_event("response.output_item.done", item)]

    def _tool_done(self, event: ToolCallCompletedEvent) -> list[dict[str, Any]]:
        item_id = f"mcp_{event.call.call_id}"
        for item in self.items:
            if item["id"] == item_id:
                item["status"] = "failed" if event.result.is_error else "completed"
                item["output"] = event.result.output
                if event.result.is_error:
                    item["error"] = event.result.output
                return [self._item_event("response.output_item.done", item)]
        return []

    def _add(self, item: dict[str, Any]) -> dict[str, Any]:
        self.items.append(item)
        return self._item_event("response.output_item.added", item)

    def _item_event(self, name: str, item: dict[str, Any]) -> dict[str, Any]:
        return self._event(name, output_index=self.items.index(item), item=json.loads(json.dumps(item)))

    def _at(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"item_id": item["id"], "output_index": self.items.index(item), "content_index": 0}

    def _event(self, name: str, **fields: Any) -> dict[str, Any]:
        event = {"type": name, "sequence_number": self._seq, **fields}
        self._seq += 1
        return event
