"""The agent loop's bookkeeping for one run, with no I/O: shared by `run` and `arun`.

A run alternates model calls and tool calls until the model answers in text. `RunState` knows what to send
next (history + this run's items), turns model stream events into run events, absorbs each finished
response (its output items kept exactly as received), records tool results as `function_call_output`
items, and builds the `RunOutput`. The drivers in `_agent.py` only call the model and the tools.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import APIError, IncompleteResponseError, ToolCallLimitError, UsageError
from ..wire.events import ReasoningDelta as ModelReasoningDelta
from ..wire.events import StreamEvent, TextDelta
from ..wire.request import check_input
from ..wire.response import FunctionCall, ModelResponse
from .run import ReasoningDelta, RunContentDelta, RunEvent, RunOutput, ToolCallCompleted, ToolExecution

if TYPE_CHECKING:
    from ._agent import Agent
    from .tools import FunctionTool, ToolResult

__all__ = ["RunState", "user_items"]


class RunState:
    def __init__(self, agent: Agent, items: list[dict[str, Any]], history: list[dict[str, Any]]):
        self.agent = agent
        self.started = time.perf_counter()
        self.history = history
        self.output = RunOutput(
            run_id=str(uuid.uuid4()),
            session_id=agent.session_id,
            requested_model=agent.model.id,
            messages=items,
        )
        self.n_input_items = len(self.output.messages)
        self._tools_run = 0
        self._streamed: list[str] = []  # answer deltas of the current model call, kept if the run stops

    # What to send

    def request(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The input items and options of the next model call."""
        return self.history + self.output.messages, self.agent._request_options()

    # What came back

    def translate(self, event: StreamEvent) -> RunEvent | None:
        if type(event) is TextDelta:
            if self.output.metrics.time_to_first_token is None:
                self.output.metrics.time_to_first_token = time.perf_counter() - self.started
            self._streamed.append(event.delta)
            return RunContentDelta(event.delta)
        if type(event) is ModelReasoningDelta:
            if self.output.metrics.time_to_first_token is None:
                self.output.metrics.time_to_first_token = time.perf_counter() - self.started
            return ReasoningDelta(event.delta, event.kind)
        return None

    def absorb(self, response: ModelResponse) -> list[FunctionCall]:
        """Take a finished response; returns the tool calls to run before asking the model again."""
        out = self.output
        self._streamed.clear()
        out.responses.append(response)
        out.metrics.add(response)
        out.model = response.model or out.model
        out.messages.extend(response.output)
        if response.reasoning:
            out.reasoning_content = (
                response.reasoning if not out.reasoning_content else out.reasoning_content + "\n\n" + response.reasoning
            )
        out.reasoning_encrypted = out.reasoning_encrypted or response.reasoning_encrypted
        if out.metrics.time_to_first_token is None and response.time_to_first_token is not None:
            out.metrics.time_to_first_token = response.time_to_first_token
        if response.status == "incomplete":
            out.content = response.text
            raise IncompleteResponseError(
                f"the answer stopped early ({response.incomplete_reason or 'no reason given'})",
                code=response.incomplete_reason,
                models=[response.model or out.requested_model],
                generation_id=response.generation_id,
                partial_text=response.text,
            )
        calls = response.function_calls
        if not calls:
            out.content = response.text
            return []
        limit = self.agent.tool_call_limit
        if limit is not None and self._tools_run + len(calls) > limit:
            raise ToolCallLimitError(limit)
        self._tools_run += len(calls)
        return calls

    def tool_for(self, call: FunctionCall) -> FunctionTool | None:
        return self.agent._tools_by_name().get(call.name)

    def unknown_tool(self, call: FunctionCall) -> ToolResult:
        from .tools import ToolResult

        names = ", ".join(self.agent._tools_by_name()) or "none"
        return ToolResult(f"Error: there is no tool named {call.name!r}; available tools: {names}", is_error=True)

    def tool_done(self, call: FunctionCall, result: ToolResult) -> ToolCallCompleted:
        self.output.tool_calls.append(ToolExecution(call, result))
        self.output.messages.append({"type": "function_call_output", "call_id": call.call_id, "output": result.output})
        return ToolCallCompleted(call, result)

    # How it ended

    def finish(self) -> RunOutput:
        out = self.output
        schema = self.agent.output_schema
        if schema is not None and isinstance(out.content, str):
            from .structured import parse_output

            out.content = parse_output(schema, out.content)
        out.status = "completed"
        return self._close()

    def fail(self, exc: BaseException) -> RunOutput:
        out = self.output
        # Not an Exception: Ctrl-C, task cancellation, or the caller closing the event stream.
        stopped = not isinstance(exc, Exception)
        out.status = "interrupted" if stopped else "error"
        if not isinstance(exc, GeneratorExit):
            out.error = exc
        if isinstance(exc, IncompleteResponseError):
            out.status = "incomplete"
        partial = getattr(exc, "partial_text", "") or "".join(self._streamed)
        if out.content is None and partial:
            out.content = partial
        if stopped or out.status == "incomplete":
            self._keep_partial_answer()
        if isinstance(exc, APIError | ToolCallLimitError | UsageError):
            exc.run_output = out  # type: ignore[union-attr]
        return self._close()

    def _keep_partial_answer(self) -> None:
        """An interrupted answer stays in the history as the assistant message the user saw."""
        out = self.output
        if (
            isinstance(out.content, str)
            and out.content
            and not any(item.get("type") == "message" and item.get("role") == "assistant" for item in out.messages)
        ):
            out.messages.append(
                {
                    "type": "message",
                    "role": "assistant",
                    "id": f"msg_partial_{out.run_id[:8]}",
                    "status": "incomplete",
                    "content": [{"type": "output_text", "text": out.content, "annotations": []}],
                }
            )

    def _close(self) -> RunOutput:
        out = self.output
        out.metrics.duration = time.perf_counter() - self.started
        self.agent._record_run(self)
        return out


def user_items(message: str | Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The run's input items for `message`; bad input is refused here, before a run starts."""
    checked = check_input(message, "message")
    return [{"role": "user", "content": checked}] if isinstance(checked, str) else checked
