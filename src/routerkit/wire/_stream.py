"""A Responses stream as a state machine: bytes in, typed events out.

Theory of operation: `ResponseStream.feed(chunk)` splits SSE frames (OpenRouter's `data:`-only framing or
OpenAI's with `event:` lines), decodes each JSON payload and dispatches on its `type` through a table.
Deltas become `TextDelta` / `ReasoningDelta`; finished items are kept by `output_index` (they may arrive out
of order); a terminal event becomes `ResponseCompleted` with the final `ModelResponse`. Failures are raised
as typed exceptions carrying the partial answer. `close()` is called at end of input: a stream that ended
without a terminal event raises `StreamInterruptedError` (or, when every item it opened was finished,
completes from those items, as OpenRouter sometimes closes a valid stream early).

No I/O and no clock of its own: the caller passes `clock` so time to first token is measured where the
bytes are read, and tests can drive it with a fake clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from ._errors import APIError, StreamInterruptedError
from ._events import (
    CitationAdded,
    FunctionCallArgumentsDelta,
    FunctionCallEvent,
    ReasoningDelta,
    ResponseCompleted,
    StreamEvent,
    TextDelta,
)
from ._failures import error_from_event
from ._items import Citation, citation
from ._json import loads
from ._response import ModelResponse, build_response, function_call, is_fallback, model_name
from ._sse import SSEDecoder, SSEFramingError

__all__ = ["ResponseStream"]

_Handler = Callable[["ResponseStream", dict[str, Any]], StreamEvent | None]


class ResponseStream:
    """Parser for one streamed Responses call."""

    def __init__(
        self,
        requested_model: str,
        *,
        models: Sequence[str] = (),
        generation_id: str | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.requested_model = requested_model
        self.models = list(models) or [requested_model]
        self.generation_id = generation_id
        self._clock = clock
        self._started = clock()
        self._sse = SSEDecoder()
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._summary_key: tuple[Any, Any] | None = None
        self._added: dict[int, dict[str, Any]] = {}
        self._done: dict[int, dict[str, Any]] = {}
        self._response_meta: dict[str, Any] = {}
        self._citations: list[Citation] = []
        self._call_names: dict[str, str] = {}
        self._failure: APIError | None = None
        self.first_output_at: float | None = None
        """Clock reading at the first output delta (answer, reasoning or tool arguments); None before."""
        self.response: ModelResponse | None = None
        """The final response, once a terminal event arrived."""

    @property
    def fallback_model(self) -> str | None:
        """The fallback model serving this call, once `response.created` named it (before the first token);
        None while unknown or when the requested model serves it."""
        served = model_name(self._response_meta.get("model"))
        return served if served is not None and is_fallback(self.requested_model, served) else None

    @property
    def output_started(self) -> bool:
        """True once any output delta was parsed: from then on a retry would repeat output, so none is made."""
        return self.first_output_at is not None

    @property
    def partial_text(self) -> str:
        return "".join(self._text)

    @property
    def keepalives(self) -> int:
        return self._sse.comments

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if self._failure is not None:
            raise self._failure
        try:
            frames = self._sse.feed(chunk)
        except SSEFramingError as exc:
            raise self._interrupted(str(exc)) from exc
        return self._dispatch(frames) if frames else []

    def close(self) -> list[StreamEvent]:
        """End of input. Returns the last events, or raises if the stream did not finish properly."""
        if self._failure is not None:
            raise self._failure
        events = self._dispatch(self._sse.flush())
        if self._failure is not None:
            if events:
                return events
            raise self._failure
        if self.response is not None:
            return events
        if self._done and self._done.keys() >= self._added.keys():
            try:
                events.append(self._complete({**self._response_meta, "status": "completed"}))
            except _SHAPE_ERRORS as exc:
                raise self._interrupted(f"malformed output items in the stream ({exc})") from exc
            return events
        raise self._interrupted("the stream ended before the response was complete (no terminal event)")

    def _dispatch(self, frames: list[Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for frame in frames:
            try:
                event = self._event(frame)
            except APIError as exc:
                if not events:
                    raise
                # Deliver the output that came before the failure first; the next call raises it.
                self._failure = exc
                return events
            if event is not None:
                events.append(event)
        return events

    def _event(self, frame: Any) -> StreamEvent | None:
        data = frame.data
        if data == b"[DONE]" or self.response is not None:
            return None
        try:
            payload = loads(data)
        except ValueError as exc:
            raise self._interrupted(f"malformed data line in the stream: {data[:80]!r}") from exc
        if type(payload) is not dict:  # JSON objects parse to dict exactly
            return None
        kind = payload.get("type") or frame.event
        handler = _HANDLERS.get(kind) if type(kind) is str else None
        if handler is None:
            return None
        try:
            return handler(self, payload)
        except _SHAPE_ERRORS as exc:
            # Valid JSON with a field of the wrong type (a list where text belongs, …): a broken stream.
            raise self._interrupted(f"malformed {kind} event in the stream ({exc})") from exc

    def _mark_output(self) -> None:
        if self.first_output_at is None:
            self.first_output_at = self._clock()

    def _interrupted(self, message: str) -> APIError:
        return StreamInterruptedError(
            message, models=self.models, generation_id=self.generation_id, partial_text=self.partial_text
        )

    # Handlers, one per event type that matters; every other type is ignored.

    def _on_response_meta(self, event: dict[str, Any]) -> None:
        response = event.get("response")
        if isinstance(response, dict):
            self._response_meta = {k: v for k, v in response.items() if k != "output"}

    def _on_text_delta(self, event: dict[str, Any]) -> StreamEvent:
        # The most frequent event by far: `_text` and `_mark_output` are inlined for the common case.
        delta = event.get("delta")
        if type(delta) is not str:
            delta = _text(event, "delta")
        if self.first_output_at is None:
            self.first_output_at = self._clock()
        self._text.append(delta)
        return TextDelta(delta)

    def _on_reasoning_delta(self, event: dict[str, Any]) -> StreamEvent:
        self._mark_output()
        return ReasoningDelta(_text(event, "delta"), "text")

    def _on_summary_delta(self, event: dict[str, Any]) -> StreamEvent:
        delta = _text(event, "delta")
        self._mark_output()
        key = (event.get("item_id"), event.get("summary_index"))
        if self._summary_key is not None and key != self._summary_key:
            delta = "\n\n" + delta
        self._summary_key = key
        return ReasoningDelta(delta, "summary")

    def _on_arguments_delta(self, event: dict[str, Any]) -> StreamEvent:
        self._mark_output()
        item_id = event.get("item_id")
        item_id = item_id if isinstance(item_id, str) else str(_index(event, -1))
        return FunctionCallArgumentsDelta(item_id, _text(event, "delta"), self._call_names.get(item_id))

    def _on_annotation(self, event: dict[str, Any]) -> StreamEvent | None:
        found = citation(event.get("annotation"))
        if found is None:
            return None
        self._citations.append(found)
        return CitationAdded(found)

    def _on_item_added(self, event: dict[str, Any]) -> None:
        item = event.get("item")
        if isinstance(item, dict):
            self._added[_index(event, len(self._added))] = item
            item_id, name = item.get("id"), item.get("name")
            if item.get("type") == "function_call" and isinstance(item_id, str) and isinstance(name, str):
                self._call_names[item_id] = name

    def _on_item_done(self, event: dict[str, Any]) -> StreamEvent | None:
        item = event.get("item")
        if not isinstance(item, dict):
            return None
        self._done[_index(event, len(self._done))] = item
        if item.get("type") == "function_call":
            self._mark_output()
            return FunctionCallEvent(function_call(item))
        return None

    def _on_terminal(self, event: dict[str, Any]) -> StreamEvent:
        response = event.get("response")
        return self._complete(response if isinstance(response, dict) else {})

    def _on_failed(self, event: dict[str, Any]) -> None:
        raise error_from_event(event, self.models, self.partial_text, self.generation_id)

    def _complete(self, body: dict[str, Any]) -> ResponseCompleted:
        # Items from `output_item.done`, in output order, stand in when the terminal event's list is empty.
        # When it is not, it wins: item ids may change between `output_item.done` and the terminal event.
        listed = body.get("output")
        output = None if isinstance(listed, list) and listed else [self._done[i] for i in sorted(self._done)]
        response = build_response(
            self.requested_model, {**self._response_meta, **body}, output=output, generation_id=self.generation_id
        )
        if not response.text and self._text:
            response.text = self.partial_text
        if not response.citations and self._citations:
            response.citations = list(self._citations)  # streamed, but missing from the final items
        if self.first_output_at is not None:
            response.time_to_first_token = self.first_output_at - self._started
        response.duration = self._clock() - self._started
        self.response = response
        return ResponseCompleted(response)


#: What a handler raises when valid JSON has the wrong shape (a list where text belongs, a string for an item).
_SHAPE_ERRORS = (TypeError, AttributeError, ValueError, KeyError)


def _text(event: dict[str, Any], key: str) -> str:
    value = event.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{key!r} is {type(value).__name__}, not text")
    return value


def _index(event: dict[str, Any], default: int) -> int:
    """An item's `output_index`; a missing or non-integer one (hostile or broken) counts on from the last."""
    index = event.get("output_index")
    return index if isinstance(index, int) and not isinstance(index, bool) else default


_HANDLERS: dict[str, _Handler] = {
    "response.created": ResponseStream._on_response_meta,
    "response.in_progress": ResponseStream._on_response_meta,
    "response.output_text.delta": ResponseStream._on_text_delta,
    "response.refusal.delta": ResponseStream._on_text_delta,
    "response.reasoning_text.delta": ResponseStream._on_reasoning_delta,
    "response.reasoning_summary_text.delta": ResponseStream._on_summary_delta,
    "response.function_call_arguments.delta": ResponseStream._on_arguments_delta,
    "response.output_text.annotation.added": ResponseStream._on_annotation,
    "response.output_item.added": ResponseStream._on_item_added,
    "response.output_item.done": ResponseStream._on_item_done,
    "response.completed": ResponseStream._on_terminal,
    "response.incomplete": ResponseStream._on_terminal,
    "response.failed": ResponseStream._on_failed,
    "response.error": ResponseStream._on_failed,
    "error": ResponseStream._on_failed,
}
