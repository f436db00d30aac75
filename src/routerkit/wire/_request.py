"""What goes out: the request body, and the checks that refuse bad input before anything is sent.

Every check raises `UsageError` with a message that names the parameter and says what is accepted, so a
mistake costs no request and no credits.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ._errors import UsageError
from ._json import scrub_text

__all__ = [
    "REASONING_EFFORTS",
    "REASONING_KEYS",
    "CheckedList",
    "build_body",
    "check_api_key",
    "check_header_values",
    "check_input",
    "check_json",
    "check_model_id",
    "check_models",
    "check_range",
    "check_reasoning",
    "check_seconds",
    "check_tool_controls",
    "encode_body",
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
    body.update({key: value for key, value in fields.items() if value is not None})
    if stream:
        body["stream"] = True
    if extra_body:
        extra = dict(extra_body)
        if isinstance(extra.get("tools"), list) and isinstance(body.get("tools"), list):
            extra["tools"] = body["tools"] + extra["tools"]  # added to the agent's tools, never replacing them
        body.update(extra)
    return body


_encode_body = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def encode_body(body: Mapping[str, Any]) -> bytes:
    """The body as UTF-8 JSON. Text holding lone surrogates (from a bad decode upstream) is sent with U+FFFD
    in their place: it cannot be encoded as it is, and one odd character is no reason to refuse the call."""
    try:
        text = _encode_body(body)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"the request holds a value JSON cannot carry ({exc})") from None
    try:
        return text.encode()
    except UnicodeEncodeError:
        return scrub_text(text).encode()


class CheckedList(list[Any]):
    """A list of JSON values already checked where they entered (`check_json`, `check_input`): a request
    takes it as it is instead of walking it again. An agent sends its tools and its run's items this way, so
    a run's requests do not re-check what the run already vouched for (the tool schemas, items it checked or
    parsed from JSON)."""

    __slots__ = ()


def check_json(name: str, value: object) -> None:
    """Refuse anything `json` could not send faithfully: objects, bytes, sets, NaN, non-text keys.

    Iterative, so a deeply nested value is refused by its depth rather than crashing with `RecursionError`.
    Every request checks its tools and input items, so plain values take a walk that builds no paths; only
    a value it cannot vouch for is walked again to name what is wrong. Text, None and a `CheckedList` need
    no walk.
    """
    kind = type(value)
    if kind is str or value is None or kind is CheckedList or _plain_json(value):
        return
    stack: list[tuple[str, object, int]] = [(name, value, 0)]
    while stack:
        path, item, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise UsageError(f"{path} is nested deeper than {_MAX_DEPTH} levels")
        if item is None or isinstance(item, (str, bool, int)):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise UsageError(f"{path} must be a finite number (JSON has no NaN or Infinity), got {item!r}")
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise UsageError(f"{path} has a key {key!r:.40} of type {type(key).__name__}; JSON keys are text")
                stack.append((f"{path}[{key!r}]", child, depth + 1))
        elif isinstance(item, (list, tuple)):
            stack.extend((f"{path}[{i}]", child, depth + 1) for i, child in enumerate(item))
        else:
            raise UsageError(
                f"{path} must hold only JSON values (text, numbers, True/False/None, lists, dicts), "
                f"got {type(item).__name__}"
            )


_MAX_DEPTH = 200


def _plain_json(value: object) -> bool:
    """True if `value` is built only of exact dicts with text keys, lists, text, ints, bools, None and finite
    floats, within `_MAX_DEPTH`; False means "ask `check_json`'s full walk", never that the value is bad."""
    pending: list[tuple[list[Any] | dict[str, Any], int]] = [([value], -1)]
    while pending:
        container, depth = pending.pop()
        if depth >= _MAX_DEPTH:
            return False
        if type(container) is dict:
            for key in container:
                if type(key) is not str:
                    return False
            children: Any = container.values()
        else:
            children = container
        for child in children:
            kind = type(child)
            if kind is str or kind is int or kind is bool or child is None:
                continue
            if kind is float:
                if not math.isfinite(child):
                    return False
            elif kind is dict or kind is list:
                pending.append((child, depth + 1))
            else:
                return False
    return True


def check_api_key(value: object, source: str) -> str:
    """The key with surrounding whitespace removed (a pasted newline is common); refused if it still holds
    anything an HTTP header cannot carry. The message never repeats the key."""
    if not isinstance(value, str):
        raise UsageError(f"{source} must be text, got {type(value).__name__}")
    key = value.strip()
    for position, char in enumerate(key):
        if not " " <= char <= "~":
            what = "a non-ASCII character" if ord(char) > 127 else "a control character"
            raise UsageError(
                f"{source} holds {what} at position {position}; an API key is printable ASCII "
                "(copy it again from https://openrouter.ai/keys)"
            )
    return key


def check_header_values(name: str, headers: object) -> dict[str, str]:
    """Extra headers as a str → str dict of printable ASCII (values are never quoted in the message)."""
    if not isinstance(headers, Mapping):
        raise UsageError(f"{name} must be a dict of header names to text values, got {type(headers).__name__}")
    checked: dict[str, str] = {}
    for key, value in headers.items():
        if not isinstance(key, str) or not key or not all("!" <= c <= "~" and c != ":" for c in key):
            raise UsageError(f"{name} has an invalid header name {key!r:.60}")
        if not isinstance(value, str) or not all(" " <= c <= "~" for c in value.strip()):
            raise UsageError(f"{name}[{key!r}] must be printable ASCII text (value not shown)")
        checked[key] = value.strip()
    return checked


def check_seconds(name: str, value: object) -> float:
    """A positive, finite number of seconds (NaN would mean no limit at all, a string would fail late)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise UsageError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


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


_TOOL_CHOICES = ("auto", "none", "required")


def check_tool_controls(tool_choice: object, parallel_tool_calls: object, max_tool_calls: object) -> None:
    """`tool_choice`, `parallel_tool_calls` and `max_tool_calls`, as the Responses API accepts them."""
    if tool_choice is not None and tool_choice not in _TOOL_CHOICES:
        if not isinstance(tool_choice, Mapping) or not isinstance(tool_choice.get("type"), str):
            raise UsageError(
                "tool_choice must be 'auto', 'none', 'required' or a dict such as "
                f"{{'type': 'function', 'name': 'get_weather'}}, got {tool_choice!r:.80}"
            )
        if tool_choice["type"] == "function" and not isinstance(tool_choice.get("name"), str):
            raise UsageError(f"tool_choice {{'type': 'function'}} needs the function's 'name', got {tool_choice!r:.80}")
        check_json("tool_choice", tool_choice)
    if parallel_tool_calls is not None and not isinstance(parallel_tool_calls, bool):
        raise UsageError(f"parallel_tool_calls must be True, False or None, got {parallel_tool_calls!r}")
    if max_tool_calls is not None and (
        not isinstance(max_tool_calls, int) or isinstance(max_tool_calls, bool) or not 1 <= max_tool_calls <= 30
    ):
        raise UsageError(f"max_tool_calls must be an integer from 1 to 30 (OpenRouter's limit), got {max_tool_calls!r}")


def check_reasoning(value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise UsageError(f"reasoning must be a dict such as {{'enabled': True}}, got {type(value).__name__}")
    unknown = sorted(str(k) for k in set(value) - set(REASONING_KEYS))
    if unknown:
        from ._options import closest

        raise UsageError(
            f"reasoning has unknown key(s) {unknown}{closest(unknown[0], list(REASONING_KEYS))}; "
            f"accepted keys: {', '.join(REASONING_KEYS)}"
        )
    for key, accepted in (("context", ("auto", "all_turns", "current_turn")), ("mode", ("standard", "pro"))):
        if value.get(key) is not None and value[key] not in accepted:
            raise UsageError(f"reasoning[{key!r}] must be one of {', '.join(accepted)}, got {value[key]!r}")
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
    """A prompt is text, or a list of Responses input items (dicts with a `type` or a `role`); a
    `CheckedList` of items was checked where its items entered and is taken as it is."""
    if isinstance(value, str) or type(value) is CheckedList:
        return value
    # Exact lists and dicts are tried first: `isinstance` against the ABCs alone runs abc's Python-level check.
    if isinstance(value, (list, tuple, Sequence)) and not isinstance(value, (bytes, bytearray)):
        items = list(value)
        for i, item in enumerate(items):
            if not isinstance(item, (dict, Mapping)) or not ("type" in item or "role" in item):
                raise UsageError(
                    f"{name}[{i}] must be a Responses input item (a dict with 'type' or 'role'), got {item!r:.80}"
                )
        check_json(name, items)
        return [dict(item) for item in items]
    raise UsageError(f"{name} must be text or a list of Responses input items, got {type(value).__name__}")
