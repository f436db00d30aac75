"""A session store in one SQLite file, safe for several threads and several processes at once.

Design, and why:

* **One table, one row per run.** The key is ``(session_id, seq)``: ``seq`` is a per-session sequence number
  (1, 2, 3...) computed as ``MAX(seq) + 1`` *inside* the ``BEGIN IMMEDIATE`` transaction that inserts the row.
  ``BEGIN IMMEDIATE`` takes the database's write lock up front, so two processes appending to the same session
  are serialised: their runs interleave, each gets the next number, nothing is lost or duplicated. Timestamps
  are only facts; the order of a session is ``seq``.
* **Durability.** The journal is WAL: a process killed in the middle of a write (even with SIGKILL)
  leaves the last committed transaction intact and the half-written one invisible, and readers never block
  the writer. ``synchronous=NORMAL``: in WAL mode this never corrupts the database; a commit is safe as
  soon as it returns as far as the *process* is concerned (it has been handed to the OS), and only an OS
  crash or power cut can roll back the last few commits. That trade is right for conversation history — it
  avoids an ``fsync`` per run — and ``FULL`` would not make the history any more useful after a power cut.
* **Locks never reach the user.** The connection has a busy timeout (SQLite waits for the lock itself), and
  every transaction is retried with a small, growing, jittered back-off when SQLite still reports "database
  is locked/busy" (cases where the busy handler is not used, such as WAL recovery). Only if the lock stays
  taken for :attr:`SqliteDb.retry_deadline` seconds does a :class:`SessionStoreError` say so, in plain words.
* **Threads.** Each :class:`SqliteDb` opens one connection (lazily, on first use) with
  ``check_same_thread=False`` and serialises its use with a lock. SQLite allows a single writer per file
  anyway, and the store's statements are short, so one connection costs nothing in throughput; a connection
  per thread would leak connections for short-lived worker threads (``asyncio.to_thread``) and leave
  :meth:`close` unable to close them.
  After ``os.fork()`` (multiprocessing's default on Linux) the child opens its own connection on first use.
* **Interrupted runs.** :meth:`SqliteDb.start_run` commits the run as ``"running"`` before the request is
  sent. If the process dies, the row stays ``"running"``. Reading never rewrites it (another process may
  still be working on it and will finish it); instead a ``"running"`` row is *reported* as
  ``"interrupted"`` unless this very :class:`SqliteDb` object started it and has not finished it yet, in
  which case it is reported ``"running"``. A run that is later finished is reported with its final status.
* **Items are stored as JSON text** (``ensure_ascii=False``, compact separators), exactly the values given:
  key order and nesting are preserved, and they read back equal. A string holding a lone surrogate (possible
  after ``json.loads`` of a ``\\ud800`` escape) cannot be encoded as UTF-8, so that one value falls back to
  ASCII escapes, which still read back identical.
* **Schema** is created on first use (``CREATE TABLE IF NOT EXISTS``) and its version recorded in
  ``PRAGMA user_version``, so a later release can migrate old files and an old release refuses a newer file
  instead of misreading it.
* **No secrets.** The API takes session ids, run ids, JSON items, a model *id string* and a metrics dict;
  anything else (a model object, a client, headers) is refused with :class:`~routerkit.errors.UsageError`.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from routerkit.db.base import FINAL_STATUSES, RUN_STATUSES, SessionInfo, SessionStoreError, StoredRun
from routerkit.errors import UsageError

__all__ = ["SCHEMA_VERSION", "SqliteDb"]

#: The layout of routerkit tables this code writes, stored in ``PRAGMA user_version``.
SCHEMA_VERSION = 1

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
)
_TITLE_LENGTH = 60
# SQLITE_BUSY and SQLITE_LOCKED; extended codes keep the primary code in the low byte.
_BUSY_CODES = frozenset({5, 6})


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _BUSY_CODES
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def _to_json(value: Any, what: str) -> str:
    """Compact JSON text for a column; ``what`` names the argument in errors."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise UsageError(
            f"{what} must hold only JSON values (dict, list, str, int, float, bool, None): {exc}"
        ) from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate cannot be stored as UTF-8 text; ASCII escapes read back as the same value.
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text


def _check_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _check_items(items: object, name: str) -> list[Any]:
    if not isinstance(items, list | tuple):
        raise UsageError(f"{name} must be a list of JSON item dicts, got {type(items).__name__}")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise UsageError(
                f"{name}[{index}] must be a dict (the JSON item as sent to or received from the API), "
                f"got {type(item).__name__}"
            )
    return list(items)


def _title_from_items(items: list[Any]) -> str | None:
    """The text of the first user message among ``items``, whitespace collapsed and truncated."""
    for item in items:
        if not isinstance(item, dict) or item.get("role") != "user":
            continue
        if item.get("type", "message") != "message":
            continue
        content = item.get("content")
        if isinstance(content, str):
            text = content
        elif isinstance(content, list):
            text = " ".join(
                part["text"]
                for part in content
                if isinstance(part, dict) and part.get("type") == "input_text" and isinstance(part.get("text"), str)
            )
        else:
            continue
        text = " ".join(text.split())
        if not text:
            continue
        return text if len(text) <= _TITLE_LENGTH else text[: _TITLE_LENGTH - 1].rstrip() + "…"
    return None


def _cost(metrics_json: str) -> float:
    try:
        metrics = json.loads(metrics_json)
    except ValueError:
        return 0.0
    cost = metrics.get("cost") if isinstance(metrics, dict) else None
    if isinstance(cost, int | float) and not isinstance(cost, bool):
        return float(cost)
    return 0.0


class SqliteDb:
    """Conversation history in a SQLite file: ``SqliteDb(db_file="tmp/agent.db")``, as in agno.

    Nothing touches the disk until the first call; the file and its table are then created if needed. One
    object may be shared by several threads, and several processes may use the same file at once. Close it
    with :meth:`close` or use it as a context manager.
    """

    #: How long SQLite itself waits for another connection's lock before reporting "busy" (seconds).
    busy_timeout: float = 5.0
    #: How long, in total, a transaction keeps being retried while the database stays locked (seconds).
    retry_deadline: float = 60.0

    def __init__(self, db_file: str | os.PathLike[str], *, table_name: str = "routerkit_runs") -> None:
        if not isinstance(db_file, str | os.PathLike):
            raise UsageError(f"db_file must be a path to a SQLite file, got {type(db_file).__name__}")
        path = Path(db_file).expanduser()
        if not str(db_file).strip() or str(path) in {".", ""}:
            raise UsageError(f"db_file must be a path to a SQLite file, got {str(db_file)!r}")
        if not path.parent.is_dir():
            raise UsageError(
                f"db_file {str(db_file)!r}: directory {str(path.parent)!r} does not exist; create it first"
            )
        if path.is_dir():
            raise UsageError(f"db_file {str(db_file)!r} is a directory, not a SQLite file")
        if not isinstance(table_name, str) or not _TABLE_NAME_RE.fullmatch(table_name):
            raise UsageError(
                f"table_name must be letters, digits and underscores, not starting with a digit; got {table_name!r}"
            )
        self.db_file = path
        self.table_name = table_name
        self._table = f'"{table_name}"'
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        # Runs this object started and has not finished: the only "running" rows it reports as running.
        self._live: set[tuple[str, str]] = set()
        self._pid = os.getpid()

    def __repr__(self) -> str:
        return f"SqliteDb(db_file={str(self.db_file)!r}, table_name={self.table_name!r})"

    # -- connection and transactions ---------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise UsageError(f"{self!r} is closed")
        if self._pid != os.getpid():
            # A forked child must not use its parent's connection (SQLite forbids carrying one across fork),
            # and the parent's live runs are not the child's. Abandon both, without closing the connection:
            # it belongs to the parent.
            self._pid = os.getpid()
            self._conn = None
            self._live = set()
        if self._conn is None:
            if not self.db_file.parent.is_dir():
                raise UsageError(
                    f"db_file {str(self.db_file)!r}: directory {str(self.db_file.parent)!r} does not exist"
                )
            # isolation_level=None: no implicit transactions; every write is an explicit BEGIN IMMEDIATE.
            conn = sqlite3.connect(
                self.db_file, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
            try:
                self._retry(lambda: self._setup(conn))
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _setup(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")  # persistent in the file; a no-op once set
        conn.execute("PRAGMA synchronous = NORMAL")  # per connection; safe with WAL (see module docstring)
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise SessionStoreError(
                    f"{self.db_file} was written by a newer routerkit (schema version {version}, this "
                    f"version reads up to {SCHEMA_VERSION}); upgrade routerkit or use another db_file"
                )
            self._create_or_migrate(conn, version)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _create_or_migrate(self, conn: sqlite3.Connection, version: int) -> None:
        """Bring the table to :data:`SCHEMA_VERSION`; runs inside the setup transaction.

        ``user_version`` describes every routerkit table in the file. Version 0 is a file without routerkit
        tables (new, or used by other software); future versions add their steps here.
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
                PRIMARY KEY (session_id, seq),
                UNIQUE (session_id, run_id)
            )"""
        )
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({self._table})")}
        missing = [column for column in _COLUMNS if column not in columns]
        if missing:
            raise UsageError(
                f"table_name {self.table_name!r} in {str(self.db_file)!r} is not a routerkit runs table "
                f"(missing columns: {', '.join(missing)}); choose another table_name"
            )
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _retry(self, operation: Callable[[], _T]) -> _T:
        """Run ``operation``, retrying while another connection holds the lock."""
        deadline = time.monotonic() + self.retry_deadline
        delay = 0.005
        while True:
            try:
                return operation()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() + delay > deadline:
                    raise SessionStoreError(
                        f"the session store {str(self.db_file)!r} stayed busy for {self.retry_deadline:g} s: "
                        "another process is holding its write lock"
                    ) from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)

    def _write(self, body: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``body`` in one ``BEGIN IMMEDIATE`` transaction, retried as a whole if the database is busy."""
        with self._lock:
            conn = self._connection()

            def attempt() -> _T:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = body(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                return result

            return self._retry(attempt)

    def _read(self, body: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``body`` in one read transaction (a consistent snapshot), retried if the database is busy."""
        with self._lock:
            conn = self._connection()

            def attempt() -> _T:
                conn.execute("BEGIN")
                try:
                    return body(conn)
                finally:
                    if conn.in_transaction:
                        conn.execute("COMMIT")

            return self._retry(attempt)

    # -- public API --------------------------------------------------------------------------------

    def start_run(self, session_id: str, run_id: str, input_items: list[dict[str, Any]]) -> None:
        """Record a run as ``"running"``, committed before the request is sent.

        Committing first means a run whose process is killed still leaves a trace (reported ``"interrupted"``)
        and the run gets its place in the session now, even if other processes append meanwhile.
        """
        _check_id(session_id, "session_id")
        _check_id(run_id, "run_id")
        items_json = _to_json(_check_items(input_items, "input_items"), "input_items")

        def insert(conn: sqlite3.Connection) -> None:
            now = time.time()
            taken = conn.execute(
                f"SELECT 1 FROM {self._table} WHERE session_id = ? AND run_id = ?", (session_id, run_id)
            ).fetchone()
            if taken:
                raise UsageError(f"run_id {run_id!r} is already recorded in session {session_id!r}")
            conn.execute(
                f"""INSERT INTO {self._table}
                    (session_id, seq, run_id, status, input_items, output_items, metrics,
                     created_at, updated_at)
                    VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM {self._table} WHERE session_id = ?),
                            ?, 'running', ?, '[]', '{{}}', ?, ?)""",
                (session_id, session_id, run_id, items_json, now, now),
            )

        self._write(insert)
        with self._lock:
            self._live.add((session_id, run_id))

    def finish_run(
        self,
        session_id: str,
        run_id: str,
        *,
        status: str,
        output_items: list[dict[str, Any]],
        content: str | None,
        model: str | None,
        metrics: dict[str, Any],
    ) -> None:
        """Record how a run started with :meth:`start_run` ended.

        ``status`` is ``"completed"``, ``"interrupted"`` or ``"error"``. ``output_items`` are the items
        exactly as received from the API (the agent replays them); ``model`` is the id of the model that
        answered, as a string; ``metrics`` is a JSON dict (tokens, cost, ttft, duration...). Finishing a run
        again overwrites what the first finish recorded.
        """
        _check_id(session_id, "session_id")
        _check_id(run_id, "run_id")
        if status not in FINAL_STATUSES:
            raise UsageError(f"status must be one of {', '.join(sorted(FINAL_STATUSES))}; got {status!r}")
        if content is not None and not isinstance(content, str):
            raise UsageError(f"content must be a string or None, got {type(content).__name__}")
        if model is not None and not isinstance(model, str):
            raise UsageError(
                "model must be the id of the model that answered (a string such as 'openai/gpt-4o') "
                "or None, "
                f"not a {type(model).__name__} object"
            )
        if not isinstance(metrics, Mapping):
            raise UsageError(f"metrics must be a dict, got {type(metrics).__name__}")
        output_json = _to_json(_check_items(output_items, "output_items"), "output_items")
        metrics_json = _to_json(dict(metrics), "metrics")

        def update(conn: sqlite3.Connection) -> None:
            cursor = conn.execute(
                f"""UPDATE {self._table}
                    SET status = ?, output_items = ?, content = ?, model = ?, metrics = ?, updated_at = ?
                    WHERE session_id = ? AND run_id = ?""",
                (status, output_json, content, model, metrics_json, time.time(), session_id, run_id),
            )
            if cursor.rowcount == 0:
                raise UsageError(f"run_id {run_id!r} is not recorded in session {session_id!r}; call start_run first")

        self._write(update)
        with self._lock:
            self._live.discard((session_id, run_id))

    def get_runs(
        self,
        session_id: str,
        *,
        limit: int | None = None,
        statuses: Collection[str] = ("completed",),
    ) -> list[StoredRun]:
        """The last ``limit`` runs of the session whose status is in ``statuses``, oldest first.

        By default only completed runs, which is what the agent replays as history. A run still recorded as
        ``"running"`` is reported as ``"interrupted"`` unless this object started it and has not finished it
        (see the module docstring); the row itself is never rewritten by a read.
        """
        _check_id(session_id, "session_id")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise UsageError(f"limit must be a non-negative integer or None, got {limit!r}")
        if isinstance(statuses, str) or not isinstance(statuses, Collection):
            raise UsageError(f"statuses must be a collection of statuses such as ('completed',), got {statuses!r}")
        wanted = set(statuses)
        unknown = wanted - RUN_STATUSES
        if unknown:
            raise UsageError(
                f"statuses may only contain {', '.join(sorted(RUN_STATUSES))}; got {', '.join(sorted(unknown))}"
            )
        if limit == 0 or not wanted:
            return []
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
        sql = (
            f"SELECT {', '.join(_COLUMNS)} FROM {self._table} "
            f"WHERE session_id = ? AND ({' OR '.join(conditions)}) ORDER BY seq DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self._read(lambda conn: conn.execute(sql, params).fetchall())
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
            metrics_json,
            created,
            updated,
        ) in reversed(rows):
            if status == "running" and run_id not in live_set:
                status = "interrupted"
            runs.append(
                StoredRun(
                    run_id=run_id,
                    session_id=sid,
                    status=status,
                    input_items=json.loads(input_json),
                    output_items=json.loads(output_json),
                    content=content,
                    model=model,
                    metrics=json.loads(metrics_json),
                    created_at=created,
                    updated_at=updated,
                )
            )
        return runs

    def list_sessions(self) -> list[SessionInfo]:
        """Every session with its run count, cost and title, most recently updated first."""

        def read(conn: sqlite3.Connection) -> list[SessionInfo]:
            summaries = conn.execute(
                f"""SELECT session_id, COUNT(*), MIN(created_at), MAX(updated_at)
                    FROM {self._table} GROUP BY session_id"""
            ).fetchall()
            costs: dict[str, float] = {}
            titles: dict[str, str] = {}
            rows = conn.execute(f"SELECT session_id, metrics, input_items FROM {self._table} ORDER BY session_id, seq")
            for session_id, metrics_json, input_json in rows:
                costs[session_id] = costs.get(session_id, 0.0) + _cost(metrics_json)
                if session_id not in titles:
                    title = _title_from_items(json.loads(input_json))
                    if title is not None:
                        titles[session_id] = title
            infos = [
                SessionInfo(
                    session_id=session_id,
                    runs=count,
                    created_at=created,
                    updated_at=updated,
                    total_cost=costs.get(session_id, 0.0),
                    title=titles.get(session_id),
                )
                for session_id, count, created, updated in summaries
            ]
            infos.sort(key=lambda info: (info.updated_at, info.session_id), reverse=True)
            return infos

        return self._read(read)

    def delete_session(self, session_id: str) -> int:
        """Delete every run of the session; return how many runs were deleted (0 if there were none)."""
        _check_id(session_id, "session_id")
        deleted = self._write(
            lambda conn: conn.execute(f"DELETE FROM {self._table} WHERE session_id = ?", (session_id,)).rowcount
        )
        with self._lock:
            self._live = {key for key in self._live if key[0] != session_id}
        return deleted

    def close(self) -> None:
        """Close the connection. Safe to call twice; any later call on this object raises ``UsageError``."""
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    def __enter__(self) -> SqliteDb:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
