"""The agent loop's bookkeeping for one run, with no I/O: shared by `run` and `arun`.

A run alternates model calls and tool calls until the model answers in text. `RunState` knows what to send
next (history + this run's items), hands model events and responses to the `Accumulator`, decides which
tool calls to run (and when the loop must stop), and closes the run. It gets everything it needs from the
agent as one `RunSetup` and never touches the `Agent` itself. The drivers in `_agent.py` call the model and
the tools, and store the run (sync, or awaited so the event loop never waits on storage).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import APIError, IncompleteResponseError, UnknownToolError, UsageError
from ..run.base import RunStatus
from ..wire._request import CheckedList, check_input
from ._accumulator import Accumulator
from ._events import RunContentEvent, ToolCallCompletedEvent
from ._ids import new_id
from ._message import Message
from ._text import encodable
from .run import RunOutput, ToolExecution

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..wire._response import FunctionCall, ModelResponse
    from .tools import FunctionTool, ToolResult

__all__ = ["RunSetup", "RunState", "ToolStep", "replayable", "shown_input", "user_input", "user_items"]


@dataclass(frozen=True, slots=True)
class RunSetup:
    """What one run needs from its agent, fixed when the run starts."""

    session_id: str
    model_id: str
    model_provider: str | None
    user_id: str | None
    agent_id: str | None
    agent_name: str | None
    options: Mapping[str, Any]
    """Request options of the run's model calls (instructions, tools, tool choice, text format, include,
    session id)."""
    tools: Mapping[str, FunctionTool]
    output_schema: type[BaseModel] | None
    tool_call_limit: int | None


@dataclass(slots=True)
class ToolStep:
    """One tool call of a model turn and what to do with it: run `tool`, or send `preset` (an error result: over
    the limit, unknown tool, rejected by the user). Neither: it waits for the user's confirmation."""

    call: FunctionCall
    execution: ToolExecution
    tool: FunctionTool | None = None
    preset: ToolResult | None = None


class RunState:
    """One run's progress: the accumulated output, the tool calls made, and how the run ended."""

    def __init__(
        self,
        setup: RunSetup,
        items: list[dict[str, Any]],
        history: list[dict[str, Any]],
        run_id: str | None = None,
    ) -> None:
        self.setup = setup
        self.history = history
        output = RunOutput(
            run_id=run_id or new_id(),
            session_id=setup.session_id,
            requested_model=setup.model_id,
            model_provider=setup.model_provider,
            items=items,
            user_id=setup.user_id,
            agent_id=setup.agent_id,
            agent_name=setup.agent_name,
        )
        self.acc = Accumulator(output)
        self.output = output
        self.n_input_items = len(items)
        self._told_unknown = False
        self.waiting: list[ToolStep] = []
        """Calls waiting for the user's confirmation: the run pauses after the turn."""
        self.shown: list[str] = []
        """Results of `show_result` tools, which start the answer the user sees (as agno's do)."""
        self._stop = False
        self._over_limit = False
        self._asked_for_answer = False
        self._calls = 0

    # What to send

    def request(self) -> list[dict[str, Any]]:
        """The input items of the next model call: history, then this run's items that can be replayed.

        Every item was checked where it entered the run, so the request takes them as they are: the user's
        input (`user_items`), history and paused runs read from the store (`new_state`, `resume_into`), the
        model's output items (parsed from JSON by the model) and tool outputs (text, see `Accumulator`)."""
        request = CheckedList(self.history)
        request += replayable(self.output.items)
        return request

    def options(self) -> Mapping[str, Any]:
        """The next model call's options. Once calls went over `tool_call_limit`, the model is asked (once) to
        answer with what it has: `tool_choice: "none"`. A model's forcing `tool_choice` ("required", or a
        named function) holds for the run's first call only: after it, the model may answer, so it cannot be
        made to call tools forever."""
        if self._over_limit:
            self._asked_for_answer = True
            return {**self.setup.options, "tool_choice": "none"}
        choice = self.setup.options.get("tool_choice")
        if self._calls and choice is not None and choice not in ("auto", "none"):
            return {**self.setup.options, "tool_choice": "auto"}
        return self.setup.options

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
        unknown = [call.name for call in calls if call.name not in self.setup.tools]
        if unknown:
            # Told once (every unknown call of this turn gets an error result); asking again ends the run.
            if self._told_unknown:
                raise UnknownToolError(unknown[0], list(self.setup.tools))
            self._told_unknown = True
        return calls

    def steps(self, calls: list[FunctionCall]) -> list[ToolStep]:
        """What to do with each call of a turn; each gets its `ToolExecution` in `output.tools`. As agno: calls
        beyond `tool_call_limit` are not run and the model is told so; calls to a tool that `requires_confirmation`
        wait for the user."""
        from ._hitl import parse_args

        steps = []
        limit = self.setup.tool_call_limit
        for call in calls:
            tool = self.setup.tools.get(call.name)
            execution = ToolExecution(
                tool_call_id=call.call_id,
                tool_name=call.name,
                tool_args=parse_args(call.arguments),
                requires_confirmation=bool(tool and tool.requires_confirmation),
                stop_after_tool_call=bool(tool and tool.stop_after_tool_call),
            )
            self.output.tools.append(execution)
            step = ToolStep(call, execution)
            if limit is not None and len(self.output.tools) > limit:
                self._over_limit = True
                step.preset = _limit_result(call)
            elif tool is None:
                step.preset = self.unknown_tool(call)
            elif tool.requires_confirmation:
                self.waiting.append(step)
                continue
            else:
                step.tool = tool
            steps.append(step)
        return steps

    def resume(self, calls: list[FunctionCall]) -> list[ToolStep]:
        """The waiting calls of a paused run, with the user's answers: confirmed ones run, rejected ones tell
        the model why. With any still unanswered, nothing runs and the run pauses again."""
        by_id = {e.tool_call_id: e for e in self.output.tools}
        steps = []
        for call in calls:
            execution = by_id[call.call_id]
            step = ToolStep(call, execution)
            if execution.confirmed is None:
                self.waiting.append(step)
            elif execution.confirmed:
                step.tool = self.setup.tools.get(call.name)
                step.preset = None if step.tool else self.unknown_tool(call)
            else:
                note = execution.confirmation_note
                why = f": {note}" if note else ""
                step.preset = _tool_result(f"Error: the user rejected this call to {call.name}{why}")
            steps.append(step)
        return [] if self.waiting else steps

    def done(self, step: ToolStep, result: ToolResult) -> list[ToolCallCompletedEvent | RunContentEvent]:
        """Record a call's result; a `show_result` tool's result is also shown as part of the answer, and a
        `stop_after_tool_call` tool ends the run. The `ToolCallCompletedEvent` comes first."""
        events: list[ToolCallCompletedEvent | RunContentEvent] = [self.acc.tool_done(step.call, step.execution, result)]
        tool = step.tool
        if tool is not None and not result.is_error:
            if tool.show_result:
                shown = encodable(result.output)
                self.shown.append(shown)
                events.append(RunContentEvent(shown))
            self._stop = self._stop or tool.stop_after_tool_call
        return events

    def turn_ends_run(self) -> bool:
        """After a turn's tools ran: whether the run ends here rather than asking the model again (a
        `stop_after_tool_call` tool ran, or the model called tools again after being asked to answer)."""
        return self._stop or self._asked_for_answer

    def unknown_tool(self, call: FunctionCall) -> ToolResult:
        """What the model is told about a call to a tool that does not exist (`absorb` ends the run when it
        asks for one again)."""
        listed = ", ".join(self.setup.tools) or "none"
        return _tool_result(f"Error: there is no tool named {call.name[:80]!r}; available tools: {listed}")

    # How it ended

    def finish(self) -> RunOutput:
        out = self.output
        schema = self.setup.output_schema
        if self.shown and schema is None:
            last = out.content if isinstance(out.content, str) and not self._stop else ""
            out.content = "".join(self.shown) + last
        elif schema is not None and isinstance(out.content, str):
            from .structured import parse_output

            out.content = parse_output(schema, out.content)
            out.content_type = schema.__name__
        out.status = RunStatus.completed
        return self._close()

    def pause(self) -> RunOutput:
        """Stop for the user: one `RunRequirement` per waiting call."""
        from ._hitl import RunRequirement

        out = self.output
        out.requirements = [RunRequirement(step.execution) for step in self.waiting]
        out.status = RunStatus.paused
        return self._close()

    def fail(self, exc: BaseException) -> RunOutput:
        out = self.output
        # Not an Exception: Ctrl-C, task cancellation, or the caller closing the event stream.
        stopped = not isinstance(exc, Exception)
        out.status = RunStatus.cancelled if stopped else RunStatus.error
        if not isinstance(exc, GeneratorExit):
            out.error = exc
        if not out.content:
            out.content = self.acc.partial_answer(exc) or out.content
        self._keep_partial_answer()
        if isinstance(exc, APIError | UnknownToolError | UsageError):
            exc.run_output = out  # type: ignore[union-attr]
        return self._close()

    def _keep_partial_answer(self) -> None:
        """An answer the user saw stays in the stored run as the assistant message, even when the run failed
        after it, so the session's history keeps it."""
        out = self.output
        if (
            isinstance(out.content, str)
            and out.content
            and not any(item.get("type") == "message" and item.get("role") == "assistant" for item in out.items)
        ):
            out.items.append(
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
        return self.output.items[self.n_input_items :]


def _tool_result(text: str) -> ToolResult:
    from .tools import ToolResult

    return ToolResult(text, is_error=True)


def _limit_result(call: FunctionCall) -> ToolResult:
    """agno's answer to a call beyond `tool_call_limit`."""
    return _tool_result(f"Tool call limit reached. Tool call {call.name} not executed. Don't try to execute it again.")


def user_items(input: object, **media: object) -> list[dict[str, Any]]:
    """The run's input items for `input` and its media (`user_input`'s keywords); bad input is refused here,
    before a run starts."""
    return user_input(input, **media)[0]


def user_input(
    input: object,
    *,
    images: object = None,
    audio: object = None,
    videos: object = None,
    files: object = None,
) -> tuple[list[dict[str, Any]], str | Sequence[dict[str, Any]]]:
    """`user_items`, and what `print_response` shows as the message: the text sent (a pydantic model or a
    `Message` as the text it sends), then a line per attachment (`📎 photo.png (image/png, 12 KB)`).

    The media parts join the last user message (after its text), as agno sends them; the media module is
    loaded only when a run has media.
    """
    items = _input_items(input)
    shown: str | list[dict[str, Any]] = input if isinstance(input, str) else list(items)
    if images is None and audio is None and videos is None and files is None:
        return items, shown
    from ..media._attach import attachments

    attached = attachments(images=images, audio=audio, videos=videos, files=files)
    if not attached:
        return items, shown
    parts = [attachment.part for attachment in attached]
    last = items[-1] if items else {}
    if last.get("role") == "user" and last.get("type", "message") == "message":
        content = last.get("content")
        text = [{"type": "input_text", "text": content}] if isinstance(content, str) and content else []
        items[-1] = {**last, "content": [*(content if isinstance(content, list) else text), *parts]}
    else:
        items.append({"role": "user", "content": parts})
    return items, shown_input(shown, [attachment.label for attachment in attached])


def _input_items(input: object) -> list[dict[str, Any]]:
    """`input` as agno takes it: text, a pydantic model (sent as its JSON), a `Message` or one item dict, or a
    list of Responses items and `Message`s, checked and as input items."""
    dump = getattr(input, "model_dump_json", None)
    if dump is not None and not isinstance(input, type):
        input = dump()
    if isinstance(input, Message | dict):
        input = [input]
    if isinstance(input, list | tuple):
        input = [item.to_item() if isinstance(item, Message) else item for item in input]
    elif not isinstance(input, str):
        raise UsageError(
            "input must be text, a pydantic model, a Message or a list of Responses input items and Messages, "
            f"got {type(input).__name__}"
        )
    checked = encodable(check_input(input, "input"))
    return [{"role": "user", "content": checked}] if isinstance(checked, str) else list(checked)


def shown_input(input: str | Sequence[dict[str, Any]], labels: Sequence[str]) -> str | Sequence[dict[str, Any]]:
    """What the message panel shows: the input, then a `📎 name (type, size)` line per attachment."""
    if not labels:
        return input
    lines = "\n".join(f"📎 {label}" for label in labels)
    if isinstance(input, str):
        return f"{input}\n{lines}" if input else lines
    return [*input, {"role": "user", "content": lines}]


def replayable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items that can be sent back: everything as received, except reasoning items without
    `encrypted_content` — with `store=false` the provider cannot look those up and rejects them (400)."""
    return [i for i in items if i.get("type") != "reasoning" or i.get("encrypted_content")]
