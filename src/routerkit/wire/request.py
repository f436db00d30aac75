"""What goes out: the request body, and the checks that refuse bad input before anything is sent.

Every check raises `UsageError` with a message that names the parameter and says what is accepted, so a
mistake costs no request and no credits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import UsageError

__all__ = [
    "REASONING_EFFORTS",
    "REASONING_KEYS",
    "build_body",
    "check_input",
    "check_model_id",
    "check_models",
    "check_range",
    "check_reasoning",
]

REASONING_KEYS = ("enabled", "effort", "summary", "max_tokens", "context", "mode")
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
_REASONING_SUMMARIES = ("auto", "concise", "detailed")


def build_body(
    model: str,
    input: str | Sequence[Mapping[str, Any]],
    *,
    stream: bool,
    fields: Mapping[str, Any],
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON body of a `POST /responses`: fields left as None are not sent at all.

    Leaving them out matters: an empty `reasoning: {}` is rejected by some providers, and OpenRouter drops
    parameters a provider does not support only when they are absent.
    """
    body: dict[str, Any] = {"model": model, "input": input if isinstance(input, str) else list(input)}
    for key, value in fields.items():
        if value is not None:
            body[key] = value
    if stream:
        body["stream"] = True
    if extra_body:
        body.update(extra_body)
    return body


def check_model_id(value: object, name: str = "id") -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{name} must be a non-empty model id such as 'openai/gpt-4o', got {value!r}")
    if value != value.strip():
        raise UsageError(f"{name} must not have surrounding whitespace, got {value!r}")
    return value


def check_models(value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise UsageError(
            f"models must be a list of model id strings (fallbacks tried in order), got {type(value).__name__}"
        )
    return [check_model_id(m, f"models[{i}]") for i, m in enumerate(value)]


def check_reasoning(value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise UsageError(f"reasoning must be a dict such as {{'enabled': True}}, got {type(value).__name__}")
    unknown = sorted(set(value) - set(REASONING_KEYS))
    if unknown:
        raise UsageError(f"reasoning has unknown key(s) {unknown}; accepted keys: {', '.join(REASONING_KEYS)}")
    effort = value.get("effort")
    if effort is not None and effort not in REASONING_EFFORTS:
        raise UsageError(f"reasoning['effort'] must be one of {', '.join(REASONING_EFFORTS)}, got {effort!r}")
    summary = value.get("summary")
    if summary is not None and summary not in _REASONING_SUMMARIES:
        raise UsageError(f"reasoning['summary'] must be one of {', '.join(_REASONING_SUMMARIES)}, got {summary!r}")
    enabled = value.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise UsageError(f"reasoning['enabled'] must be True or False, got {enabled!r}")
    max_tokens = value.get("max_tokens")
    if max_tokens is not None and (not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1):
        raise UsageError(f"reasoning['max_tokens'] must be a positive integer, got {max_tokens!r}")
    return dict(value)


def check_range(name: str, value: object, low: float, high: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise UsageError(f"{name} must be a number from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise UsageError(f"{name} must be from {low} to {high}, got {value!r}")
    return float(value)


def check_input(value: object, name: str = "input") -> str | list[dict[str, Any]]:
    """A prompt is text, or a list of Responses input items (dicts with a `type` or a `role`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        items = list(value)
        for i, item in enumerate(items):
            if not isinstance(item, Mapping) or not ("type" in item or "role" in item):
                raise UsageError(
                    f"{name}[{i}] must be a Responses input item (a dict with 'type' or 'role'), got {item!r:.80}"
                )
        return [dict(item) for item in items]
    raise UsageError(f"{name} must be text or a list of Responses input items, got {type(value).__name__}")
