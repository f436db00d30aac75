"""A session store in one SQLite file, safe for several threads and several processes at once.

How the file is opened, locked and kept intact is described in :mod:`routerkit.db._sqlite_tx`; this module
holds the table and its queries.

* **One table, one row per run.** The key is ``(session_id, seq)``: ``seq`` is a per-session sequence number
  (1, 2, 3...) computed as ``MAX(seq) + 1`` *inside* the ``BEGIN IMMEDIATE`` transaction that inserts the row,
  so two processes appending to the same session interleave their runs, each getting the next number, with
  nothing lost or duplicated. Timestamps are only facts; the order of a session is ``seq``.
* **Interrupted runs.** :meth:`SqliteDb.start_run` commits the run as ``"running"`` before the request is
  sent. If the process dies, the row stays ``"running"``. Reading never rewrites it (another process may
  still be working on it and will finish it); instead a ``"running"`` row is *reported* as
  ``"interrupted"`` unless this very :class:`SqliteDb` object started it and has not finished it yet.
* **Items are stored as JSON text** (``ensure_ascii=False``, compact separators), exactly the values given:
  key order and nesting are preserved, and they read back equal. A string holding a lone surrogate cannot be
  encoded as UTF-8, so such a value falls back to ASCII escapes, which still read back identical.
* **Schema** is created on first use and its version recorded in ``PRAGMA user_version``, so a later release
  can migrate old files and an old release refuses a newer file instead of misreading it.
* **Async.** The async twins (``astart_run``...) run the same calls in a worker thread, so a lock held by
  another process, or a slow disk, never stalls the event loop.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from routerkit.errors import UsageError

from ._sqlite_tx import SCHEMA_VERSION, SqliteFile
from ._types import FINAL_STATUSES, SessionInfo, StoredRun
from ._values import FinishedRun, RunRow, sessions_from_rows
from .base import SessionStore

__all__ = ["SCHEMA_VERSION", "SqliteDb"]

_T = TypeVar("_T")
_TABLE_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_COLUMNS = (
    "session_id",
    "seq",
    "run_id",
    "status",
    "input_items",
    "output_items",
    "content",
    "model",
    "metrics",
    "created_at",
    "updated_at",
    "user_id",
)


class SqliteDb(SessionStore, SqliteFile):
    """Conversation history in a SQLite file: ``SqliteDb(db_file="tmp/agent.db")``, as in agno.

    Nothing touches the disk until the first call; the directory, the file and its table are then created if
    needed. One object may be shared by several threads, and several processes may use the same file at once.
    A file that cannot be written is still read. Close it with :meth:`close` or use it as a context manager.
    """

    def __init__(self, db_file: str | os.PathLike[str], *, table_name: str = "routerkit_runs") -> None:
        if not isinstance(db_file, str | os.PathLike):
            raise UsageError(f"db_file must be a path to a SQLite file, got {type(db_file).__name__}")
        text = os.fspath(db_file)
        if not isinstance(text, str) or not text.strip() or "\x00" in text:
            raise UsageError(f"db_file must be a path to a SQLite file, got {db_file!r}")
        try:
            path = Path(text).expanduser()
        except RuntimeError as exc:  # "~someone/..." for an unknown user
            raise UsageError(f"db_file {text!r}: {exc}") from None
        if str(path) in {".", ""}:
            raise UsageError(f"db_file must be a path to a SQLite file, got {text!r}")
        if path.is_dir():
            raise UsageError(f"db_file {str(db_file)!r} is a directory, not a SQLite file")
        if not isinstance(table_name, str) or not _TABLE_NAME_RE.fullmatch(table_name):
            raise UsageError(
                f"table_name must be letters, digits and underscores, not starting with a digit; got {table_name!r}"
            )
        SessionStore.__init__(self)
        self._init_file(path)
        self.table_name = table_name
        self._table = f'"{table_name}"'
        # Runs this object started and has not finished: the only "running" rows it reports as running.
        self._live: set[tuple[str, str]] = set()
        self._user_column = "user_id"  # "NULL" in a read-only file of schema version 1

    def __repr__(self) -> str:
        return f"SqliteDb(db_file={str(self.db_file)!r}, table_name={self.table_name!r})"

    def __enter__(self) -> SqliteDb:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    async def _offload(self, call: Callable[[], _T]) -> _T:
        import asyncio  # here: sync code (the CLI's every command) never needs asyncio

        return await asyncio.to_thread(call)

    # -- schema ------------------------------------------------------------------------------------------

    def _create_or_migrate(self, conn: sqlite3.Connection, version: int) -> None:
        """Bring the table to :data:`SCHEMA_VERSION`; runs inside the setup transaction.

        ``user_version`` describes every routerkit table in the file. Version 0 is a file without routerkit
        tables (new, or used by other software); version 2 added the ``user_id`` column, which a version 1
        table gains here (its runs have no user).
        """
        conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {self._table} (
                session_id   TEXT    NOT NULL,
                seq          INTEGER NOT NULL,
                run_id       TEXT    NOT NULL,
                status       TEXT    NOT NULL,
                input_items  TEXT    NOT NULL,
                output_items TEXT    NOT NULL DEFAULT '[]',
                content      TEXT,
                model        TEXT,
                metrics      TEXT    NOT NULL DEFAULT '{{}}',
                created_at   REAL    NOT NULL,
                updated_at   REAL    NOT NULL,
                user_id      TEXT,
                PRIMARY KEY (session_id, seq),
                UNIQUE (session_id, run_id)
            )"""
        )
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({self._table})")}
        if "user_id" not in columns:
            conn.execute(f"ALTER TABLE {self._table} ADD COLUMN user_id TEXT")
        self._table_ready(conn)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _table_ready(self, conn: sqlite3.Connection) -> bool:
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({self._table})")}
        if not columns:
            return False
        missing = [column for column in _COLUMNS if column not in columns and column != "user_id"]
        # A read-only file written by version 1 has no user_id column: its runs are read without a user.
        self._user_column = "user_id" if "user_id" in columns else "NULL"
        if missing:
            raise UsageError(
                f"table_name {self.table_name!r} in {str(self.db_file)!r} is not a routerkit runs table "
                f"(missing columns: {', '.join(missing)}); choose another table_name"
            )
        return True

    def _after_fork(self) -> None:
        self._live = set()

    # -- queries -----------------------------------------------------------------------------------------

    def _insert_run(self, session_id: str, run_id: str, input_json: str, now: float, user_id: str | None) -> None:
        def insert(conn: sqlite3.Connection) -> None:
            taken = conn.execute(
                f"SELECT 1 FROM {self._table} WHERE session_id = ? AND run_id = ?", (session_id, run_id)
            ).fetchone()
            if taken:
                raise UsageError(f"run_id {run_id!r} is already recorded in session {session_id!r}")
            conn.execute(
                f"""INSERT INTO {self._table}
                    (session_id, seq, run_id, status, input_items, output_items, metrics,
                     created_at, updated_at, user_id)
                    VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM {self._table} WHERE session_id = ?),
                            ?, 'running', ?, '[]', '{{}}', ?, ?, ?)""",
                (session_id, session_id, run_id, input_json, now, now, user_id),
            )

        self._write(insert)
        with self._lock:
            self._live.add((session_id, run_id))

    def _update_run(self, session_id: str, run_id: str, run: FinishedRun) -> None:
        def update(conn: sqlite3.Connection) -> None:
            cursor = conn.execute(
                f"""UPDATE {self._table}
                    SET status = ?, output_items = ?, content = ?, model = ?, metrics = ?, updated_at = ?
                    WHERE session_id = ? AND run_id = ?""",
                (
                    run.status,
                    run.output_json,
                    run.content,
                    run.model,
                    run.metrics_json,
                    run.updated_at,
                    session_id,
                    run_id,
                ),
            )
            if cursor.rowcount == 0:
                raise UsageError(f"run_id {run_id!r} is not recorded in session {session_id!r}; call start_run first")

        self._write(update)
        with self._lock:
            self._live.discard((session_id, run_id))

    def _select_runs(
        self, session_id: str, limit: int | None, wanted: frozenset[str], user_id: str | None
    ) -> list[StoredRun]:
        with self._lock:
            self._connection()  # first, so that after a fork the parent's live runs are already forgotten
            live = sorted(run_id for (sid, run_id) in self._live if sid == session_id)
        marks = ", ".join("?" * len(live))
        conditions: list[str] = []
        params: list[Any] = [session_id]
        for status in sorted(wanted & FINAL_STATUSES):
            conditions.append("status = ?")
            params.append(status)
        if "interrupted" in wanted:
            conditions.append(f"(status = 'running' AND run_id NOT IN ({marks}))")
            params.extend(live)
        if "running" in wanted and live:
            conditions.append(f"(status = 'running' AND run_id IN ({marks}))")
            params.extend(live)
        if not conditions:
            return []
        user_filter = ""
        if user_id is not None:
            user_filter = f" AND {self._user_column} = ?"
            params.append(user_id)
        columns = ", ".join(self._user_column if column == "user_id" else column for column in _COLUMNS)
        sql = (
            f"SELECT {columns} FROM {self._table} "
            f"WHERE session_id = ? AND ({' OR '.join(conditions)}){user_filter} ORDER BY seq DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self._read(lambda conn: conn.execute(sql, params).fetchall() if self._has_table else [])
        live_set = set(live)
        runs = []
        for (
            sid,
            _seq,
            run_id,
            status,
            input_json,
            output_json,
            content,
            model,
            metrics,
            created,
            updated,
            user,
        ) in reversed(rows):
            row = RunRow(sid, run_id, status, input_json, output_json, content, model, metrics, created, updated, user)
            reported = "interrupted" if status == "running" and run_id not in live_set else status
            try:
                runs.append(row.decode(reported))
            except ValueError as exc:
                raise self._error(
                    f"run {run_id!r} of session {session_id!r} in {str(self.db_file)!r} is damaged ({exc}); "
                    "delete the session or move the file aside"
                ) from exc
        return runs

    def _list_sessions(self, user_id: str | None) -> list[SessionInfo]:
        def read(conn: sqlite3.Connection) -> list[tuple[str, float, float, str, str, str | None]]:
            if not self._has_table:
                return []
            user = self._user_column
            where = f"WHERE session_id IN (SELECT session_id FROM {self._table} WHERE {user} = ?)" if user_id else ""
            return conn.execute(
                f"""SELECT session_id, created_at, updated_at, input_items, metrics, {user}
                    FROM {self._table} {where} ORDER BY session_id, seq""",
                (user_id,) if user_id else (),
            ).fetchall()

        return sessions_from_rows(self._read(read))

    def _delete_session(self, session_id: str) -> int:
        deleted: int = self._write(
            lambda conn: conn.execute(f"DELETE FROM {self._table} WHERE session_id = ?", (session_id,)).rowcount
        )
        with self._lock:
            self._live = {key for key in self._live if key[0] != session_id}
        return deleted

    def _add_rows(self, rows: list[RunRow]) -> int:
        def insert(conn: sqlite3.Connection) -> int:
            added = 0
            for row in rows:
                added += conn.execute(
                    f"""INSERT OR IGNORE INTO {self._table}
                        (session_id, seq, run_id, status, input_items, output_items, content, model, metrics,
                         created_at, updated_at, user_id)
                        VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM {self._table} WHERE session_id = ?),
                                ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (
                        row.session_id,
                        row.session_id,
                        row.run_id,
                        row.status,
                        row.input_json,
                        row.output_json,
                        row.content,
                        row.model,
                        row.metrics_json,
                        row.created_at,
                        row.updated_at,
                        row.user_id,
                    ),
                ).rowcount
            return added

        added: int = self._write(insert)
        return added

    def _release(self) -> None:
        self._close_file()
