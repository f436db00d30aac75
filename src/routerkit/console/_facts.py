"""The facts the printer shows, as plain data and plain strings (no rich here).

`RunSummary` is what the agent hands over at the end of a run. `summary_parts` and `error_facts` turn a
summary or an exception into short labelled strings; the printer decides how to style them.
"""

from __future__ import annotations

from dataclasses import dataclass

from routerkit.errors import APIError, OutputValidationError

__all__ = [
    "RunSummary",
    "answer_notes",
    "error_facts",
    "error_partial_text",
    "format_bytes",
    "format_cost",
    "format_seconds",
    "summary_parts",
]


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The footer's facts about one run."""

    #: The model the caller asked for (the first of the fallback list).
    requested_model: str
    #: The model that actually answered; differs from `requested_model` after a fallback.
    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    reasoning_tokens: int | None
    #: USD, as OpenRouter reports it in `usage.cost`.
    cost: float | None
    #: Seconds from sending the request to the first answer or reasoning token.
    time_to_first_token: float | None
    #: Seconds for the whole run.
    duration: float | None
    #: "completed", "incomplete", "interrupted", "error", or for a paused run what it awaits ("paused: 1 tool
    #: call awaits confirmation").
    status: str = "completed"
    #: Whether a fallback answered; None means "compare `model` with `requested_model`".
    fallback_used: bool | None = None
    #: Whether a router id (`openrouter/auto`, `@preset/…`, `~…`) chose `model`: "routed to", not a fallback.
    routed: bool = False
    #: Prompt tokens read from and written to the provider's prompt cache.
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    #: The prompt's and the answer's share of `cost` (OpenRouter's `cost_details`).
    input_cost: float | None = None
    output_cost: float | None = None


def format_cost(cost: float) -> str:
    """Dollars with enough digits to see sub-cent costs: `$0.000123`, `$0.0421`, `$1.2345`."""
    if cost == 0:
        return "$0"
    if abs(cost) < 0.01:
        return f"${cost:.6f}"
    return f"${cost:.4f}"


def format_seconds(seconds: float) -> str:
    """A duration as people read it: `0.42 s`, `12.3 s`, `2 min 5 s`."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s"


def summary_parts(s: RunSummary) -> list[tuple[str, str]]:
    """The footer as (kind, text) parts; kinds: status, model, fallback (or routing), tokens (with cache
    reads and writes), cost (with its input/output split), time."""
    parts: list[tuple[str, str]] = []
    if s.status != "completed":
        parts.append(("status", s.status))
    fallback = s.fallback_used if s.fallback_used is not None else s.model not in (None, s.requested_model)
    if s.routed:  # a router's choice is expected, not a fallback: "openrouter/auto · routed to openai/gpt-4o"
        parts.append(("model", s.requested_model))
        parts.append(("fallback", f"routed to {s.model}"))
    else:
        parts.append(("model", s.model or s.requested_model))
    if not s.routed and fallback:
        parts.append(("fallback", f"↪ fallback from {s.requested_model}"))
    tokens: list[str] = []
    if s.input_tokens is not None:
        cache = [
            f"{n:,} {what}" for n, what in ((s.cache_read_tokens, "cached"), (s.cache_write_tokens, "cache write")) if n
        ]
        tokens.append(f"{s.input_tokens:,} in" + (f" ({', '.join(cache)})" if cache else ""))
    if s.output_tokens is not None:
        out = f"{s.output_tokens:,} out"
        if s.reasoning_tokens:
            out += f" ({s.reasoning_tokens:,} reasoning)"
        tokens.append(out)
    elif s.reasoning_tokens:
        tokens.append(f"{s.reasoning_tokens:,} reasoning")
    if tokens:
        parts.append(("tokens", "tokens " + " / ".join(tokens)))
    if s.cost is not None:
        split = ""
        cached = s.cache_read_tokens or s.cache_write_tokens
        if cached and s.input_cost is not None and s.output_cost is not None:  # shows what caching saved
            split = f" (in {format_cost(s.input_cost)} / out {format_cost(s.output_cost)})"
        parts.append(("cost", format_cost(s.cost) + split))
    if s.time_to_first_token is not None:
        parts.append(("time", f"TTFT {format_seconds(s.time_to_first_token)}"))
    if s.duration is not None:
        parts.append(("time", f"total {format_seconds(s.duration)}"))
    return parts


def format_bytes(size: int) -> str:
    """A size as people read it: `812 B`, `240 KB`, `3.1 MB`."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def answer_notes(
    searched: list[str], sources: list[tuple[str | None, str]], images: list[tuple[str, int, str | None]]
) -> list[str]:
    """The lines after an answer: what the server searched for, the numbered Sources it cites (title and URL,
    each URL once) and the images it generated (type and size; nothing is saved)."""
    lines = []
    if searched:
        lines.append("searched: " + "; ".join(searched))
    if sources:
        lines.append("Sources:")
        lines += [
            f"  [{i}] {title} — {url}" if title else f"  [{i}] {url}" for i, (title, url) in enumerate(sources, 1)
        ]
    if images:
        shown = [f"{mime}, {format_bytes(size)}" if size else f"{mime}, {url}" for mime, size, url in images]
        lines.append(f"{len(images)} image{'s' if len(images) > 1 else ''} ({'; '.join(shown)})")
    return lines


def error_facts(exc: BaseException) -> tuple[str, list[str]]:
    """A title and the lines that say what went wrong, for any exception."""
    if isinstance(exc, APIError):
        facts: list[str] = []
        if exc.status is not None:
            facts.append(f"HTTP {exc.status}")
        if exc.code is not None and exc.code != exc.status:
            facts.append(f"code {exc.code}")
        lines = [" · ".join(facts)] if facts else []
        lines.append(exc.message or "(no message)")
        if exc.models:
            label = "model" if len(exc.models) == 1 else "models"
            lines.append(f"{label}: {', '.join(exc.models)}")
        if exc.retry_after is not None:
            lines.append(f"retry after {format_seconds(exc.retry_after)}")
        if exc.generation_id:
            lines.append(f"generation: {exc.generation_id}")
        return exc.kind, lines
    if isinstance(exc, KeyboardInterrupt):
        return "Interrupted", ["stopped by the user"]
    return type(exc).__name__, [str(exc) or repr(exc)]


def error_partial_text(exc: BaseException) -> str:
    """The answer text an exception kept, if any."""
    if isinstance(exc, APIError):
        return exc.partial_text or ""
    if isinstance(exc, OutputValidationError):
        return exc.raw_text or ""
    return ""
