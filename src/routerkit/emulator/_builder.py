"""The event builder: output items and the Responses stream events that produce them, in order.

A behaviour calls :class:`OutputBuilder` (message, reasoning, function calls); the engine then wraps the
events with ``response.created`` / the terminal event and encodes them with :mod:`._framing`.
"""

from __future__ import annotations

import random
import string
from typing import Any

from . import _content as content

__all__ = ["OutputBuilder", "rand_id"]

_ALNUM = string.ascii_letters + string.digits
#: The emulator's own generator, seeded from the OS: a test that seeds the global `random` (hypothesis does)
#: must not make ids repeat.
_ids = random.Random()


def rand_id(n: int) -> str:
    """``n`` random letters and digits, as OpenRouter's ids use. Not secret (a test server's ids), so the
    plain generator: `secrets.choice` reads the OS's entropy once a character, 7% of a request's CPU."""
    return "".join(_ids.choices(_ALNUM, k=n))


class OutputBuilder:
    """Accumulates output items, the events that stream them (each marked paced or not) and usage counts."""

    def __init__(self, chunk_size: int = 10, *, messy: bool = False) -> None:
        self.messy = messy
        """As the real service streams (realistic ids): `format` on raw reasoning items, `phase` on messages,
        raw reasoning text inside `content_part` events, and a raw reasoning item closed after the message
        that follows it (as gpt-oss does)."""
        self._late: tuple[int, dict[str, Any]] | None = None
        self._order: list[int] = []
        self.output: list[dict[str, Any]] = []
        self.events: list[tuple[dict[str, Any], bool]] = []
        self.text = ""
        self.reasoning = ""
        self.extra_reasoning_tokens = 0
        self.text_for_usage = ""
        self.chunk_size = chunk_size
        self.cite: list[tuple[str, str]] = []
        """Sources the next message cites: it ends with a sentence naming them, with `url_citation`s."""
        self.server_tools = 0
        self.web_searches = 0

    def emit(self, event: dict[str, Any], paced: bool = False) -> None:
        """Add one event; ``paced`` events are the deltas ``<id>@MS`` spaces out."""
        self.events.append((event, paced))

    def _open(self, item: dict[str, Any]) -> int:
        idx = len(self.output) + (self._late is not None)
        self.emit({"type": "response.output_item.added", "output_index": idx, "item": item})
        return idx

    def _close(self, idx: int, final: dict[str, Any]) -> None:
        self.emit({"type": "response.output_item.done", "output_index": idx, "item": final})
        self._add(idx, final)
        if self._late is not None:  # the reasoning item that was left open closes after this one
            late, self._late = self._late, None
            self.emit({"type": "response.output_item.done", "output_index": late[0], "item": late[1]})
            self._add(*late)

    def _add(self, idx: int, final: dict[str, Any]) -> None:
        """Keep `output` in output-index order, whatever order the items closed in."""
        at = next((i for i, n in enumerate(self._order) if n > idx), len(self._order))
        self._order.insert(at, idx)
        self.output.insert(at, final)

    def message(self, deltas: list[str], status: str = "completed") -> None:
        """An assistant message streamed as ``deltas``; a non-completed one stops after its deltas."""
        item_id = f"msg_tmp_{rand_id(11).lower()}"
        annotations: list[dict[str, Any]] = []
        if self.cite and status == "completed":
            deltas, annotations = _cited(deltas, self.cite)
        text = "".join(deltas)
        idx = self._open(
            {"type": "message", "id": item_id, "role": "assistant", "status": "in_progress", "content": []}
        )
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        common = {"item_id": item_id, "output_index": idx, "content_index": 0}
        self.emit({"type": "response.content_part.added", **common, "part": part})
        for d in deltas:
            self.emit({"type": "response.output_text.delta", **common, "delta": d, "logprobs": []}, True)
        for i, note in enumerate(annotations):
            self.emit(
                {"type": "response.output_text.annotation.added", **common, "annotation_index": i, "annotation": note}
            )
        self.text += text
        final = {
            "type": "message",
            "id": item_id,
            "role": "assistant",
            "status": status,
            "content": [{"type": "output_text", "text": text, "annotations": annotations, "logprobs": []}],
        }
        if self.messy:
            final["phase"] = "final_answer"
        if status != "completed":
            self._add(idx, final)
            return
        self.emit({"type": "response.output_text.done", **common, "text": text, "logprobs": []})
        self.emit(
            {"type": "response.content_part.done", **common, "part": {**part, "text": text, "annotations": annotations}}
        )
        self._close(idx, final)

    def reasoning_text(self, deltas: list[str], sealed: tuple[str, str] | None = None) -> None:
        """Raw reasoning (``reasoning_text`` deltas). ``sealed``: (item id, encrypted content) to attach."""
        item_id = sealed[0] if sealed else f"rs_tmp_{rand_id(11).lower()}"
        text = "".join(deltas)
        idx = self._open({"type": "reasoning", "id": item_id, "summary": []})
        # Real streams wrap the reasoning text in content_part events, which OpenRouter's published schema
        # does not allow (its parts are output_text/refusal only): sent when messy, left out when clean.
        common = {"item_id": item_id, "output_index": idx, "content_index": 0}
        if self.messy:
            self.emit({"type": "response.content_part.added", **common, "part": {"type": "reasoning_text", "text": ""}})
        for d in deltas:
            self.emit({"type": "response.reasoning_text.delta", **common, "delta": d}, True)
        self.emit({"type": "response.reasoning_text.done", **common, "text": text})
        if self.messy:
            self.emit(
                {"type": "response.content_part.done", **common, "part": {"type": "reasoning_text", "text": text}}
            )
        final: dict[str, Any] = {
            "type": "reasoning",
            "id": item_id,
            "summary": [],
            "content": [{"type": "reasoning_text", "text": text}],
        }
        self._seal(final, sealed, 64)
        self.reasoning += text
        if self.messy:
            final.setdefault("format", "unknown")
            self._late = (idx, final)  # closed after the next item, as gpt-oss streams it
            return
        self._close(idx, final)

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

    def web_search(self, query: str, sources: list[tuple[str, str]], server_tool: bool) -> None:
        """A `web_search_call` item (OpenAI's shape, which OpenRouter streams) with its progress events."""
        item_id = f"ws_tmp_{rand_id(11).lower()}"
        idx = self._open({"type": "web_search_call", "id": item_id, "status": "in_progress"})
        for stage in ("in_progress", "searching", "completed"):
            self.emit({"type": f"response.web_search_call.{stage}", "item_id": item_id, "output_index": idx})
        action = {"type": "search", "query": query, "sources": [{"type": "url", "url": url} for url, _ in sources]}
        self._close(idx, {"type": "web_search_call", "id": item_id, "status": "completed", "action": action})
        self.web_searches += 1
        self.server_tools += server_tool
        self.cite = sources

    def image(self, png: bytes) -> None:
        """An `image_generation_call` item whose `result` is a PNG data URL."""
        import base64

        item_id = f"ig_tmp_{rand_id(11).lower()}"
        idx = self._open({"type": "image_generation_call", "id": item_id, "status": "in_progress", "result": None})
        result = "data:image/png;base64," + base64.b64encode(png).decode()
        self._close(idx, {"type": "image_generation_call", "id": item_id, "status": "completed", "result": result})

    def final_only(self, item: dict[str, Any]) -> None:
        """An item only the final response lists: the stream schema has no event for `openrouter:*` items."""
        self._add(len(self.output), item)
        self.server_tools += 1


def _cited(deltas: list[str], sources: list[tuple[str, str]]) -> tuple[list[str], list[dict[str, Any]]]:
    """`deltas` plus a sentence naming each source, and the `url_citation` of each name in the text."""
    text = "".join(deltas).rstrip()
    deltas = [text, "\n\nAs reported by "] if text else ["As reported by "]
    offset = len("".join(deltas))
    notes = []
    for i, (url, title) in enumerate(sources):
        piece = title + ("; " if i < len(sources) - 1 else ".")
        notes.append(
            {
                "type": "url_citation",
                "url": url,
                "title": title,
                "start_index": offset,
                "end_index": offset + len(title),
            }
        )
        deltas.append(piece)
        offset += len(piece)
    return deltas, notes
