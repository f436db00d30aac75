"""The finished answer of one Responses call, read from output items.

A streamed and a non-streamed call end in the same `ModelResponse`, built by `build_response` from the
output items: those items are kept exactly as received so the agent can replay them, and everything else
(answer text, reasoning, function calls) is derived from them in one place.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import MalformedResponseError
from ._items import (
    Citation,
    GeneratedImage,
    ServerToolCall,
    citations_of,
    generated_image,
    is_server_tool_item,
    server_tool_call,
)
from ._request import CheckedList

__all__ = [
    "FunctionCall",
    "ModelResponse",
    "Usage",
    "build_response",
    "function_call",
    "is_fallback",
    "is_router",
    "model_name",
    "parse_usage",
    "read_output",
]


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """A function tool call the model asked for; `arguments` is the JSON text as sent."""

    call_id: str
    name: str
    arguments: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts and OpenRouter's charge for one response (`None` where the service did not say)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    """Tokens written to the prompt cache (sent only by models that price cache writes)."""
    reasoning_tokens: int | None = None
    cost: float | None = None
    is_byok: bool | None = None
    upstream_cost: float | None = None
    """`cost_details.upstream_inference_cost`: what the provider charged (set for BYOK requests)."""
    input_cost: float | None = None
    """`cost_details.upstream_inference_input_cost`: the prompt's share of the cost."""
    output_cost: float | None = None
    """`cost_details.upstream_inference_output_cost`: the answer's share of the cost."""
    server_tool_calls: int | None = None
    """`server_tool_use_details.tool_calls_executed`: OpenRouter server tool calls run."""
    web_search_requests: int | None = None


@dataclass(slots=True)
class ModelResponse:
    """What one call to the model produced.

    `model` is the model that actually served the request; after a `models` fallback it differs from
    `requested_model`. `output` holds the output items exactly as received, for replay.
    """

    requested_model: str
    model: str | None = None
    id: str | None = None
    generation_id: str | None = None
    status: str = "in_progress"
    incomplete_reason: str | None = None
    output: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""
    reasoning_text: str = ""
    reasoning_summary: str = ""
    reasoning_encrypted: bool = False
    function_calls: list[FunctionCall] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    images: list[GeneratedImage] = field(default_factory=list)
    server_tool_calls: list[ServerToolCall] = field(default_factory=list)
    """Tools run on the server during the response (web search, …): kept in `output`, never run here."""
    usage: Usage = field(default_factory=Usage)
    openrouter_metadata: dict[str, Any] | None = None
    time_to_first_token: float | None = None
    duration: float | None = None

    @property
    def reasoning(self) -> str:
        """The reasoning to show a reader: raw reasoning text when the model sent it, else its summary."""
        return self.reasoning_text or self.reasoning_summary

    @property
    def fallback_used(self) -> bool:
        """True when a model other than the requested one answered (OpenRouter's `models` fallback)."""
        return self.model is not None and is_fallback(self.requested_model, self.model)

    @property
    def routed_to(self) -> str | None:
        """The model a router id (`openrouter/auto`, `@preset/…`, `~…`) chose; None for any other request."""
        if self.model is None or not is_router(self.requested_model) or self.model == self.requested_model:
            return None
        return self.model


#: `isinstance` against `Mapping` alone runs abc's Python-level check; JSON objects are dicts, tried first.
_MAPPING = (dict, Mapping)

#: A dated snapshot suffix: "-2024-08-06" or "-20240806".
_DATED = re.compile(r"-\d{4}-?\d{2}-?\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Longer than any model id OpenRouter lists; a served name past it is cut, since it is shown in every footer.
_NAME_LIMIT = 256


def is_router(model: str) -> bool:
    """Whether `model` names a choice OpenRouter makes rather than one model: `openrouter/auto` (and the
    other `openrouter/` routers), a preset `@preset/…`, or a `~` alias for a family's latest model."""
    return isinstance(model, str) and model.startswith(("openrouter/", "@preset/", "~"))


def is_fallback(requested: str, served: str) -> bool:
    """Whether `served` is a different model from `requested`, not the same one under another name.

    A router id (see `is_router`) is expected to be served by another model: that is routing, not a fallback.

    The same model: the identical id, a dated snapshot of it (`openai/gpt-4o` → `openai/gpt-4o-2024-08-06`),
    or either with a `:variant` suffix (`:free`, `:online`). A longer name is a different model:
    `openai/gpt-4o-mini` answering for `openai/gpt-4o` is a fallback.
    """
    if not isinstance(requested, str) or not isinstance(served, str) or is_router(requested):
        return False  # not a model name at all (or a router's choice): no fallback claimed
    requested, served = requested.split(":", 1)[0], served.split(":", 1)[0]
    if served == requested:
        return False
    return not (served.startswith(requested) and _DATED.fullmatch(served[len(requested) :]))


@dataclass(slots=True)
class _OutputDigest:
    text: list[str] = field(default_factory=list)
    reasoning_text: list[str] = field(default_factory=list)
    reasoning_summary: list[str] = field(default_factory=list)
    encrypted: bool = False
    calls: list[FunctionCall] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    images: list[GeneratedImage] = field(default_factory=list)
    server_tools: list[ServerToolCall] = field(default_factory=list)


def read_output(items: Iterable[Any]) -> _OutputDigest:
    """Derive the answer, the reasoning (raw and summaries kept apart), function calls, citations, generated
    images and server tool calls from items.

    Lenient by design: this runs on an answer that was already generated (and paid for), so a part of an
    unexpected shape is read as text where it can be and skipped where it cannot, never raised on. The one
    exception is a function call without a usable name, which the caller could not act on.
    """
    digest = _OutputDigest()
    for item in items:
        if not isinstance(item, _MAPPING):
            continue
        kind = item.get("type")
        if kind == "message":
            parts = _parts(item.get("content"))
            digest.citations += citations_of(parts)
            for part in parts:
                if isinstance(part, str):
                    digest.text.append(part)
                elif part.get("type") == "output_text":
                    digest.text.append(_str(part.get("text")))
                elif part.get("type") == "refusal":
                    digest.text.append(_str(part.get("refusal")))
        elif kind == "reasoning":
            # The schema says summary parts are objects; OpenRouter's own docs show plain strings.
            raw = [_part_text(p) for p in _parts(item.get("content"))]
            summary = [_part_text(p) for p in _parts(item.get("summary"))]
            digest.reasoning_text.extend(t for t in raw if t)
            digest.reasoning_summary.extend(t for t in summary if t)
            if item.get("encrypted_content") and not any(raw) and not any(summary):
                digest.encrypted = True
        elif kind == "function_call":
            digest.calls.append(function_call(item))
        elif is_server_tool_item(item):
            if kind in _IMAGE_ITEMS:
                image = generated_image(item)
                if image is not None:
                    digest.images.append(image)
            digest.server_tools.append(server_tool_call(item))
    return digest


_IMAGE_ITEMS = ("image_generation_call", "openrouter:image_generation")


def function_call(item: Mapping[str, Any]) -> FunctionCall:
    """The `FunctionCall` of a `function_call` item; `MalformedResponseError` when it names no function."""
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise MalformedResponseError(f"a function_call item has no function name (name is {type(name).__name__})")
    arguments = item.get("arguments")
    if isinstance(arguments, (dict, list)):
        arguments = json.dumps(arguments)  # some providers send the arguments object itself, not its text
    item_id = _id(item.get("id"))
    return FunctionCall(
        call_id=_id(item.get("call_id")) or item_id or "", name=name, arguments=_str(arguments), id=item_id
    )


def parse_usage(usage: Any) -> Usage:
    """Token counts and cost; a count or cost of the wrong type (or not finite) is read as unknown (None)."""
    if not isinstance(usage, _MAPPING):
        return Usage()
    input_details = _mapping(usage.get("input_tokens_details"))
    output_details = _mapping(usage.get("output_tokens_details"))
    cost_details = _mapping(usage.get("cost_details"))
    tool_details = _mapping(usage.get("server_tool_use_details"))
    is_byok = usage.get("is_byok")
    return Usage(
        input_tokens=_count(usage.get("input_tokens")),
        output_tokens=_count(usage.get("output_tokens")),
        total_tokens=_count(usage.get("total_tokens")),
        cached_tokens=_count(input_details.get("cached_tokens")),
        cache_write_tokens=_count(input_details.get("cache_write_tokens")),
        reasoning_tokens=_count(output_details.get("reasoning_tokens")),
        cost=_number(usage.get("cost")),
        is_byok=is_byok if isinstance(is_byok, bool) else None,
        upstream_cost=_number(cost_details.get("upstream_inference_cost")),
        input_cost=_number(cost_details.get("upstream_inference_input_cost")),
        output_cost=_number(cost_details.get("upstream_inference_output_cost")),
        server_tool_calls=_count(tool_details.get("tool_calls_executed")),
        web_search_requests=_count(tool_details.get("web_search_requests")),
    )


def build_response(
    requested_model: str,
    body: Mapping[str, Any],
    *,
    output: list[dict[str, Any]] | None = None,
    generation_id: str | None = None,
) -> ModelResponse:
    """A `ModelResponse` from a response object (a JSON body, or the one a terminal stream event carries).

    `output` overrides the body's items: a stream may end with an empty `output` in its terminal event
    while the items arrived one by one in `output_item.done` events. Optional fields of the wrong type are
    read as absent: a complete answer is never lost (or paid for again) over a malformed detail.

    `body` and `output` are JSON parsed by `loads` (the only way `wire` and `models` read it), so the kept
    items are plain JSON without lone surrogates: `output` is a `CheckedList`, which an agent replays and
    records without checking it again.
    """
    raw_items = output if output is not None else body.get("output")
    items = CheckedList(i for i in raw_items if isinstance(i, dict)) if isinstance(raw_items, list) else CheckedList()
    digest = read_output(items)
    incomplete = body.get("incomplete_details")
    reason = incomplete.get("reason") if isinstance(incomplete, _MAPPING) else None
    status = body.get("status")
    metadata = body.get("openrouter_metadata")
    return ModelResponse(
        requested_model=requested_model,
        model=model_name(body.get("model")),
        id=_id(body.get("id")),
        generation_id=generation_id,
        status=status if isinstance(status, str) and status else "completed",
        incomplete_reason=reason if isinstance(reason, str) else None,
        output=items,
        text="".join(digest.text),
        reasoning_text="".join(digest.reasoning_text),
        reasoning_summary="\n\n".join(digest.reasoning_summary),
        reasoning_encrypted=digest.encrypted,
        function_calls=digest.calls,
        citations=digest.citations,
        images=digest.images,
        server_tool_calls=digest.server_tools,
        usage=parse_usage(body.get("usage")),
        openrouter_metadata=metadata if isinstance(metadata, dict) else None,
    )


def _parts(value: Any) -> list[Any]:
    """The parts of a `content` or `summary` field: a bare string is one text part; junk is no part."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [p for p in value if isinstance(p, (str, *_MAPPING))]
    return []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if value is not None and isinstance(value, _MAPPING) else {}


def _part_text(part: Any) -> str:
    return part if isinstance(part, str) else _str(part.get("text"))


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def model_name(value: Any) -> str | None:
    """The served model's name as the server sent it, made safe to show: it reaches the terminal in the footer
    and the "falling back to …" line, so control characters (an escape sequence) become U+FFFD and a name
    past `_NAME_LIMIT` is cut."""
    name = _id(value)
    if name is None or (name.isprintable() and len(name) <= _NAME_LIMIT):
        return name
    name = _CONTROL.sub("\ufffd", name)
    return name if len(name) <= _NAME_LIMIT else name[: _NAME_LIMIT - 1] + "…"


def _id(value: Any) -> str | None:
    """Ids and model names as text: a number is a (strange) id, anything else is no id."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _count(value: Any) -> int | None:
    if type(value) is int:  # the common case, checked without a call (bool is not `int` here)
        return value if value >= 0 else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _number(value: Any) -> float | None:
    if type(value) is float:  # the common case, checked without a call
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
