"""The stream event vocabulary every layer above `wire` consumes.

OpenRouter sends some forty event types; callers need these six (a UI may ignore the last two: citations
and tool calls are in the final response too). Failures are not events: they are raised as
typed exceptions, so a stream can never end quietly with an error inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from ._items import Citation
from ._response import FunctionCall, ModelResponse

__all__ = [
    "CitationAdded",
    "FunctionCallArgumentsDelta",
    "FunctionCallEvent",
    "ReasoningDelta",
    "ResponseCompleted",
    "StreamEvent",
    "TextDelta",
]


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer."""

    delta: str
    type: Literal["text_delta"] = "text_delta"


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of the model's reasoning: raw reasoning text (`kind="text"`) or a summary of it."""

    delta: str
    kind: Literal["text", "summary"] = "text"
    type: Literal["reasoning_delta"] = "reasoning_delta"


@dataclass(frozen=True, slots=True)
class FunctionCallEvent:
    """The model finished asking for a function call."""

    call: FunctionCall
    type: Literal["function_call"] = "function_call"


@dataclass(frozen=True, slots=True)
class FunctionCallArgumentsDelta:
    """A piece of a function call's arguments as the model writes them, so a UI can show the call forming.

    `item_id` ties the pieces of one call together; `name` is known once the call's item was announced."""

    item_id: str
    delta: str
    name: str | None = None
    type: Literal["function_call_arguments_delta"] = "function_call_arguments_delta"


@dataclass(frozen=True, slots=True)
class CitationAdded:
    """The answer cites a source (a streamed `url_citation` annotation)."""

    citation: Citation
    type: Literal["citation"] = "citation"


@dataclass(frozen=True, slots=True)
class ResponseCompleted:
    """The last event of every successful stream; `response.status` is "completed" or "incomplete"."""

    response: ModelResponse
    type: Literal["completed"] = "completed"


StreamEvent: TypeAlias = (
    TextDelta | ReasoningDelta | FunctionCallEvent | FunctionCallArgumentsDelta | CitationAdded | ResponseCompleted
)
