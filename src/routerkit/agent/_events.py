"""The events of a streamed run, with agno's names and values.

`Agent.run(..., stream=True, stream_events=True)` yields these (without `stream_events`, as in agno, only
the answer's `RunContentEvent`s and a `RunErrorEvent`); `print_response` and the CLI show them, and the run's
`RunOutput` is accumulated from the same events. Each class carries its `RunEvent` member as `.event`, so
code written for agno's `event.event == RunEvent.run_content` works unchanged; routerkit's own consumers
`match` on the class.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Literal, TypeAlias

from ..wire._response import FunctionCall

if TYPE_CHECKING:  # tools pull in pydantic; an agent without tools never loads them
    from ._hitl import RunRequirement
    from .run import RunMetrics, RunOutput, ToolExecution
    from .tools import ToolResult

__all__ = [
    "ReasoningContentDeltaEvent",
    "RunCompletedEvent",
    "RunContentEvent",
    "RunContinuedEvent",
    "RunErrorEvent",
    "RunEvent",
    "RunOutputEvent",
    "RunPausedEvent",
    "RunStartedEvent",
    "ToolCallCompletedEvent",
    "ToolCallStartedEvent",
]


class RunEvent(StrEnum):
    """agno's run event names, every member with agno's value (what agno sends over the wire).

    routerkit sends the events it has classes for below; the other members exist so that agno code
    comparing `event.event` with them runs unchanged (it simply never sees them).
    """

    run_started = "RunStarted"
    run_content = "RunContent"
    run_content_completed = "RunContentCompleted"
    run_intermediate_content = "RunIntermediateContent"
    run_completed = "RunCompleted"
    run_error = "RunError"
    run_cancelled = "RunCancelled"
    run_paused = "RunPaused"
    run_continued = "RunContinued"
    pre_hook_started = "PreHookStarted"
    pre_hook_completed = "PreHookCompleted"
    post_hook_started = "PostHookStarted"
    post_hook_completed = "PostHookCompleted"
    tool_call_started = "ToolCallStarted"
    tool_call_completed = "ToolCallCompleted"
    tool_call_error = "ToolCallError"
    tool_call_args_delta = "ToolCallArgsDelta"
    reasoning_started = "ReasoningStarted"
    reasoning_step = "ReasoningStep"
    reasoning_content_delta = "ReasoningContentDelta"
    reasoning_completed = "ReasoningCompleted"
    memory_update_started = "MemoryUpdateStarted"
    memory_update_completed = "MemoryUpdateCompleted"
    session_summary_started = "SessionSummaryStarted"
    session_summary_completed = "SessionSummaryCompleted"
    parser_model_response_started = "ParserModelResponseStarted"
    parser_model_response_completed = "ParserModelResponseCompleted"
    output_model_response_started = "OutputModelResponseStarted"
    output_model_response_completed = "OutputModelResponseCompleted"
    model_request_started = "ModelRequestStarted"
    model_request_completed = "ModelRequestCompleted"
    compression_started = "CompressionStarted"
    compression_completed = "CompressionCompleted"
    followups_started = "FollowupsStarted"
    followups_completed = "FollowupsCompleted"
    custom_event = "CustomEvent"


@dataclass(frozen=True, slots=True)
class RunStartedEvent:
    """The first event of every run."""

    run_id: str
    model: str
    event: ClassVar[RunEvent] = RunEvent.run_started


@dataclass(frozen=True, slots=True)
class RunContentEvent:
    """A piece of the answer: `content` is the text delta (agno's field; `content_type` is always "str")."""

    content: str
    content_type: ClassVar[str] = "str"
    event: ClassVar[RunEvent] = RunEvent.run_content


@dataclass(frozen=True, slots=True)
class ReasoningContentDeltaEvent:
    """A piece of the model's reasoning: raw reasoning text (`kind="text"`) or a summary of it."""

    reasoning_content: str
    kind: Literal["text", "summary"] = "text"
    event: ClassVar[RunEvent] = RunEvent.reasoning_content_delta


@dataclass(frozen=True, slots=True)
class ToolCallStartedEvent:
    """The agent is about to run a tool call the model asked for."""

    call: FunctionCall
    tool: ToolExecution | None = None
    """agno's view of the call (`tool.tool_name`, `tool.tool_args`)."""
    event: ClassVar[RunEvent] = RunEvent.tool_call_started


@dataclass(frozen=True, slots=True)
class ToolCallCompletedEvent:
    """A tool call finished; `result.output` is what goes back to the model."""

    call: FunctionCall
    result: ToolResult
    tool: ToolExecution | None = None
    """agno's view of the call, with its `result`."""
    event: ClassVar[RunEvent] = RunEvent.tool_call_completed

    @property
    def content(self) -> str:
        return self.result.output


@dataclass(frozen=True, slots=True)
class RunCompletedEvent:
    """The last event of a successful run; `content` is the answer (as in `output.content`)."""

    output: RunOutput
    event: ClassVar[RunEvent] = RunEvent.run_completed

    @property
    def content(self) -> object:
        return self.output.content

    @property
    def content_type(self) -> str:
        return self.output.content_type

    @property
    def run_id(self) -> str:
        return self.output.run_id

    @property
    def session_id(self) -> str:
        return self.output.session_id

    @property
    def reasoning_content(self) -> str | None:
        return self.output.reasoning_content

    @property
    def metrics(self) -> RunMetrics:
        return self.output.metrics


@dataclass(frozen=True, slots=True)
class RunErrorEvent:
    """The closing event of a failed run; the exception is raised right after it. `content` is its message."""

    error: BaseException
    output: RunOutput
    event: ClassVar[RunEvent] = RunEvent.run_error

    @property
    def content(self) -> str:
        return str(self.error) or type(self.error).__name__


@dataclass(frozen=True, slots=True)
class RunPausedEvent:
    """The last event of a run that waits for the user: confirm or reject each of `active_requirements`, then
    `agent.continue_run(...)`."""

    output: RunOutput
    event: ClassVar[RunEvent] = RunEvent.run_paused

    @property
    def run_id(self) -> str:
        return self.output.run_id

    @property
    def is_paused(self) -> bool:
        return True

    @property
    def tools(self) -> list[ToolExecution]:
        return [r.tool_execution for r in self.output.requirements]

    @property
    def requirements(self) -> list[RunRequirement]:
        return self.output.requirements

    @property
    def active_requirements(self) -> list[RunRequirement]:
        return self.output.active_requirements


@dataclass(frozen=True, slots=True)
class RunContinuedEvent:
    """The first event of `continue_run(..., stream=True)`: the paused run goes on."""

    run_id: str
    event: ClassVar[RunEvent] = RunEvent.run_continued


RunOutputEvent: TypeAlias = (
    RunStartedEvent
    | RunContentEvent
    | ReasoningContentDeltaEvent
    | ToolCallStartedEvent
    | ToolCallCompletedEvent
    | RunCompletedEvent
    | RunErrorEvent
    | RunPausedEvent
    | RunContinuedEvent
)
"""Any event of a streamed run (agno's name for the union)."""
