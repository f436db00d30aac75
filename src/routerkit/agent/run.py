"""What a run produces: the `RunOutput`, its metrics, and the events of a streamed run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from ..wire.response import FunctionCall, ModelResponse, is_fallback

if TYPE_CHECKING:  # tools.py pulls in pydantic; an agent without tools never needs it
    from .tools import ToolResult

__all__ = [
    "ReasoningDelta",
    "RunCompleted",
    "RunContentDelta",
    "RunError",
    "RunEvent",
    "RunMetrics",
    "RunOutput",
    "RunStarted",
    "ToolCallCompleted",
    "ToolCallStarted",
    "ToolExecution",
]


@dataclass(slots=True)
class RunMetrics:
    """Totals over every model call of a run (a tool loop makes several)."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    reasoning_tokens: int = 0
    cache_read_tokens: int = 0
    cost: float | None = None
    """OpenRouter's `usage.cost` in USD, summed; None when no response reported a cost."""
    time_to_first_token: float | None = None
    """Seconds from the start of the run to the first answer or reasoning delta (keep-alives excluded)."""
    duration: float | None = None

    def add(self, response: ModelResponse) -> None:
        usage = response.usage
        self.input_tokens += usage.input_tokens or 0
        self.output_tokens += usage.output_tokens or 0
        self.total_tokens += usage.total_tokens or (usage.input_tokens or 0) + (usage.output_tokens or 0)
        self.reasoning_tokens += usage.reasoning_tokens or 0
        self.cache_read_tokens += usage.cached_tokens or 0
        if usage.cost is not None:
            self.cost = (self.cost or 0.0) + usage.cost

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class ToolExecution:
    """One tool call the agent ran for the model, and what it sent back."""

    call: FunctionCall
    result: ToolResult


@dataclass(slots=True)
class RunOutput:
    """The result of `Agent.run`.

    `content` is the answer (a validated pydantic instance when the agent has an `output_schema`);
    `reasoning_content` is the model's reasoning, never a copy of the answer; `model` is the model that
    actually answered, which differs from `requested_model` after an OpenRouter fallback.
    """

    run_id: str
    session_id: str
    requested_model: str
    content: Any = None
    reasoning_content: str | None = None
    reasoning_encrypted: bool = False
    model: str | None = None
    status: Literal["running", "completed", "incomplete", "interrupted", "error"] = "running"
    messages: list[dict[str, Any]] = field(default_factory=list)
    """This run's items in order: the user's message, the model's output items as received, tool outputs."""
    tool_calls: list[ToolExecution] = field(default_factory=list)
    responses: list[ModelResponse] = field(default_factory=list)
    metrics: RunMetrics = field(default_factory=RunMetrics)
    error: BaseException | None = None

    @property
    def fallback_used(self) -> bool:
        return self.model is not None and is_fallback(self.requested_model, self.model)


@dataclass(frozen=True, slots=True)
class RunStarted:
    run_id: str
    model: str
    event: Literal["RunStarted"] = "RunStarted"


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    delta: str
    kind: Literal["text", "summary"] = "text"
    event: Literal["ReasoningDelta"] = "ReasoningDelta"


@dataclass(frozen=True, slots=True)
class RunContentDelta:
    delta: str
    event: Literal["RunContent"] = "RunContent"


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    call: FunctionCall
    event: Literal["ToolCallStarted"] = "ToolCallStarted"


@dataclass(frozen=True, slots=True)
class ToolCallCompleted:
    call: FunctionCall
    result: ToolResult
    event: Literal["ToolCallCompleted"] = "ToolCallCompleted"


@dataclass(frozen=True, slots=True)
class RunCompleted:
    output: RunOutput
    event: Literal["RunCompleted"] = "RunCompleted"


@dataclass(frozen=True, slots=True)
class RunError:
    """The closing event of a failed run; the exception is raised right after it."""

    error: BaseException
    output: RunOutput
    event: Literal["RunError"] = "RunError"


RunEvent: TypeAlias = (
    RunStarted | ReasoningDelta | RunContentDelta | ToolCallStarted | ToolCallCompleted | RunCompleted | RunError
)
