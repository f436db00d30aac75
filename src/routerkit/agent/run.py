"""What a run produces: the `RunOutput` and its metrics (the events of a streamed run are in `_events`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..wire._items import Citation, GeneratedImage
from ..wire._response import FunctionCall, ModelResponse, is_fallback

if TYPE_CHECKING:  # tools.py pulls in pydantic; an agent without tools never needs it
    from .tools import ToolResult

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
        return {name: getattr(self, name) for name in self.__slots__}


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
    citations: Citations | None = None
    """Sources the answer cites (web search); None when it cites none."""
    images: list[GeneratedImage] = field(default_factory=list)
    """Images the model generated (`modalities=["text", "image"]` or the image generation server tool)."""
    metrics: RunMetrics = field(default_factory=RunMetrics)
    error: BaseException | None = None

    @property
    def fallback_used(self) -> bool:
        return self.model is not None and is_fallback(self.requested_model, self.model)


def _sum(total: float | None, value: object) -> float | None:
    """`total` plus `value` when it is a finite number; a missing or odd value leaves the total as it was."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return (total or 0.0) + value
    return total


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
