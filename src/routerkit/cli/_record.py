"""Writing one `ask` or `chat` turn to the log (`routerkit logs`), whatever way the turn ended."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from ._common import data_home, error_line, note

if TYPE_CHECKING:
    from routerkit.agent import RunOutput

    from ._logbook import Logbook
    from ._render import View

__all__ = ["LOG_FILE", "open_logbook", "record_turn"]

LOG_FILE = "logs.sqlite"


def open_logbook() -> Logbook:
    """The log store under ROUTERKIT_HOME."""
    from ._logbook import Logbook

    return Logbook(data_home() / LOG_FILE)


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
    import sqlite3

    try:
        book = open_logbook()
        try:
            book.add(entry)
        finally:
            book.close()
    except (sqlite3.Error, OSError) as exc:  # the turn was shown; a broken log must not cost the answer
        note(f"warning: this turn was not logged ({exc}); `routerkit logs off` stops logging")
