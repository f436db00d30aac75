"""The seam between `Agent.print_response` and the terminal.

Showing a run is the console layer's job, and the console depends on the agent (it shows run events), so
the agent must not import it. The agent names the module that shows runs and the two functions it expects
there (`RunShower`); the module is loaded only when something is printed.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from rich.console import Console

    from ._events import RunOutputEvent
    from .run import RunOutput

__all__ = ["RunShower", "shower"]

#: The module that provides `print_run` and `aprint_run` (routerkit's console layer).
SHOWER_MODULE = "routerkit.console"


class RunShower(Protocol):
    """Shows a run's events as they arrive and returns the run's output (None when it never ended)."""

    def print_run(
        self,
        events: Iterator[RunOutputEvent],
        message: str | Sequence[dict[str, Any]],
        *,
        markdown: bool,
        stream: bool,
        show_message: bool,
        show_reasoning: bool,
        console: Console | None,
    ) -> RunOutput | None: ...

    async def aprint_run(
        self,
        events: AsyncIterator[RunOutputEvent],
        message: str | Sequence[dict[str, Any]],
        *,
        markdown: bool,
        stream: bool,
        show_message: bool,
        show_reasoning: bool,
        console: Console | None,
    ) -> RunOutput | None: ...


def shower() -> RunShower:
    """The console's implementation, loaded on first use."""
    return cast(RunShower, importlib.import_module(SHOWER_MODULE))
