"""`InMemoryDb`: the session store an agent uses when it is given no `db`.

History then lasts as long as the store object; the agent code is the same as with `SqliteDb`. Runs are kept
as the same JSON text `SqliteDb` writes, so both refuse the same values and read back equal copies that the
caller may change freely. Nothing here waits, so the async twins run directly on the event loop.
"""

from __future__ import annotations

import threading

from routerkit.errors import UsageError

from ._types import SessionInfo, StoredRun
from ._values import FinishedRun, RunRow, sessions_from_rows
from .base import SessionStore

__all__ = ["InMemoryDb"]


class InMemoryDb(SessionStore):
    """Runs kept in a dict per session, in the order they were started; safe to share between threads."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._sessions: dict[str, dict[str, RunRow]] = {}

    def __repr__(self) -> str:
        return f"InMemoryDb(sessions={len(self._sessions)})"

    def _insert_run(self, session_id: str, run_id: str, input_json: str, now: float, user_id: str | None) -> None:
        with self._lock:
            runs = self._sessions.setdefault(session_id, {})
            if run_id in runs:
                raise UsageError(f"run_id {run_id!r} is already recorded in session {session_id!r}")
            runs[run_id] = RunRow(session_id, run_id, "running", input_json, "[]", None, None, "{}", now, now, user_id)

    def _update_run(self, session_id: str, run_id: str, run: FinishedRun) -> None:
        with self._lock:
            runs = self._sessions.get(session_id, {})
            row = runs.get(run_id)
            if row is None:
                raise UsageError(f"run_id {run_id!r} is not recorded in session {session_id!r}; call start_run first")
            runs[run_id] = RunRow(
                session_id,
                run_id,
                run.status,
                row.input_json,
                run.output_json,
                run.content,
                run.model,
                run.metrics_json,
                row.created_at,
                run.updated_at,
                row.user_id,
            )

    def _select_runs(
        self, session_id: str, limit: int | None, wanted: frozenset[str], user_id: str | None
    ) -> list[StoredRun]:
        # Every "running" run here was started by this object and is still going: it is reported as running.
        rows: list[RunRow] = []
        with self._lock:
            for row in reversed(self._sessions.get(session_id, {}).values()):  # newest first: stop at limit
                if row.status in wanted and (user_id is None or row.user_id == user_id):
                    rows.append(row)
                    if len(rows) == limit:
                        break
        return [row.decode(row.status) for row in reversed(rows)]

    def _list_sessions(self, user_id: str | None) -> list[SessionInfo]:
        with self._lock:
            rows = [
                (row.session_id, row.created_at, row.updated_at, row.input_json, row.metrics_json, row.user_id)
                for runs in self._sessions.values()
                if user_id is None or any(row.user_id == user_id for row in runs.values())
                for row in runs.values()
            ]
        return sessions_from_rows(rows)

    def _delete_session(self, session_id: str) -> int:
        with self._lock:
            return len(self._sessions.pop(session_id, {}))

    def _add_rows(self, rows: list[RunRow]) -> int:
        added = 0
        with self._lock:
            for row in rows:
                runs = self._sessions.setdefault(row.session_id, {})
                if row.run_id not in runs:
                    runs[row.run_id] = row
                    added += 1
        return added

    def _release(self) -> None:
        with self._lock:
            self._sessions.clear()
