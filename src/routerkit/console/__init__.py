"""Terminal rendering of an agent run: live markdown, reasoning, tool calls, a usage footer, errors.

`RunPrinter` is driven with plain values (text deltas, tool names, a `RunSummary`, an exception). Finished
markdown blocks are printed once to the scrollback and only the open block is redrawn, so streaming an
answer costs time linear in its length. On a non-terminal output the answer is written as plain text.

Importing this package does not import rich; `RunPrinter` is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from routerkit.console._facts import RunSummary

if TYPE_CHECKING:
    from routerkit.console._printer import RunPrinter

__all__ = ["RunPrinter", "RunSummary"]


def __getattr__(name: str) -> Any:
    if name == "RunPrinter":
        from routerkit.console._printer import RunPrinter

        return RunPrinter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
