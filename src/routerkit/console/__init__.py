"""Terminal rendering of an agent run: live markdown, reasoning, tool calls, a usage footer, errors.

`RunPrinter` is driven with plain values (text deltas, tool names, a `RunSummary`, an exception).
`RunPrinter(console)` is a `LivePrinter` on a terminal (finished markdown blocks are printed once to the
scrollback and only a bounded preview of the open block is redrawn, so streaming an answer costs time linear
in its length) and a `PlainPrinter` elsewhere (the answer written as plain text as it arrives).
`PlainPrinter.split` is the CLI's pipe-clean printer: the answer alone on stdout, the rest on stderr.

Importing this package imports neither rich nor the agent; each name is loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from routerkit.console._facts import RunSummary, format_cost
    from routerkit.console._live import LivePrinter
    from routerkit.console._plain import PlainPrinter
    from routerkit.console._printer import RenderStats, RunPrinter, clean_text
    from routerkit.console._run import aprint_run, items_text, print_run, run_notes, run_summary

__all__ = [
    "LivePrinter",
    "PlainPrinter",
    "RenderStats",
    "RunPrinter",
    "RunSummary",
    "aprint_run",
    "clean_text",
    "format_cost",
    "items_text",
    "print_run",
    "run_notes",
    "run_summary",
]

_HOMES = {
    "LivePrinter": "_live",
    "PlainPrinter": "_plain",
    "RenderStats": "_printer",
    "RunPrinter": "_printer",
    "RunSummary": "_facts",
    "clean_text": "_printer",
    "format_cost": "_facts",
    "aprint_run": "_run",
    "items_text": "_run",
    "print_run": "_run",
    "run_notes": "_run",
    "run_summary": "_run",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
