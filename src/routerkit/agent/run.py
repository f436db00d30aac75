"""What a run produces: the `RunOutput` and its metrics (the events of a streamed run are in `_events`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..wire._response import FunctionCall, ModelResponse, is_fallback

if TYPE_CHECKING:  # tools.py pulls in pydantic; an agent without tools never needs it
    from .tools import ToolResult

__all__ = ["RunMetrics", "RunOutput", "ToolExecution"]


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
        """Add one response's usage. Counts that are not non-negative integers and costs that are not finite
        numbers are skipped: an odd value in the usage report must never cost the user the answer."""
        usage = response.usage
        input_tokens, output_tokens = _count(usage.input_tokens), _count(usage.output_tokens)
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.total_tokens += _count(usage.total_tokens) or input_tokens + output_tokens
        self.reasoning_tokens += _count(usage.reasoning_tokens)
        self.cache_read_tokens += _count(usage.cached_tokens)
        cost = usage.cost
        if isinstance(cost, int | float) and not isinstance(cost, bool) and math.isfinite(cost):
            self.cost = (self.cost or 0.0) + cost

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


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
