"""What a run produces: the `RunOutput` and its metrics (the events of a streamed run are in `_events`)."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from ..run.base import RunStatus
from ..wire._items import Citation, GeneratedImage
from ..wire._response import ModelResponse, is_fallback
from ._message import Message, messages_from_items

if TYPE_CHECKING:
    from ._hitl import RunRequirement

__all__ = ["Citation", "Citations", "GeneratedImage", "RunMetrics", "RunOutput", "ToolExecution"]


@dataclass(slots=True)
class RunMetrics:
    """Totals over every model call of a run (a tool loop makes several)."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    reasoning_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost: float | None = None
    """OpenRouter's `usage.cost` in USD, summed; None when no response reported a cost."""
    input_cost: float | None = None
    """The prompt's share of the cost (`cost_details.upstream_inference_input_cost`), summed."""
    output_cost: float | None = None
    """The answer's share of the cost (`cost_details.upstream_inference_output_cost`), summed."""
    server_tool_calls: int = 0
    """OpenRouter server tool calls run (`usage.server_tool_use_details.tool_calls_executed`)."""
    web_search_requests: int = 0
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
        self.cache_write_tokens += _count(usage.cache_write_tokens)
        self.server_tool_calls += _count(usage.server_tool_calls)
        self.web_search_requests += _count(usage.web_search_requests)
        self.cost = _sum(self.cost, usage.cost)
        self.input_cost = _sum(self.input_cost, usage.input_cost)
        self.output_cost = _sum(self.output_cost, usage.output_cost)

    def as_dict(self) -> dict[str, Any]:
        """Every metric, zeros and Nones included (what a session store records)."""
        return dict(zip(self.__slots__, _metric_values(self), strict=True))

    def to_dict(self) -> dict[str, Any]:
        """The metrics that were measured, as agno's `to_dict` gives them (zeros and Nones left out)."""
        return {name: value for name, value in self.as_dict().items() if value}


_metric_values = attrgetter(*RunMetrics.__slots__)
"""Every metric's value, in `__slots__` order, in one call."""


@dataclass(slots=True)
class Citations:
    """The sources an answer cites, in agno's shape: `urls[i].url` / `.title` (with `start_index` /
    `end_index` locating the cited span in the answer), and what the server searched for."""

    urls: list[Citation] = field(default_factory=list)
    search_queries: list[str] = field(default_factory=list)

    def unique_urls(self) -> list[Citation]:
        """Each cited URL once, in order of first citation: what a Sources list shows."""
        seen: dict[str, Citation] = {}
        for cite in self.urls:
            seen.setdefault(cite.url, cite)
        return list(seen.values())


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
    """The result of `Agent.run`, with agno's fields.

    `content` is the answer (a validated pydantic instance when the run has an `output_schema`, and
    `content_type` then names its class); `reasoning_content` is the model's reasoning, never a copy of the
    answer; `model` is the model that actually answered, which differs from `requested_model` after an
    OpenRouter fallback. `messages` shows the run as agno messages; `items` keeps the Responses items
    exactly as sent and received, which is what the next run replays.
    """

    run_id: str
    session_id: str
    requested_model: str
    content: Any = None
    content_type: str = "str"
    reasoning_content: str | None = None
    reasoning_encrypted: bool = False
    model: str | None = None
    model_provider: str | None = None
    status: RunStatus = RunStatus.running
    """`RunStatus.paused` while tool calls wait for the user (`active_requirements`)."""
    items: list[dict[str, Any]] = field(default_factory=list)
    """This run's items in order: the user's input, the model's output items as received, tool outputs."""
    tools: list[ToolExecution] = field(default_factory=list)
    """Every tool call of the run, in the order the model asked for them (agno's name)."""
    requirements: list[RunRequirement] = field(default_factory=list)
    """What a paused run waits for: one requirement per tool call that needs the user's confirmation."""
    responses: list[ModelResponse] = field(default_factory=list)
    citations: Citations | None = None
    """Sources the answer cites (web search); None when it cites none."""
    images: list[GeneratedImage] = field(default_factory=list)
    """Images the model generated (`modalities=["text", "image"]` or the image generation server tool)."""
    metrics: RunMetrics = field(default_factory=RunMetrics)
    error: BaseException | None = None
    user_id: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    created_at: int = field(default_factory=lambda: int(time.time()))
    """When the run started, in seconds since the epoch (agno's unit)."""
    system_message: str | None = None
    """The system prompt the run was sent with (the request's `instructions`): the first of `messages`, as
    agno lists it, but never among `items`, so history does not replay it."""

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

    @property
    def messages(self) -> list[Message]:
        """The run as agno messages (`.role`, `.content`): the system message, user input, answer, tool calls
        and results."""
        messages = messages_from_items(self.items, self.created_at)
        if self.system_message:
            messages.insert(0, Message("system", self.system_message, created_at=self.created_at))
        return messages

    def to_dict(self) -> dict[str, Any]:
        """The run as JSON-ready values, with agno's keys (fields without a value are left out)."""
        content = self.content
        dump = getattr(content, "model_dump", None)
        values: dict[str, Any] = {
            "run_id": self.run_id,
            "agent_id": self.agent_id,
            "agent_name": self.agent_name,
            "session_id": self.session_id,
            "user_id": self.user_id,
            "content": dump(mode="json") if dump else content,
            "content_type": self.content_type,
            "reasoning_content": self.reasoning_content,
            "model": self.model,
            "model_provider": self.model_provider,
            "messages": [message.to_dict() for message in self.messages],
            "metrics": self.metrics.to_dict(),
            "status": self.status.value,
            "error": (str(self.error) or type(self.error).__name__) if self.error is not None else None,
            "created_at": self.created_at,
        }
        return {key: value for key, value in values.items() if value is not None}

    def to_json(self, indent: int | None = 2) -> str:
        """`to_dict()` as JSON text (agno's default indent)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=str)


def _sum(total: float | None, value: object) -> float | None:
    """`total` plus `value` when it is a finite number; a missing or odd value leaves the total as it was."""
    if value is None:
        return total
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return (total or 0.0) + value
    return total


def _count(value: object) -> int:
    if type(value) is int:  # the common cases, checked without a call (bool is not `int` here)
        return value if value >= 0 else 0
    if value is None:
        return 0
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
