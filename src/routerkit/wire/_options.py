"""OpenRouter's option objects checked before sending: `provider`, `plugins`, server tool parameters.

OpenRouter declares these objects closed (`additionalProperties: false`) and rejects a request with an
unknown key or value — after it was sent. Here each is checked against the fields and values of the
published schema, and a typo is refused with a `UsageError` that names the closest valid key. The tables
are small and hand-kept; a test compares them with the OpenAPI document.

A rule is one of: a kind name (`"bool"`, `"int"`, `"number"`, `"str"`, `"strs"`, `"object"`), a tuple of
accepted values, a list holding one tuple (a list of those values), a dict (a nested closed object), or an
`Either` of rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from ._errors import UsageError

__all__ = [
    "PLUGINS",
    "PROVIDER",
    "SERVER_TOOL_PARAMETERS",
    "Either",
    "check_object",
    "check_plugins",
    "check_provider",
    "closest",
]


@dataclass(frozen=True, slots=True)
class Either:
    """A value any of `rules` accepts."""

    rules: tuple[Rule, ...]


Rule: TypeAlias = str | tuple[Any, ...] | list[tuple[Any, ...]] | dict[str, Any] | Either

_SORTS = ("price", "throughput", "latency", "exacto")
_QUANTIZATIONS = ("int4", "int8", "fp4", "mxfp4", "nvfp4", "fp6", "fp8", "mxfp8", "fp16", "bf16", "fp32", "unknown")
_PERCENTILES: dict[str, Rule] = {"p50": "number", "p75": "number", "p90": "number", "p99": "number"}
_PRICE: Rule = Either(("str", "number"))

PROVIDER: dict[str, Rule] = {
    "allow_fallbacks": "bool",
    "require_parameters": "bool",
    "data_collection": ("allow", "deny"),
    "zdr": "bool",
    "enforce_distillable_text": "bool",
    "order": "strs",
    "only": "strs",
    "ignore": "strs",
    "quantizations": [_QUANTIZATIONS],
    "sort": Either((_SORTS, {"by": _SORTS, "partition": ("model", "none")})),
    "max_price": {"prompt": _PRICE, "completion": _PRICE, "image": _PRICE, "audio": _PRICE, "request": _PRICE},
    "preferred_max_latency": Either(("number", _PERCENTILES)),
    "preferred_min_throughput": Either(("number", _PERCENTILES)),
}

_SEARCH_MODES = ("instant", "fast", "auto", "deep-lite", "deep", "deep-reasoning", "turbo", "basic", "advanced")
_ROUTER_TIERS = ("low", "medium", "high", "xhigh", "max")

PLUGINS: dict[str, dict[str, Rule]] = {
    "web": {
        "enabled": "bool",
        "engine": ("native", "exa", "firecrawl", "parallel", "perplexity"),
        "max_results": "int",
        "max_uses": "int",
        "mode": _SEARCH_MODES,
        "search_prompt": "str",
        "include_domains": "strs",
        "exclude_domains": "strs",
        "user_location": "object",
    },
    "web-fetch": {
        "allowed_domains": "strs",
        "blocked_domains": "strs",
        "max_content_tokens": "int",
        "max_uses": "int",
    },
    "file-parser": {"enabled": "bool", "pdf": "object"},
    "response-healing": {"enabled": "bool"},
    "moderation": {},
    "context-compression": {"enabled": "bool", "engine": ("middle-out",)},
    "auto-router": {
        "enabled": "bool",
        "allowed_models": "strs",
        "excluded_models": "strs",
        "cost_quality_tradeoff": "int",
        "cost_tier": _ROUTER_TIERS,
        "pin_model": "bool",
    },
    "auto-beta-router": {
        "enabled": "bool",
        "allowed_models": "strs",
        "excluded_models": "strs",
        "cost_quality_tradeoff": "int",
        "cost_tier": _ROUTER_TIERS,
    },
    "pareto-router": {
        "enabled": "bool",
        "max_price": "number",
        "min_coding_score": "number",
        "price_source": ("prompt", "weighted_avg"),
    },
    "fusion": {
        "enabled": "bool",
        "analysis_models": "strs",
        "max_tool_calls": "int",
        "model": "str",
        "preset": ("general-high", "general-budget", "general-fast"),
        "tools": "object",
    },
}

SERVER_TOOL_PARAMETERS: dict[str, dict[str, Rule]] = {
    "openrouter:web_search": {
        "max_results": "int",
        "max_total_results": "int",
        "max_uses": "int",
        "max_characters": "int",
        "engine": ("native", "exa", "parallel", "firecrawl", "perplexity", "auto"),
        "mode": _SEARCH_MODES,
        "search_context_size": ("low", "medium", "high"),
        "allowed_domains": "strs",
        "excluded_domains": "strs",
        "user_location": "object",
    },
    "openrouter:web_fetch": {
        "max_uses": "int",
        "max_content_tokens": "int",
        "engine": ("auto", "native", "openrouter", "exa", "parallel", "firecrawl"),
        "allowed_domains": "strs",
        "blocked_domains": "strs",
    },
    "openrouter:datetime": {"timezone": "str"},
}


def closest(word: str, choices: list[str]) -> str:
    """` (did you mean 'x'?)` for the choice nearest `word`, or nothing when none is near."""
    from difflib import get_close_matches  # only on the error path

    near = get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def check_provider(value: object) -> dict[str, Any] | None:
    """OpenRouter's `provider` preferences, checked; `max_price` numbers are sent as the text the schema asks."""
    if value is None:
        return None
    checked = check_object("provider", value, PROVIDER)
    prices = checked.get("max_price")
    if isinstance(prices, Mapping):
        checked["max_price"] = {k: v if isinstance(v, str) else f"{v:g}" for k, v in prices.items()}
    return checked


def check_plugins(value: object) -> list[dict[str, Any]] | None:
    """OpenRouter's `plugins`: a list of `{"id": …, <that plugin's settings>}`."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise UsageError(f"plugins must be a list of dicts such as [{{'id': 'web'}}], got {type(value).__name__}")
    checked = []
    for index, plugin in enumerate(value):
        name = f"plugins[{index}]"
        if not isinstance(plugin, Mapping) or not isinstance(plugin.get("id"), str):
            raise UsageError(f"{name} must be a dict with an 'id' such as {{'id': 'web'}}, got {plugin!r:.80}")
        ident = plugin["id"]
        if ident not in PLUGINS:
            raise UsageError(
                f"{name}['id'] {ident!r:.60} is not an OpenRouter plugin{closest(ident, list(PLUGINS))}; "
                f"accepted: {', '.join(PLUGINS)}"
            )
        rest = check_object(name, {k: v for k, v in plugin.items() if k != "id"}, PLUGINS[ident])
        checked.append({"id": ident, **rest})
    return checked


def check_object(name: str, value: object, spec: Mapping[str, Rule]) -> dict[str, Any]:
    """`value` as a dict, if every key is in `spec` and every value passes its rule (None means unset)."""
    if not isinstance(value, Mapping):
        raise UsageError(f"{name} must be a dict, got {type(value).__name__}")
    for key, item in value.items():
        if key not in spec:
            shown = key if isinstance(key, str) else repr(key)
            raise UsageError(
                f"{name} has an unknown key {shown!r:.60}{closest(str(key), list(spec))}; "
                f"accepted keys: {', '.join(spec) or 'none'}"
            )
        if item is not None and not _passes(f"{name}[{key!r}]", item, spec[key]):
            raise UsageError(f"{name}[{key!r}] must be {_describe(spec[key])}, got {item!r:.80}")
    return dict(value)


def _passes(name: str, value: Any, rule: Rule) -> bool:
    if isinstance(rule, Either):
        return any(_passes_quietly(name, value, r) for r in rule.rules)
    if isinstance(rule, dict):
        check_object(name, value, rule)
        return True
    if isinstance(rule, tuple):
        return isinstance(value, str) and value in rule
    if isinstance(rule, list):
        return isinstance(value, list) and all(isinstance(v, str) and v in rule[0] for v in value)
    return _KINDS[rule](value)


def _passes_quietly(name: str, value: Any, rule: Rule) -> bool:
    try:
        return _passes(name, value, rule)
    except UsageError:
        return False


def _describe(rule: Rule) -> str:
    if isinstance(rule, Either):
        return " or ".join(_describe(r) for r in rule.rules)
    if isinstance(rule, dict):
        return f"a dict with keys {', '.join(rule)}"
    if isinstance(rule, tuple):
        return "one of " + ", ".join(repr(v) for v in rule)
    if isinstance(rule, list):
        return "a list of " + ", ".join(repr(v) for v in rule[0])
    return _KIND_NAMES[rule]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_KINDS: dict[str, Callable[[Any], bool]] = {
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "number": _is_number,
    "str": lambda v: isinstance(v, str),
    "strs": lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
    "object": lambda v: isinstance(v, Mapping),
}
_KIND_NAMES = {
    "bool": "True or False",
    "int": "a whole number ≥ 0",
    "number": "a finite number",
    "str": "text",
    "strs": "a list of strings",
    "object": "a dict",
}
