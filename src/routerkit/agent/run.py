"""What a run produces: the `RunOutput` and its metrics (the events of a streamed run are in `_events`)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..run.base import RunStatus
from ..wire._response import ModelResponse, is_fallback

if TYPE_CHECKING:
    from ._hitl import RunRequirement

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


@dataclass(slots=True)
class ToolExecution:
    """One tool call the model asked for, as agno reports it in `RunOutput.tools`: what was called, with which
    arguments, and what went back to the model (`result`; `tool_call_error` when that is an error message).

    A call that needs the user's confirmation has `requires_confirmation` and `confirmed` None until the user
    answers (see `RunRequirement`); its `result` stays None until it runs or is rejected.
    """

    tool_call_id: str
    tool_name: str
    tool_args: dict[str, Any]
    result: str | None = None
    tool_call_error: bool = False
    created_at: int = field(default_factory=lambda: int(time.time()))
    requires_confirmation: bool = False
    confirmed: bool | None = None
    confirmation_note: str | None = None
    stop_after_tool_call: bool = False


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
    status: Literal["running", "completed", "incomplete", "interrupted", "error"] | RunStatus = "running"
    """`RunStatus.paused` while tool calls wait for the user (`active_requirements`)."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    """This run's items in order: the user's message, the model's output items as received, tool outputs."""
    tools: list[ToolExecution] = field(default_factory=list)
    """Every tool call of the run, in the order the model asked for them (agno's name)."""
    requirements: list[RunRequirement] = field(default_factory=list)
    """What a paused run waits for: one requirement per tool call that needs the user's confirmation."""
    responses: list[ModelResponse] = field(default_factory=list)
    metrics: RunMetrics = field(default_factory=RunMetrics)
    error: BaseException | None = None

    @property
    def is_paused(self) -> bool:
        """True when the run stopped for the user to confirm or reject tool calls (`agent.continue_run`)."""
        return self.status == RunStatus.paused

    @property
    def active_requirements(self) -> list[RunRequirement]:
        """The requirements not yet answered: confirm or reject each, then `agent.continue_run(...)`."""
        return [r for r in self.requirements if not r.is_resolved()]

    @property
    def fallback_used(self) -> bool:
        return self.model is not None and is_fallback(self.requested_model, self.model)


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
