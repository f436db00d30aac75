"""Writing one `ask` or `chat` turn to the log (`routerkit logs`), whatever way the turn ended."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._common import EXIT_ERROR, CliError, data_home, error_line, note

if TYPE_CHECKING:
    from routerkit.agent import RunOutput

    from ._logbook import Logbook
    from ._render import View

__all__ = ["LOG_FILE", "logbook", "record_turn"]

LOG_FILE = "logs.sqlite"


@contextlib.contextmanager
def logbook() -> Iterator[Logbook]:
    """The log store under ROUTERKIT_HOME, open for the block. A file SQLite cannot use (not a database,
    truncated, another schema, locked, unreadable) is one line naming the file and what to do, exit 1."""
    import sqlite3

    from ._logbook import Logbook

    path = data_home() / LOG_FILE
    try:
        book = Logbook(path)
        try:
            yield book
        finally:
            book.close()
    except sqlite3.Error as exc:
        raise CliError(
            f"the log {path} cannot be used ({exc}): move it away (e.g. to {path.name}.bad) to start a new one, "
            "or stop logging with `routerkit logs off`",
            EXIT_ERROR,
        ) from None


def record_turn(
    *,
    command: str,
    prompt: str,
    system: str | None,
    model_requested: str,
    session_id: str | None,
    view: View,
    started: float,
    output: RunOutput | None,
    error: BaseException | None,
    reasoning: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> None:
    """Log one turn: the answer and reasoning as shown (all of it on success, what arrived otherwise)."""
    from ._logbook import Entry

    entry = Entry(
        prompt=prompt,
        model_requested=model_requested,
        command=command,
        session_id=session_id,
        system=system,
        attachments=attachments or [],
        answer="".join(view.answer) or None,
        reasoning="".join(view.reasoning_text) or None,
        duration=round(time.perf_counter() - started, 3),
        reasoning_setting=json.dumps(reasoning) if reasoning else None,
    )
    if output is not None:
        metrics = output.metrics
        if isinstance(output.content, str) and output.content:
            entry.answer = output.content
        entry.reasoning = output.reasoning_content or entry.reasoning
        entry.model_served = output.model
        entry.input_tokens, entry.output_tokens = metrics.input_tokens, metrics.output_tokens
        entry.reasoning_tokens, entry.cost = metrics.reasoning_tokens, metrics.cost
        # the log's words for agno's statuses: a cancelled turn is "interrupted", as the session store says
        entry.status = "interrupted" if output.status == "CANCELLED" else str(output.status).lower()
    if error is not None:
        entry.status = "interrupted" if isinstance(error, KeyboardInterrupt) else "error"
        entry.error = error_line(error)
    try:
        with logbook() as book:
            book.add(entry)
    except CliError as exc:  # the turn was shown; a broken log must not cost the answer
        note(f"warning: this turn was not logged: {exc}")
