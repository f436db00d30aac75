"""The SQLite file under a :class:`~routerkit.db.sqlite.SqliteDb`: opening, transactions, locks and failures.

* **Opening.** Nothing touches the disk until the first call. The file's directory is then created if it is
  missing (agno's examples use ``db_file="tmp/agent.db"``). A path that is a directory, a FIFO or any other
  non-regular file is refused before SQLite opens it (opening a FIFO would block forever).
* **Read-only files.** A file that cannot be written, or whose directory cannot be written (where the WAL
  needs its ``-wal`` and ``-shm`` files), is opened read-only: reading works and a write raises
  :class:`~routerkit.db.base.SessionStoreError`. If the directory is read-only and holds no ``-wal`` file,
  nothing can change the file, so it is opened ``immutable`` (SQLite then needs no ``-shm`` file either).
* **Transactions.** Every write is one ``BEGIN IMMEDIATE`` transaction, which takes the write lock up front,
  so concurrent writers in other processes are serialised instead of failing half-way. Every read is one
  transaction too, a consistent snapshot.
* **Locks never reach the user.** The connection has a busy timeout (SQLite waits for the lock itself), and
  a transaction is retried as a whole with a small, growing, jittered back-off when SQLite still reports
  "database is locked/busy" (cases where the busy handler is not used, such as WAL recovery). Only if the
  lock stays taken for ``retry_deadline`` seconds does a :class:`SessionStoreError` say so, in plain words.
* **Every other SQLite failure** (damaged file, not a database, disk full, I/O error...) becomes a
  :class:`SessionStoreError` naming the file and what to do; SQLite's exception is chained as its cause.
* **Durability.** The journal is WAL with ``synchronous=NORMAL``: a process killed mid-write (even with
  SIGKILL) leaves the last committed transaction intact and the half-written one invisible; only an OS crash
  or power cut can roll back the last few commits, which is the right trade for conversation history.
* **Threads and processes.** One connection per store object (opened lazily, ``check_same_thread=False``),
  used under a lock: SQLite allows one writer per file anyway, and a connection per thread would leak for
  short-lived worker threads. After ``os.fork()`` the child opens its own connection on first use.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from ._types import SessionStoreError

__all__ = ["SCHEMA_VERSION", "SqliteFile"]

#: The layout of routerkit tables this code writes, stored in ``PRAGMA user_version``.
SCHEMA_VERSION = 2

_T = TypeVar("_T")
# SQLite's primary result codes (extended codes keep the primary code in the low byte).
_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
_READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _TOOBIG, _NOTADB = 8, 10, 11, 13, 14, 18, 26


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _is_busy(exc: sqlite3.Error) -> bool:
    code = _primary_code(exc)
    if code is not None:
        return code in _BUSY_CODES
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


class SqliteFile(ABC):
    """Connection, transactions and failure reporting for one SQLite file; the queries live in a subclass.

    The subclass creates or checks its tables in :meth:`_create_or_migrate` (writable files) and
    :meth:`_table_ready` (read-only files), and forgets per-process state in :meth:`_after_fork`.
    """

    #: How long SQLite itself waits for another connection's lock before reporting "busy" (seconds).
    busy_timeout: float = 5.0
    #: How long, in total, a transaction keeps being retried while the database stays locked (seconds).
    retry_deadline: float = 60.0

    def _init_file(self, path: Path) -> None:
        self.db_file = path
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        #: Why the file was opened read-only, or ``None`` while it is writable (or not open yet).
        self._read_only: str | None = None
        #: Whether the subclass's table exists; only ever false in a read-only file.
        self._has_table = True

    @abstractmethod
    def _create_or_migrate(self, conn: sqlite3.Connection, version: int) -> None:
        """Bring the tables to :data:`SCHEMA_VERSION`, inside the setup transaction of a writable file."""

    @abstractmethod
    def _table_ready(self, conn: sqlite3.Connection) -> bool:
        """Whether a read-only file already holds the table (reads of a missing table return nothing)."""

    @abstractmethod
    def _after_fork(self) -> None:
        """Forget what belonged to the parent process."""

    @abstractmethod
    def _check_open(self) -> None:
        """Raise ``UsageError`` if the store is closed."""

    # -- opening -----------------------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        self._check_open()
        if self._pid != os.getpid():
            # A forked child must not use its parent's connection (SQLite forbids carrying one across fork).
            # Abandon it without closing it: it belongs to the parent.
            self._pid = os.getpid()
            self._conn = None
            self._after_fork()
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        path, directory = self.db_file, self.db_file.parent
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:
            raise self._error(f"cannot reach {str(path)!r}: {exc.strerror}; choose another db_file") from exc
        if mode is not None and not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "not a regular file"
            raise self._error(f"{str(path)!r} is {kind}, not a SQLite database file; choose another db_file")
        if mode is None:
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise self._error(
                    f"cannot create the directory {str(directory)!r} for {str(path)!r}: {exc.strerror}; "
                    "choose another db_file"
                ) from exc
        directory_writable = os.access(directory, os.W_OK | os.X_OK)
        if mode is None and not directory_writable:
            raise self._error(f"cannot create {str(path)!r}: its directory is not writable; choose another db_file")
        reasons = [] if mode is None or os.access(path, os.W_OK) else ["the file is not writable"]
        if not directory_writable:
            reasons.append("its directory is not writable")
        self._read_only = " and ".join(reasons) or None
        target, uri = str(path), False
        if self._read_only is not None:
            immutable = not directory_writable and not Path(f"{path}-wal").exists()
            options = "mode=ro&immutable=1" if immutable else "mode=ro"
            target, uri = f"file:{quote(os.fsencode(path.absolute()))}?{options}", True
        try:
            # isolation_level=None: no implicit transactions; every write is an explicit BEGIN IMMEDIATE.
            conn = sqlite3.connect(
                target, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False, uri=uri
            )
        except sqlite3.Error as exc:
            raise self._sqlite_error(exc) from exc
        try:
            self._retry(lambda: self._setup(conn))
        except BaseException:
            conn.close()
            raise
        return conn

    def _setup(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        if self._read_only is not None:
            self._check_version(conn)
            self._has_table = self._table_ready(conn)
            return
        conn.execute("PRAGMA journal_mode = WAL")  # persistent in the file; a no-op once set
        conn.execute("PRAGMA synchronous = NORMAL")  # per connection; safe with WAL (see module docstring)
        if self._check_version(conn) == SCHEMA_VERSION and self._table_ready(conn):
            return  # the usual open: nothing to create, so no write lock to take (a CLI turn opens one each time)
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._create_or_migrate(conn, self._check_version(conn))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _check_version(self, conn: sqlite3.Connection) -> int:
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise self._error(
                f"{str(self.db_file)!r} was written by a newer routerkit (schema version {version}, this "
                f"version reads up to {SCHEMA_VERSION}); upgrade routerkit or use another db_file"
            )
        return version

    # -- transactions ------------------------------------------------------------------------------------

    def _retry(self, operation: Callable[[], _T]) -> _T:
        """Run ``operation``, retrying while another connection holds the lock; other failures become typed."""
        deadline = time.monotonic() + self.retry_deadline
        delay = 0.005
        while True:
            try:
                return operation()
            except sqlite3.Error as exc:
                if not _is_busy(exc):
                    raise self._sqlite_error(exc) from exc
                if time.monotonic() + delay > deadline:
                    raise self._error(
                        f"the session store {str(self.db_file)!r} stayed busy for {self.retry_deadline:g} s: "
                        "another process is holding its write lock"
                    ) from exc
            import random  # here: only a busy database needs it

            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)

    def _write(self, body: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``body`` in one ``BEGIN IMMEDIATE`` transaction, retried as a whole if the database is busy."""
        with self._lock:
            conn = self._connection()
            if self._read_only is not None:
                raise self._error(
                    f"{str(self.db_file)!r} is read-only ({self._read_only}): its runs can be read but no run "
                    "can be recorded; make it writable or choose another db_file"
                )

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

    def _close_file(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    # -- failures ----------------------------------------------------------------------------------------

    def _error(self, message: str) -> SessionStoreError:
        return SessionStoreError(message, path=str(self.db_file))

    def _sqlite_error(self, exc: sqlite3.Error) -> SessionStoreError:
        """SQLite's failure in words a user can act on, naming the file; SQLite's message kept as a fact."""
        name, said, code = repr(str(self.db_file)), f"(SQLite: {exc})", _primary_code(exc)
        if code in (_CORRUPT, _NOTADB):
            return self._error(
                f"{name} is damaged or is not a SQLite database {said}; move it aside and use a new db_file"
            )
        if code == _READONLY:
            return self._error(f"{name} cannot be written {said}; make it writable or choose another db_file")
        if code == _CANTOPEN:
            return self._error(f"{name} cannot be opened {said}; check that it and its directory are accessible")
        if code == _FULL:
            return self._error(f"the disk holding {name} is full {said}; free some space")
        if code == _IOERR:
            return self._error(f"reading or writing {name} failed {said}; check the disk and the file system")
        if code == _TOOBIG or isinstance(exc, sqlite3.DataError):
            return self._error(f"a value is too large to store in {name} {said}")
        return self._error(f"the session store {name} failed {said}")
