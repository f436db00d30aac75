"""Keeping each `ask` and `chat` turn, whatever way it ended: its log entry (`routerkit logs`) and, for `ask`,
its runs in the session store, both through the inbox (:mod:`._inbox`), filed before either store is read."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ._common import EXIT_ERROR, CliError, data_home, error_line, note
from ._inbox import INBOX_FILE, file_inbox, post

if TYPE_CHECKING:
    from routerkit.agent import RunOutput
    from routerkit.db import SqliteDb, StoredRun

    from ._logbook import Logbook
    from ._render import View

__all__ = ["LOG_FILE", "SESSIONS_FILE", "Store", "file_waiting", "logbook", "open_sessions", "record_turn"]

LOG_FILE = "logs.sqlite"
SESSIONS_FILE = "sessions.sqlite"


#: The stores the inbox is filed into.
Store = Literal["log", "sessions"]
_BOTH: tuple[Store, ...] = ("log", "sessions")


@contextlib.contextmanager
def logbook(*, deleting: bool = False) -> Iterator[Logbook]:
    """The log store under ROUTERKIT_HOME, up to date and open for the block. A file SQLite cannot use (not a
    database, truncated, another schema, locked, unreadable) is one line naming the file and what to do, exit 1.

    `deleting`: the block deletes, so the session store must take its waiting turns too; a turn left waiting
    for it would bring a deleted entry back when it is filed later."""
    file_waiting(needed=_BOTH if deleting else ("log",))
    with _logbook() as book:
        yield book


def open_sessions(*, deleting: bool = False) -> SqliteDb:
    """The session store under ROUTERKIT_HOME, with every turn waiting in the inbox filed into it
    (`deleting`: as for :func:`logbook`)."""
    file_waiting(needed=_BOTH if deleting else ("sessions",))
    return _sessions()


def _sessions() -> SqliteDb:
    from routerkit.db.sqlite import SqliteDb

    return SqliteDb(data_home() / SESSIONS_FILE)


@contextlib.contextmanager
def _logbook() -> Iterator[Logbook]:
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
    log: bool = True,
    runs: Sequence[StoredRun] = (),
) -> None:
    """Keep one turn: its log entry unless `log` is false, with the answer and reasoning as shown (all of it on
    success, what arrived otherwise), and `runs`, the session store's new runs when `ask` kept them in memory."""
    if not (log or runs):
        return
    record: dict[str, Any] = {"uid": os.urandom(16).hex(), "log": None}
    if log:
        from ._entry import Entry

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
        record["log"] = entry.as_json()
    if runs:
        from dataclasses import asdict

        record["runs"] = [asdict(run) for run in runs]
    path = data_home() / INBOX_FILE
    try:
        due = post(path, record)
    except OSError as exc:  # the turn was shown; a full or read-only disk must not cost the answer
        note(f"warning: this turn was not kept: cannot write {path}: {exc.strerror or exc}")
        return
    if due:
        try:
            file_waiting()
        except CliError as exc:  # the inbox itself could not be read back
            note(f"warning: {exc}")


class _Unfiled(Exception):
    """The stores the inbox could not be filed into, with why; the inbox is then left as it was (filing it
    again later stores nothing twice)."""

    def __init__(self, failures: dict[Store, CliError]) -> None:
        super().__init__(failures)
        self.failures = failures


def file_waiting(needed: tuple[Store, ...] = ()) -> None:
    """File the turns waiting in the inbox into the session store and the log; a damaged line is set apart,
    with a warning. When a store cannot be used the turns stay waiting: that is the usual one-line error if
    the command `needed` that store, else a warning, so a broken session store does not hide the log, nor a
    broken log the sessions."""
    path = data_home() / INBOX_FILE
    try:
        rejected = file_inbox(path, _file)
    except OSError as exc:
        raise CliError(f"cannot file the turns waiting in {path}: {exc.strerror or exc}", EXIT_ERROR) from None
    except _Unfiled as unfiled:
        for store in needed:
            if store in unfiled.failures:
                raise unfiled.failures[store] from None
        for failure in unfiled.failures.values():
            note(f"warning: the turns waiting in {path} could not be filed yet (they are kept there): {failure}")
        return
    if rejected:
        note(f"warning: {rejected} damaged line{'s' if rejected != 1 else ''} of {path} set apart in {path}.rejected")


def _file(records: list[dict[str, Any]]) -> list[int]:
    """Store the inbox's records, in order; return the indexes of those that are not a turn routerkit wrote."""
    from routerkit.db import SessionStoreError, StoredRun
    from routerkit.errors import UsageError

    from ._entry import Entry

    refused: list[int] = []
    failures: dict[Store, CliError] = {}
    turns: list[tuple[int, str, Entry | None, list[StoredRun]]] = []
    for index, record in enumerate(records):
        try:
            uid, log, runs = record["uid"], record.get("log"), record.get("runs", [])
            if not isinstance(uid, str) or not isinstance(runs, list):
                raise ValueError("not a turn")
            turns.append((index, uid, None if log is None else Entry.from_json(log), [StoredRun(**r) for r in runs]))
        except (KeyError, TypeError, ValueError):
            refused.append(index)
    if any(runs for *_, runs in turns):
        try:
            with _sessions() as db:
                try:
                    db.import_runs(run for *_, runs in turns for run in runs)
                except UsageError:  # a damaged record: nothing was written; import the others one by one
                    for index, _, _, runs in turns:
                        try:
                            db.import_runs(runs)
                        except UsageError:
                            refused.append(index)
        except SessionStoreError as exc:
            failures["sessions"] = CliError(str(exc), EXIT_ERROR)
    entries = [(uid, entry) for index, uid, entry, _ in turns if entry is not None and index not in refused]
    if entries:
        try:
            with _logbook() as book:
                book.file(entries)
        except CliError as exc:
            failures["log"] = exc
    if failures:
        raise _Unfiled(failures)
    return refused
