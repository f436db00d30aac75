"""OpenRouter's capabilities, emulated: web search with cited sources, image output, the date server tool,
prompt caching, and provider preferences that no endpoint can meet.

Each is triggered the way the real service triggers it: web search by an `openrouter:web_search` (or
OpenAI `web_search*`) tool, the deprecated `plugins: [{"id": "web"}]` or a `:online` model suffix; images
by `modalities` holding `"image"` or an `openrouter:image_generation` tool; caching by sending a long
(≥ 1024 tokens) prompt again whose start the cache holds, keyed by model, `prompt_cache_key` or
`session_id` (cache writes are reported for `anthropic/*` when `cache_control` is set, as Anthropic does).
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict
from typing import Any

from ._outcomes import Failure
from ._request import Request

__all__ = [
    "PromptCache",
    "datetime_item",
    "datetime_zone",
    "image_png",
    "provider_failure",
    "search_sources",
    "wants_image",
    "wants_web_search",
]

_SEARCH_TOOLS = ("openrouter:web_search", "web_search", "web_search_preview", "web_search_2025_08_26")
_MIN_CACHED = 1024


def _tool_types(req: Request) -> set[str]:
    tools = req.body.get("tools")
    return {t["type"] for t in tools or [] if isinstance(t, dict) and isinstance(t.get("type"), str)}


def wants_web_search(req: Request, model_id: str) -> bool:
    plugins = req.body.get("plugins")
    web_plugin = any(isinstance(p, dict) and p.get("id") == "web" for p in plugins or [])
    return web_plugin or model_id.endswith(":online") or bool(_tool_types(req) & set(_SEARCH_TOOLS))


def wants_image(req: Request) -> bool:
    modalities = req.body.get("modalities")
    return (isinstance(modalities, list) and "image" in modalities) or "openrouter:image_generation" in _tool_types(req)


def datetime_zone(req: Request) -> str | None:
    """The IANA time zone the `openrouter:datetime` tool asks for ("UTC" when it names none, as OpenRouter's
    default); None without that tool."""
    tools = [t for t in req.body.get("tools") or [] if isinstance(t, dict) and t.get("type") == "openrouter:datetime"]
    if not tools:
        return None
    params = tools[0].get("parameters")
    zone = params.get("timezone") if isinstance(params, dict) else None
    return zone if isinstance(zone, str) and zone else "UTC"


def search_sources(query: str) -> list[tuple[str, str]]:
    """Two made-up but stable sources for `query`: (url, title)."""
    words = [w.strip(".,!?").lower() for w in query.split() if w.strip(".,!?")][:6] or ["search"]
    slug = "-".join(words)
    topic = " ".join(words).capitalize()
    return [
        (f"https://encyclopedia.example.org/wiki/{slug}", f"{topic} — Example Encyclopedia"),
        (f"https://news.example.com/{slug}", f"What we know about {topic.lower()}"),
    ]


def datetime_item(item_id: str, zone: str = "UTC") -> dict[str, Any]:
    """An `openrouter:datetime` output item: a fixed moment (so tests can compare it) in `zone`, an ISO 8601
    string with the zone's offset. A name the time zone database does not know gives UTC (the emulator's
    choice: no recording shows what OpenRouter does then)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 11, 30, 12, tzinfo=UTC)
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError, OSError):  # unknown (ZoneInfoNotFoundError is a KeyError), malformed, unreadable
        zone, local = "UTC", moment
    text = local.isoformat(timespec="milliseconds")
    return {
        "type": "openrouter:datetime",
        "id": item_id,
        "status": "completed",
        "datetime": text.replace("+00:00", "Z") if zone == "UTC" else text,
        "timezone": zone,
    }


def image_png(seed: str, side: int = 64) -> bytes:
    """A small PNG of one colour picked from `seed`: a real image a viewer opens."""
    colour = zlib.crc32(seed.encode()).to_bytes(4, "big")[:3]
    raw = b"".join(b"\x00" + colour * side for _ in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def provider_failure(req: Request, provider: str) -> Failure | None:
    """The 404 OpenRouter answers when `provider.only` / `provider.ignore` rule out the model's provider."""
    prefs = req.body.get("provider")
    if not isinstance(prefs, dict):
        return None
    slug = provider.lower().replace(" ", "-")
    only = prefs.get("only")
    ignored = prefs.get("ignore")
    excluded = (isinstance(only, list) and slug not in [str(p).lower() for p in only]) or (
        isinstance(ignored, list) and slug in [str(p).lower() for p in ignored]
    )
    if not excluded:
        return None
    message = f"No endpoints found that match your provider preferences (only/ignore). This model is served by: {slug}."
    return Failure(404, {"error": {"code": 404, "message": message}})


class PromptCache:
    """What each provider cache holds: the last long prompt per (model, cache key), at most 512 of them."""

    def __init__(self) -> None:
        self._held: OrderedDict[tuple[str, str], str] = OrderedDict()

    def reset(self) -> None:
        self._held.clear()

    def lookup(self, model: str, req: Request, text: str, tokens_of: Any) -> int:
        """Tokens of `text` read from the cache (0 on a miss); `text` is held for the next request."""
        key = (model, _cache_key(req))
        held = self._held.get(key)
        cached = 0
        if held is not None and text.startswith(held):
            cached = tokens_of(held) // 128 * 128  # cached in blocks, as OpenAI reports it
        if tokens_of(text) >= _MIN_CACHED:
            self._held[key] = text
            self._held.move_to_end(key)
            while len(self._held) > 512:
                self._held.popitem(last=False)
        return cached if cached >= _MIN_CACHED else 0


def _cache_key(req: Request) -> str:
    for name in ("prompt_cache_key", "session_id"):
        value = req.body.get(name)
        if isinstance(value, str) and value:
            return value
    return ""
