"""`routerkit models [QUERY]`: OpenRouter's model list, cached on disk for an hour."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import EXIT_OK, KEY_ENV, data_home, note, stdout_is_terminal

if TYPE_CHECKING:
    import argparse

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
CACHE_SECONDS = 3600


def base_url_of(args: argparse.Namespace) -> str:
    return (args.base_url or os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def cache_file(base_url: str) -> Path:
    digest = hashlib.sha256(base_url.encode()).hexdigest()[:16]
    return data_home() / "cache" / f"models-{digest}.json"


def read_cache(path: Path) -> tuple[float, list[dict[str, Any]]] | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return float(payload["fetched_at"]), list(payload["data"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_cache(path: Path, base_url: str, data: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"base_url": base_url, "fetched_at": time.time(), "data": data}), encoding="utf-8")
    os.replace(tmp, path)


def fetch(base_url: str) -> list[dict[str, Any]]:
    from routerkit.models import list_models

    return list_models(base_url=base_url, api_key=os.environ.get(KEY_ENV))


def load_models(base_url: str, *, refresh: bool) -> list[dict[str, Any]]:
    """The model list: from the cache when it is less than an hour old, else fetched (and cached).
    When fetching fails and an older cache exists, that is used with a warning."""
    path = cache_file(base_url)
    cached = read_cache(path)
    if cached and not refresh and time.time() - cached[0] < CACHE_SECONDS:
        return cached[1]
    try:
        data = fetch(base_url)
    except Exception as exc:
        from routerkit.errors import APIConnectionError, APITimeoutError

        if cached and isinstance(exc, APIConnectionError | APITimeoutError):
            minutes = (time.time() - cached[0]) / 60
            note(f"warning: could not fetch the model list ({exc}); showing the cached one from {minutes:.0f} min ago")
            return cached[1]
        raise
    write_cache(path, base_url, data)
    return data


def _price(value: Any) -> float | None:
    """USD per million tokens from OpenRouter's per-token price string; None if unknown or variable."""
    try:
        per_token = float(value)
    except (TypeError, ValueError):
        return None
    return None if per_token < 0 else round(per_token * 1_000_000, 6)


def _modalities(m: dict[str, Any], key: str) -> list[str]:
    architecture = m.get("architecture")
    found = architecture.get(key) if isinstance(architecture, dict) else None
    return [x for x in found if isinstance(x, str)] if isinstance(found, list) else ["text"]


def rows_of(
    data: list[dict[str, Any]],
    query: str | None,
    *,
    modality: str | None = None,
    tools: bool = False,
    reasoning: bool = False,
) -> list[dict[str, Any]]:
    """One row per model matching `query` (id or name) and the filters: `modality` among its input or output
    modalities, tool support, reasoning support."""
    q = (query or "").lower()
    rows = []
    for m in data:
        name = m.get("name") or ""
        if q and q not in m["id"].lower() and q not in str(name).lower():
            continue
        params = m.get("supported_parameters") or []
        pricing = m.get("pricing") or {}
        inputs, outputs = _modalities(m, "input_modalities"), _modalities(m, "output_modalities")
        if (modality and modality not in inputs + outputs) or (tools and "tools" not in params):
            continue
        if reasoning and "reasoning" not in params:
            continue
        rows.append(
            {
                "id": m["id"],
                "name": name,
                "context_length": m.get("context_length"),
                "prompt_per_million": _price(pricing.get("prompt")),
                "completion_per_million": _price(pricing.get("completion")),
                "reasoning": "reasoning" in params,
                "tools": "tools" in params,
                "input": "+".join(inputs),
                "output": "+".join(outputs),
            }
        )
    rows.sort(key=lambda r: r["id"])
    return rows


def _money(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "free"
    return f"${value:,.2f}" if value >= 0.01 else f"${value:.4f}"


def run(args: argparse.Namespace) -> int:
    base_url = base_url_of(args)
    rows = rows_of(
        load_models(base_url, refresh=args.refresh),
        args.query,
        modality=getattr(args, "modality", None),
        tools=getattr(args, "tools", False),
        reasoning=getattr(args, "reasoning", False),
    )
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not rows:
        note(f"no model matches {args.query!r}" if args.query else "the model list is empty")
        return EXIT_OK
    yes = {True: "yes", False: "-"}
    if stdout_is_terminal():
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("model")
        table.add_column("context", justify="right")
        table.add_column("$/M in", justify="right")
        table.add_column("$/M out", justify="right")
        table.add_column("reasoning", justify="center")
        table.add_column("tools", justify="center")
        table.add_column("in")
        table.add_column("out")
        for r in rows:
            ctx = f"{r['context_length']:,}" if isinstance(r["context_length"], int) else "-"
            table.add_row(
                r["id"],
                ctx,
                _money(r["prompt_per_million"]),
                _money(r["completion_per_million"]),
                yes[r["reasoning"]],
                yes[r["tools"]],
                r["input"],
                r["output"],
            )
        Console().print(table)
        note(f"{len(rows)} model{'s' if len(rows) != 1 else ''} · prices in USD per million tokens")
    else:
        out = ["id\tcontext_length\tprompt_per_million\tcompletion_per_million\treasoning\ttools\tinput\toutput"]
        for r in rows:
            cells = [
                r["id"],
                "" if r["context_length"] is None else str(r["context_length"]),
                "" if r["prompt_per_million"] is None else f"{r['prompt_per_million']:g}",
                "" if r["completion_per_million"] is None else f"{r['completion_per_million']:g}",
                yes[r["reasoning"]],
                yes[r["tools"]],
                r["input"],
                r["output"],
            ]
            out.append("\t".join(cells))
        sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK
