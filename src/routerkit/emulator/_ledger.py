"""The account side of the emulator: each generation's record (``GET /generation?id=``), the key
(``GET /key``), the credits (``GET /credits``) and the models the account may use (``GET /models/user``),
in OpenRouter's shapes. The ledger keeps the last 4,096 generations; usage adds up what they cost."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

__all__ = ["CREDITS", "Ledger"]

CREDITS = 10.0
"""The emulated account's purchased credits, in USD."""
_KEPT = 4096


class Ledger:
    """Generations by id, and the account's running usage. Thread-safe: the engine may run in a pool."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generations: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self.usage = 0.0

    def reset(self) -> None:
        with self._lock:
            self._generations.clear()
            self.usage = 0.0

    def record(
        self, gen_id: str, model: str, provider: str, usage: dict[str, Any], *, streamed: bool, finish: str
    ) -> None:
        """Note a generation. Its facts are kept as given and shaped into OpenRouter's record only when asked
        for: building the 40-field record for every answer was 7% of the emulator's CPU a request."""
        cost = float(usage.get("cost") or 0.0)
        facts = (gen_id, model, provider, dict(usage), streamed, finish, cost, time.time())
        with self._lock:
            self._generations[gen_id] = facts
            while len(self._generations) > _KEPT:
                self._generations.popitem(last=False)
            self.usage += cost

    def generation(self, gen_id: str) -> dict[str, Any] | None:
        """``GET /generation?id=``'s ``data``, as OpenRouter's ``GenerationResponse`` describes it."""
        with self._lock:
            facts = self._generations.get(gen_id)
        return None if facts is None else _generation_record(*facts)

    def key(self, limit_requests: int | None) -> dict[str, Any]:
        """``GET /key``'s ``data``: a key with a $10 limit and the usage so far."""
        used = round(self.usage, 12)
        return {
            "label": "sk-or-v1-emu...key",
            "limit": CREDITS,
            "limit_remaining": round(CREDITS - used, 12),
            "limit_reset": None,
            "include_byok_in_limit": False,
            "usage": used,
            "usage_daily": used,
            "usage_weekly": used,
            "usage_monthly": used,
            "byok_usage": 0.0,
            "byok_usage_daily": 0.0,
            "byok_usage_weekly": 0.0,
            "byok_usage_monthly": 0.0,
            "is_free_tier": False,
            "is_management_key": False,
            "is_provisioning_key": False,
            "creator_user_id": "user_emulator",
            "expires_at": None,
            "rate_limit": {
                "requests": limit_requests or 1000,
                "interval": "10s",
                "note": "This field is deprecated and safe to ignore.",
            },
        }

    def credits(self) -> dict[str, Any]:
        return {"total_credits": CREDITS, "total_usage": round(self.usage, 12)}


def _generation_record(
    gen_id: str,
    model: str,
    provider: str,
    usage: dict[str, Any],
    streamed: bool,
    finish: str,
    cost: float,
    created: float,
) -> dict[str, Any]:
    details = usage.get("input_tokens_details") or {}
    outputs = usage.get("output_tokens_details") or {}
    tools = usage.get("server_tool_use_details") or {}
    return {
        "id": gen_id,
        "upstream_id": f"chatcmpl-{gen_id[-12:]}",
        "total_cost": cost,
        "cache_discount": None,
        "upstream_inference_cost": None,
        "created_at": datetime.fromtimestamp(created, UTC).isoformat(),
        "model": model,
        "app_id": None,
        "streamed": streamed,
        "cancelled": False,
        "provider_name": provider,
        "latency": 120.0,
        "moderation_latency": None,
        "generation_time": 480.0,
        "finish_reason": finish,
        "service_tier": None,
        "tokens_prompt": usage.get("input_tokens"),
        "tokens_completion": usage.get("output_tokens"),
        "native_tokens_prompt": usage.get("input_tokens"),
        "native_tokens_completion": usage.get("output_tokens"),
        "native_tokens_completion_images": None,
        "native_tokens_reasoning": outputs.get("reasoning_tokens"),
        "native_tokens_cached": details.get("cached_tokens"),
        "num_media_prompt": None,
        "num_input_audio_prompt": None,
        "num_media_completion": None,
        "num_search_results": 2 * int(tools.get("web_search_requests") or 0) or None,
        "num_fetches": None,
        "web_search_engine": "exa" if tools.get("web_search_requests") else None,
        "origin": "",
        "usage": cost,
        "is_byok": False,
        "native_finish_reason": finish,
        "external_user": None,
        "api_type": "completions",
        "preset_id": None,
        "router": None,
        "provider_responses": None,
        "user_agent": None,
        "http_referer": None,
        "data_region": "global",
        "workspace_id": None,
    }
