"""The emulator's model ids: parsing ``emulator/<family>[-N][@MS]``, prices and the ``/models`` listing.

The id families are a contract other code relies on; see the package docstring for the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ModelSpec", "context_length", "list_models", "price", "provider_name", "resolve"]

# USD per token: (prompt, completion).
_PRICES: dict[str, tuple[float, float]] = {
    "openai/gpt-oss-20b": (0.00000003, 0.00000014),
    "openai/gpt-4o": (0.0000025, 0.00001),
    "openai/gpt-4o-mini": (0.00000015, 0.0000006),
    "openai/gpt-5-nano": (0.00000005, 0.0000004),
    "anthropic/claude-sonnet-4.5": (0.000003, 0.000015),
    "google/gemini-2.5-flash": (0.0000003, 0.0000025),
    "google/gemini-2.5-flash-image": (0.0000003, 0.00003),
}
_EMULATOR_PRICE = (0.0000001, 0.0000004)

_REALISTIC: dict[str, tuple[str, str, int]] = {
    # id: (display name, persona, context length)
    "openai/gpt-oss-20b": ("OpenAI: gpt-oss-20b", "raw-reasoning", 131072),
    "openai/gpt-4o": ("OpenAI: GPT-4o", "chat", 128000),
    "openai/gpt-4o-mini": ("OpenAI: GPT-4o-mini", "chat", 128000),
    "openai/gpt-5-nano": ("OpenAI: GPT-5 Nano", "summary-encrypted", 400000),
    "anthropic/claude-sonnet-4.5": ("Anthropic: Claude Sonnet 4.5", "chat", 1000000),
    "google/gemini-2.5-flash": ("Google: Gemini 2.5 Flash", "chat", 1048576),
    "google/gemini-2.5-flash-image": ("Google: Gemini 2.5 Flash Image", "chat", 32768),
}
#: Models that take images in, and those that make images (`modalities: ["image", "text"]`).
_IMAGE_IN = {"openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash"}
_IMAGE_OUT = {"google/gemini-2.5-flash-image"}

#: Router ids and the model each routes to (OpenRouter's choice, fixed here so tests can name it).
_ROUTED = {
    "openrouter/auto": "openai/gpt-4o-mini",
    "~openai/gpt-latest": "openai/gpt-4o",
    "@preset/emulator": "openai/gpt-4o",
}

_FIXED = {
    "echo",
    "reasoning",
    "reasoning-summary",
    "reasoning-encrypted",
    "tool",
    "json",
    "unavailable",
    "stall",
    "truncate",
    "error-event",
    "failed",
    "incomplete",
    "html-502",
    "fail-429-ms",
    "fail-429-none",
    "fail-503-in-400",
}
_OPENAI_STYLE = frozenset({"reasoning", "reasoning-summary", "reasoning-encrypted"})
_PACE = re.compile(r"^(?P<base>.+)@(?P<ms>\d+)$")
_FAIL = re.compile(r"^fail-(?P<status>[1-5]\d\d)$")
_NUM = re.compile(r"^(?P<family>markdown|flaky|slow)-(?P<n>\d+)$")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A parsed model id. ``family`` is the behaviour; ``n`` its parameter; ``pace_ms`` the ``@MS``."""

    id: str
    base: str
    family: str
    n: int = 0
    status: int = 0
    pace_ms: int = 0
    persona: str = ""

    @property
    def fails_pre_stream(self) -> bool:
        return self.family in ("fail", "unavailable", "html-502")

    @property
    def openai_upstream(self) -> bool:
        """Served as by OpenAI: with ``store`` false it cannot look up an ``rs_`` reasoning item sent back
        without ``encrypted_content``. The ``openai/*`` ids and the emulator's reasoning ids are."""
        return self.base.startswith("openai/") or self.family in _OPENAI_STYLE


def resolve(model_id: str) -> ModelSpec | None:
    """Parse ``model_id``; ``None`` if the emulator does not serve it."""
    if not isinstance(model_id, str):
        return None
    pace = 0
    base = model_id
    m = _PACE.match(model_id)
    if m:
        base, pace = m["base"], int(m["ms"])
    if base in _ROUTED:  # a router: another model answers, and the response names it
        return ModelSpec(_ROUTED[base], _ROUTED[base], "realistic", pace_ms=pace, persona=_REALISTIC[_ROUTED[base]][1])
    plain = base.split(":", 1)[0]  # a variant (`:online`, `:free`, …) is served by the same model
    if plain in _REALISTIC:
        return ModelSpec(model_id, plain, "realistic", pace_ms=pace, persona=_REALISTIC[plain][1])
    if not base.startswith("emulator/"):
        return None
    name = base.removeprefix("emulator/")
    if name in _FIXED:
        if name.startswith("fail-429"):
            return ModelSpec(model_id, base, "fail", status=429, pace_ms=pace, persona=name[8:])
        if name == "fail-503-in-400":
            return ModelSpec(model_id, base, "fail", status=400, pace_ms=pace, persona="503-in-400")
        return ModelSpec(model_id, base, name, pace_ms=pace)
    m = _FAIL.match(name)
    if m:
        return ModelSpec(model_id, base, "fail", status=int(m["status"]), pace_ms=pace)
    m = _NUM.match(name)
    if m:
        return ModelSpec(model_id, base, m["family"], n=int(m["n"]), pace_ms=pace)
    return None


def context_length(model: str) -> int | None:
    """A realistic id's context length in tokens (what `/models` lists); None for the emulator's own ids."""
    known = _REALISTIC.get(model)
    return known[2] if known else None


def price(model: str) -> tuple[float, float]:
    """(prompt, completion) USD per token for a base model id."""
    return _PRICES.get(model, _EMULATOR_PRICE)


def provider_name(model: str) -> str:
    if model.startswith("openai/gpt-oss"):
        return "Groq"
    return {
        "openai": "OpenAI",
        "anthropic": "Anthropic",
        "google": "Google AI Studio",
    }.get(model.split("/", 1)[0], "Emulator")


_LISTED_EMULATOR = [
    ("echo", "Echoes the last user message back, one word per delta."),
    ("markdown-100", "A markdown document in N deltas of about 10 bytes (emulator/markdown-N)."),
    ("reasoning", "Raw reasoning_text deltas, then an answer."),
    ("reasoning-summary", "Reasoning summary deltas, then an answer."),
    ("reasoning-encrypted", "An encrypted reasoning item, then an answer; replays are verified."),
    ("tool", "Calls the request's function tools with schema-valid arguments; then uses the outputs."),
    ("json", "Answers with JSON valid for the requested text.format json_schema."),
    ("fail-429", "Always 429 with Retry-After: 1 (emulator/fail-<STATUS> for any status)."),
    ("fail-429-ms", "Always 429 with retry-after-ms: 200."),
    ("fail-429-none", "Always 429 without retry headers."),
    ("fail-502", "Always 502 Provider returned error."),
    ("fail-503-in-400", "HTTP 400 whose error.code is 503."),
    ("unavailable", "503: no available provider."),
    ("html-502", "A 502 HTML error page."),
    ("flaky-2", "503 for the first N sends of a given input, then answers (emulator/flaky-N)."),
    ("stall", "Three deltas, then silence with the connection open."),
    ("truncate", "Three deltas, then the connection closes without a terminal event."),
    ("error-event", "Three deltas, then an error event."),
    ("failed", "Three deltas, then response.failed."),
    ("incomplete", "Three deltas, then response.incomplete (max_output_tokens)."),
]

_PARAMS = [
    "temperature",
    "top_p",
    "max_tokens",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
    "structured_outputs",
]


def _entry(model_id: str, name: str, description: str, context: int, reasoning: bool, created: int) -> dict[str, Any]:
    prompt, completion = price(model_id)
    params = [*_PARAMS, "reasoning", "include_reasoning"] if reasoning else list(_PARAMS)
    author = model_id.split("/", 1)[0]
    tokenizer = {"openai": "GPT", "anthropic": "Claude", "google": "Gemini"}.get(author, "Other")
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "hugging_face_id": None,
        "name": name,
        "created": created,
        "description": description,
        "context_length": context,
        "architecture": {
            "modality": ("text+image" if model_id in _IMAGE_IN | _IMAGE_OUT else "text")
            + ("->text+image" if model_id in _IMAGE_OUT else "->text"),
            "input_modalities": ["text", "image"] if model_id in _IMAGE_IN | _IMAGE_OUT else ["text"],
            "output_modalities": ["text", "image"] if model_id in _IMAGE_OUT else ["text"],
            "tokenizer": tokenizer,
            "instruct_type": None,
        },
        "pricing": {
            "prompt": f"{prompt:.10f}".rstrip("0").rstrip("."),
            "completion": f"{completion:.10f}".rstrip("0").rstrip("."),
            "request": "0",
            "image": "0",
            "web_search": "0",
            "internal_reasoning": "0",
        },
        "top_provider": {"context_length": context, "max_completion_tokens": 16384, "is_moderated": False},
        "per_request_limits": None,
        "supported_parameters": params,
        "default_parameters": None,
        "supported_voices": None,
        "knowledge_cutoff": None,
        "expiration_date": None,
        "links": {"details": f"/api/v1/models/{model_id}/endpoints"},
    }


def list_models() -> dict[str, Any]:
    """The ``GET /api/v1/models`` body (OpenRouter's ``ModelsListResponse`` shape)."""
    data = []
    for i, (mid, (name, persona, ctx)) in enumerate(_REALISTIC.items()):
        desc = f"{name} (served offline by the routerkit emulator)."
        data.append(_entry(mid, name, desc, ctx, persona != "chat", 1720000000 + i * 86400))
    for i, (suffix, desc) in enumerate(_LISTED_EMULATOR):
        mid = f"emulator/{suffix}"
        reasoning = suffix.startswith("reasoning")
        data.append(_entry(mid, f"Emulator: {suffix}", desc, 131072, reasoning, 1750000000 + i))
    return {"data": data, "total_count": len(data), "links": {"next": None}}
