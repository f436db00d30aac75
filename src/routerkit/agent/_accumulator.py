"""One place where a run's `RunOutput` is accumulated, from the events the caller sees.

Model stream events become run events here (the answer and reasoning deltas a console shows), and the
same pass notes what the output needs from them: the time to the first token and the answer streamed so
far. Finished model responses and tool results are added by `response` and `tool_done`. The rules live
here once: reasoning of successive model calls is joined with a blank line; time to first token runs from
the start of the run to its first answer or reasoning delta.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..wire._events import ReasoningDelta, StreamEvent, TextDelta
from ..wire._request import CheckedList, check_json
from ._events import ReasoningContentDeltaEvent, RunContentEvent, ToolCallCompletedEvent
from ._text import encodable
from .run import Citations, RunOutput, ToolExecution

if TYPE_CHECKING:
    from ..wire._response import FunctionCall, ModelResponse
    from .tools import ToolResult

__all__ = ["Accumulator"]


class Accumulator:
    """Builds one run's `RunOutput`."""

    __slots__ = ("_streamed", "_waiting", "output", "started")

    def __init__(self, output: RunOutput) -> None:
        self.output = output
        self.started = time.perf_counter()
        self._waiting = True  # for the first token
        self._streamed: list[str] = []  # answer deltas of the current model call, kept if the run stops

    def event(self, event: StreamEvent) -> RunContentEvent | ReasoningContentDeltaEvent | None:
        """The run event for a model stream event (None for those a run does not show)."""
        if type(event) is TextDelta:
            if self._waiting:
                self._first_token()
            self._streamed.append(event.delta)
            return RunContentEvent(event.delta)
        if type(event) is ReasoningDelta:
            if self._waiting:
                self._first_token()
            return ReasoningContentDeltaEvent(event.delta, event.kind)
        return None

    def _first_token(self) -> None:
        self._waiting = False
        self.output.metrics.time_to_first_token = time.perf_counter() - self.started

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self.started

    @property
    def streamed(self) -> str:
        """The answer streamed by the current model call so far."""
        return "".join(self._streamed)

    def response(self, response: ModelResponse) -> None:
        """Add a finished model response: its items as received, usage, the serving model and reasoning."""
        out = self.output
        out.responses.append(response)
        out.metrics.add(response)
        if isinstance(response.model, str) and response.model:
            out.model = response.model
        items = response.output  # as parsed by routerkit's models (a `CheckedList`), already encodable
        out.items.extend(items if type(items) is CheckedList else encodable(items))
        reasoning = encodable(response.reasoning)
        if reasoning:
            out.reasoning_content = f"{out.reasoning_content}\n\n{reasoning}" if out.reasoning_content else reasoning
        out.reasoning_encrypted = out.reasoning_encrypted or response.reasoning_encrypted is True
        searched = [c.detail for c in response.server_tool_calls if c.detail and "search" in c.type]
        if response.citations or searched:
            cites = out.citations = out.citations or Citations()
            cites.urls += response.citations
            cites.search_queries += searched
        out.images += response.images
        if response.text or not response.function_calls:
            out.content = encodable(response.text)
        self._streamed.clear()

    def tool_done(self, call: FunctionCall, execution: ToolExecution, result: ToolResult) -> ToolCallCompletedEvent:
        """Add a tool's result to its execution, and as the `function_call_output` item the model gets next."""
        output = encodable(result.output)
        if type(output) is not str:  # a `ToolResult` made by the tool itself; see `RunState.request`
            check_json("a tool's output", output)
        execution.result, execution.tool_call_error = output, result.is_error
        self.output.items.append({"type": "function_call_output", "call_id": call.call_id, "output": output})
        return ToolCallCompletedEvent(call, result, execution)

    def partial_answer(self, exc: BaseException) -> Any:
        """The answer to keep when the run stops: what the error says arrived, else what streamed."""
        partial = getattr(exc, "partial_text", "") or self.streamed
        return encodable(partial) if isinstance(partial, str) else self.streamed
