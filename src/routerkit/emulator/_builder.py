"""The event builder: output items and the Responses stream events that produce them, in order.

A behaviour calls :class:`OutputBuilder` (message, reasoning, function calls); the engine then wraps the
events with ``response.created`` / the terminal event and encodes them with :mod:`._framing`.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from . import _content as content

__all__ = ["OutputBuilder", "rand_id"]

_ALNUM = string.ascii_letters + string.digits


def rand_id(n: int) -> str:
    """``n`` random letters and digits, as OpenRouter's ids use."""
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


class OutputBuilder:
    """Accumulates output items, the events that stream them (each marked paced or not) and usage counts."""

    def __init__(self, chunk_size: int = 10) -> None:
        self.output: list[dict[str, Any]] = []
        self.events: list[tuple[dict[str, Any], bool]] = []
        self.text = ""
        self.reasoning = ""
        self.extra_reasoning_tokens = 0
        self.text_for_usage = ""
        self.chunk_size = chunk_size

    def emit(self, event: dict[str, Any], paced: bool = False) -> None:
        """Add one event; ``paced`` events are the deltas ``<id>@MS`` spaces out."""
        self.events.append((event, paced))

    def _open(self, item: dict[str, Any]) -> int:
        idx = len(self.output)
        self.emit({"type": "response.output_item.added", "output_index": idx, "item": item})
        return idx

    def _close(self, idx: int, final: dict[str, Any]) -> None:
        self.emit({"type": "response.output_item.done", "output_index": idx, "item": final})
        self.output.append(final)

    def message(self, deltas: list[str], status: str = "completed") -> None:
        """An assistant message streamed as ``deltas``; a non-completed one stops after its deltas."""
        item_id = f"msg_tmp_{rand_id(11).lower()}"
        text = "".join(deltas)
        idx = self._open(
            {"type": "message", "id": item_id, "role": "assistant", "status": "in_progress", "content": []}
        )
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        common = {"item_id": item_id, "output_index": idx, "content_index": 0}
        self.emit({"type": "response.content_part.added", **common, "part": part})
        for d in deltas:
            self.emit({"type": "response.output_text.delta", **common, "delta": d, "logprobs": []}, True)
        self.text += text
        final = {
            "type": "message",
            "id": item_id,
            "role": "assistant",
            "status": status,
            "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
        }
        if status != "completed":
            self.output.append(final)
            return
        self.emit({"type": "response.output_text.done", **common, "text": text, "logprobs": []})
        self.emit({"type": "response.content_part.done", **common, "part": {**part, "text": text}})
        self._close(idx, final)

    def reasoning_text(self, deltas: list[str], sealed: tuple[str, str] | None = None) -> None:
        """Raw reasoning (``reasoning_text`` deltas). ``sealed``: (item id, encrypted content) to attach."""
        item_id = sealed[0] if sealed else f"rs_tmp_{rand_id(11).lower()}"
        text = "".join(deltas)
        idx = self._open({"type": "reasoning", "id": item_id, "summary": []})
        # No content_part events for reasoning_text: OpenRouter sends them, but its published schema
        # only allows output_text/refusal parts, and every emitted event must validate.
        common = {"item_id": item_id, "output_index": idx, "content_index": 0}
        for d in deltas:
            self.emit({"type": "response.reasoning_text.delta", **common, "delta": d}, True)
        self.emit({"type": "response.reasoning_text.done", **common, "text": text})
        final: dict[str, Any] = {
            "type": "reasoning",
            "id": item_id,
            "summary": [],
            "content": [{"type": "reasoning_text", "text": text}],
        }
        self._seal(final, sealed, 64)
        self._close(idx, final)
        self.reasoning += text

    def reasoning_summary(self, deltas: list[str], sealed: tuple[str, str] | None = None) -> None:
        """A reasoning summary streamed as ``deltas``; ``sealed`` as in :meth:`reasoning_text`."""
        item_id = sealed[0] if sealed else f"rs_tmp_{rand_id(11).lower()}"
        text = "".join(deltas)
        idx = self._open({"type": "reasoning", "id": item_id, "status": "in_progress", "summary": []})
        common = {"item_id": item_id, "output_index": idx, "summary_index": 0}
        empty = {"type": "summary_text", "text": ""}
        self.emit({"type": "response.reasoning_summary_part.added", **common, "part": empty})
        for d in deltas:
            self.emit({"type": "response.reasoning_summary_text.delta", **common, "delta": d}, True)
        self.emit({"type": "response.reasoning_summary_text.done", **common, "text": text})
        full = {"type": "summary_text", "text": text}
        self.emit({"type": "response.reasoning_summary_part.done", **common, "part": full})
        final: dict[str, Any] = {"type": "reasoning", "id": item_id, "status": "completed", "summary": [full]}
        self._seal(final, sealed, 64)
        self._close(idx, final)
        self.reasoning += text

    def reasoning_encrypted(self, sealed: tuple[str, str]) -> None:
        """A reasoning item with nothing readable: only ``encrypted_content``."""
        item_id = sealed[0]
        idx = self._open({"type": "reasoning", "id": item_id, "status": "in_progress", "summary": []})
        final: dict[str, Any] = {"type": "reasoning", "id": item_id, "status": "completed", "summary": []}
        self._seal(final, sealed, 96)
        self._close(idx, final)

    def _seal(self, final: dict[str, Any], sealed: tuple[str, str] | None, tokens: int) -> None:
        if sealed is not None:
            final["encrypted_content"] = sealed[1]
            final["format"] = "openai-responses-v1"
            self.extra_reasoning_tokens += tokens

    def function_calls(self, calls: list[tuple[str, str]]) -> None:
        """``calls``: (name, arguments JSON). Each call's events are emitted in turn."""
        for name, arguments in calls:
            item_id = f"fc_tmp_{rand_id(11).lower()}"
            base = {"type": "function_call", "id": item_id, "call_id": f"call_{rand_id(24)}", "name": name}
            idx = self._open({**base, "arguments": "", "status": "in_progress"})
            common = {"item_id": item_id, "output_index": idx}
            for d in content.chunk(arguments, self.chunk_size):
                self.emit({"type": "response.function_call_arguments.delta", **common, "delta": d}, True)
            self.emit({"type": "response.function_call_arguments.done", **common, "name": name, "arguments": arguments})
            self._close(idx, {**base, "arguments": arguments, "status": "completed"})
            self.text_for_usage += arguments
