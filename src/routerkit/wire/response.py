"""The finished answer of one Responses call, read from output items.

A streamed and a non-streamed call end in the same `ModelResponse`, built by `build_response` from the
output items: those items are kept exactly as received so the agent can replay them, and everything else
(answer text, reasoning, function calls) is derived from them in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FunctionCall", "ModelResponse", "Usage", "build_response", "is_fallback", "parse_usage", "read_output"]


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
    reasoning_tokens: int | None = None
    cost: float | None = None
    is_byok: bool | None = None


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


#: A dated snapshot suffix: "-2024-08-06" or "-20240806".
_DATED = re.compile(r"-\d{4}-?\d{2}-?\d{2}")


def is_fallback(requested: str, served: str) -> bool:
    """Whether `served` is a different model from `requested`, not the same one under another name.

    The same model: the identical id, a dated snapshot of it (`openai/gpt-4o` → `openai/gpt-4o-2024-08-06`),
    or either with a `:variant` suffix (`:free`, `:online`). A longer name is a different model:
    `openai/gpt-4o-mini` answering for `openai/gpt-4o` is a fallback.
    """
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


def read_output(items: Iterable[Mapping[str, Any]]) -> _OutputDigest:
    """Derive the answer, the reasoning (raw and summaries kept apart) and function calls from items."""
    digest = _OutputDigest()
    for item in items:
        kind = item.get("type")
        if kind == "message":
            content = item.get("content")
            if isinstance(content, str):
                digest.text.append(content)
                continue
            for part in content or ():
                if part.get("type") == "output_text":
                    digest.text.append(part.get("text") or "")
                elif part.get("type") == "refusal":
                    digest.text.append(part.get("refusal") or "")
        elif kind == "reasoning":
            raw = [p.get("text") or "" for p in item.get("content") or () if isinstance(p, Mapping)]
            # The schema says summary parts are objects; OpenRouter's own docs show plain strings.
            summary = [p if isinstance(p, str) else p.get("text") or "" for p in item.get("summary") or ()]
            digest.reasoning_text.extend(t for t in raw if t)
            digest.reasoning_summary.extend(t for t in summary if t)
            if item.get("encrypted_content") and not any(raw) and not any(summary):
                digest.encrypted = True
        elif kind == "function_call":
            digest.calls.append(
                FunctionCall(
                    call_id=item.get("call_id") or item.get("id") or "",
                    name=item.get("name") or "",
                    arguments=item.get("arguments") or "",
                    id=item.get("id"),
                )
            )
    return digest


def parse_usage(usage: Mapping[str, Any] | None) -> Usage:
    if not usage:
        return Usage()
    input_details = usage.get("input_tokens_details") or {}
    output_details = usage.get("output_tokens_details") or {}
    cost = usage.get("cost")
    return Usage(
        input_tokens=usage.get("input_tokens"),
        output_tokens=usage.get("output_tokens"),
        total_tokens=usage.get("total_tokens"),
        cached_tokens=input_details.get("cached_tokens"),
        reasoning_tokens=output_details.get("reasoning_tokens"),
        cost=float(cost) if cost is not None else None,
        is_byok=usage.get("is_byok"),
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
    while the items arrived one by one in `output_item.done` events.
    """
    items = output if output is not None else list(body.get("output") or [])
    digest = read_output(items)
    incomplete = body.get("incomplete_details") or {}
    return ModelResponse(
        requested_model=requested_model,
        model=body.get("model"),
        id=body.get("id"),
        generation_id=generation_id,
        status=body.get("status") or "completed",
        incomplete_reason=incomplete.get("reason"),
        output=items,
        text="".join(digest.text),
        reasoning_text="".join(digest.reasoning_text),
        reasoning_summary="\n\n".join(digest.reasoning_summary),
        reasoning_encrypted=digest.encrypted,
        function_calls=digest.calls,
        usage=parse_usage(body.get("usage")),
        openrouter_metadata=body.get("openrouter_metadata"),
    )
