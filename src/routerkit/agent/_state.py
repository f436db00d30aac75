"""The agent loop's bookkeeping for one run, with no I/O: shared by `run` and `arun`.

A run alternates model calls and tool calls until the model answers in text. `RunState` knows what to send
next (history + this run's items), hands model events and responses to the `Accumulator`, decides which
tool calls to run (and when the loop must stop), and closes the run. It gets everything it needs from the
agent as one `RunSetup` and never touches the `Agent` itself. The drivers in `_agent.py` call the model and
the tools, and store the run (sync, or awaited so the event loop never waits on storage).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import APIError, IncompleteResponseError, ToolCallLimitError, UnknownToolError, UsageError
from ..wire._request import check_input
from ._accumulator import Accumulator
from ._text import encodable
from .run import RunOutput

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..wire._response import FunctionCall, ModelResponse
    from .tools import FunctionTool, ToolResult

__all__ = ["RunSetup", "RunState", "replayable", "user_items"]


@dataclass(frozen=True, slots=True)
class RunSetup:
    """What one run needs from its agent, fixed when the run starts."""

    session_id: str
    model_id: str
    options: Mapping[str, Any]
    """Request options of the run's model calls (instructions, tools, tool choice, text format, include,
    session id)."""
    tools: Mapping[str, FunctionTool]
    output_schema: type[BaseModel] | None
    tool_call_limit: int | None


class RunState:
    """One run's progress: the accumulated output, the tool calls made, and how the run ended."""

    def __init__(self, setup: RunSetup, items: list[dict[str, Any]], history: list[dict[str, Any]]) -> None:
        self.setup = setup
        self.history = history
        output = RunOutput(
            run_id=str(uuid.uuid4()), session_id=setup.session_id, requested_model=setup.model_id, messages=items
        )
        self.acc = Accumulator(output)
        self.output = output
        self.n_input_items = len(items)
        self._tools_run = 0
        self._told_unknown = False
        self._calls = 0

    # What to send

    def call_options(self) -> Mapping[str, Any]:
        """The options of the next model call. A model's forcing `tool_choice` ("required", or a named
        function) holds for the run's first call only: after it, the model may answer, so it cannot be made
        to call tools forever."""
        choice = self.setup.options.get("tool_choice")
        if self._calls and choice is not None and choice not in ("auto", "none"):
            return {**self.setup.options, "tool_choice": "auto"}
        return self.setup.options

    def request(self) -> list[dict[str, Any]]:
        """The input items of the next model call: history, then this run's items that can be replayed."""
        return self.history + replayable(self.output.messages)

    # What came back

    def absorb(self, response: ModelResponse) -> list[FunctionCall]:
        """Take a finished response; returns the tool calls to run before asking the model again."""
        self.acc.response(response)
        self._calls += 1
        out = self.output
        if response.status == "incomplete":
            raise IncompleteResponseError(
                f"the answer stopped early ({response.incomplete_reason or 'no reason given'})",
                code=response.incomplete_reason,
                models=[out.model or out.requested_model],
                generation_id=response.generation_id,
                partial_text=out.content if isinstance(out.content, str) else "",
            )
        calls = response.function_calls
        if not calls:
            return []
        limit = self.setup.tool_call_limit
        if limit is not None and self._tools_run + len(calls) > limit:
            raise ToolCallLimitError(limit)
        unknown = [call.name for call in calls if call.name not in self.setup.tools]
        if unknown:
            # Told once (every unknown call of this turn gets an error result); asking again ends the run.
            if self._told_unknown:
                raise UnknownToolError(unknown[0], list(self.setup.tools))
            self._told_unknown = True
        self._tools_run += len(calls)
        return calls

    def tool_for(self, call: FunctionCall) -> FunctionTool | None:
        """The tool the call names; None for an unknown name, whose error result is `unknown_tool(call)`."""
        return self.setup.tools.get(call.name)

    def unknown_tool(self, call: FunctionCall) -> ToolResult:
        """What the model is told about a call to a tool that does not exist (`absorb` ends the run when it
        asks for one again)."""
        from .tools import ToolResult

        listed = ", ".join(self.setup.tools) or "none"
        return ToolResult(f"Error: there is no tool named {call.name[:80]!r}; available tools: {listed}", is_error=True)

    # How it ended

    def finish(self) -> RunOutput:
        out = self.output
        schema = self.setup.output_schema
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
        if not out.content:
            out.content = self.acc.partial_answer(exc) or out.content
        self._keep_partial_answer()
        if isinstance(exc, APIError | ToolCallLimitError | UnknownToolError | UsageError):
            exc.run_output = out  # type: ignore[union-attr]
        return self._close()

    def _keep_partial_answer(self) -> None:
        """An answer the user saw stays in the stored run as the assistant message, even when the run failed
        after it, so the session's history keeps it."""
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
        self.output.metrics.duration = self.acc.elapsed()
        return self.output

    def output_items(self) -> list[dict[str, Any]]:
        """This run's items after its input: what the model said and the tool outputs, to store."""
        return self.output.messages[self.n_input_items :]


def user_items(message: str | Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The run's input items for `message`; bad input is refused here, before a run starts."""
    checked = encodable(check_input(message, "message"))
    return [{"role": "user", "content": checked}] if isinstance(checked, str) else list(checked)


def replayable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items that can be sent back: everything as received, except reasoning items without
    `encrypted_content` — with `store=false` the provider cannot look those up and rejects them (400)."""
    return [i for i in items if i.get("type") != "reasoning" or i.get("encrypted_content")]
