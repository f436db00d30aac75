"""`routerkit generation ID`, `routerkit key`, `routerkit credits`: the account's facts, from OpenRouter.

Each prints `key: value` lines (the facts people look for first), or OpenRouter's `data` object as JSON
with `--json`.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from ._common import EXIT_OK, build_model, require_key

if TYPE_CHECKING:
    import argparse

#: The fields shown for each command, in order, with how to show them.
_SHOWN = {
    "generation": (
        "id",
        "model",
        "provider_name",
        "total_cost",
        "upstream_inference_cost",
        "cache_discount",
        "tokens_prompt",
        "tokens_completion",
        "native_tokens_prompt",
        "native_tokens_completion",
        "native_tokens_reasoning",
        "native_tokens_cached",
        "num_search_results",
        "latency",
        "generation_time",
        "finish_reason",
        "streamed",
        "created_at",
    ),
    "key": (
        "label",
        "limit",
        "limit_remaining",
        "limit_reset",
        "usage",
        "usage_daily",
        "usage_monthly",
        "is_free_tier",
        "rate_limit",
    ),
    "credits": ("total_credits", "total_usage"),
}


def run(args: argparse.Namespace) -> int:
    require_key()
    model = build_model(args)
    if args.handler == "generation":
        data = model.generation(args.id)
    elif args.handler == "key":
        data = model.key()
    else:
        data = model.credits()
        data = {**data, "remaining": round(float(data.get("total_credits", 0)) - float(data.get("total_usage", 0)), 6)}
    if args.json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    shown = [k for k in _SHOWN[args.handler] if k in data] + [k for k in ("remaining",) if k in data]
    sys.stdout.write("".join(f"{k}: {_value(k, data[k])}\n" for k in shown))
    return EXIT_OK


def _value(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and (
        key.endswith(("cost", "usage", "credits", "limit", "remaining", "discount"))
        or key.startswith(("usage", "limit"))
    ):
        return f"${value:.6f}".rstrip("0").rstrip(".") if value else "$0"
    if key in ("latency", "generation_time") and isinstance(value, int | float):
        return f"{value:g} ms"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if k != "note")
    return str(value)
