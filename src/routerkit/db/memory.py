"""`InMemoryDb`: the session store an agent uses when it is given no `db`.

History then lasts as long as the process; the agent code is the same as with `SqliteDb`.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from .base import SessionInfo, StoredRun

__all__ = ["InMemoryDb"]


class InMemoryDb:
    """Runs kept in a dict, in the order they were started."""

    def __init__(self) -> None:
        self._runs: dict[str, dict[str, StoredRun]] = {}

    def start_run(self, session_id: str, run_id: str, input_items: list[dict[str, Any]]) -> None:
        now = time.time()
        self._runs.setdefault(session_id, {})[run_id] = StoredRun(
            run_id, session_id, "running", list(input_items), [], None, None, {}, now, now
        )

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
        run = self._runs[session_id][run_id]
        self._runs[session_id][run_id] = StoredRun(
            run_id,
            session_id,
            status,
            run.input_items,
            list(output_items),
            content,
            model,
            dict(metrics),
            run.created_at,
            time.time(),
        )

    def get_runs(
        self, session_id: str, *, limit: int | None = None, statuses: Collection[str] = ("completed",)
    ) -> list[StoredRun]:
        runs = [run for run in self._runs.get(session_id, {}).values() if run.status in statuses]
        return runs[-limit:] if limit else runs

    def list_sessions(self) -> list[SessionInfo]:
        sessions = []
        for session_id, runs in self._runs.items():
            ordered = list(runs.values())
            first = ordered[0].input_items[0].get("content") if ordered and ordered[0].input_items else None
            sessions.append(
                SessionInfo(
                    session_id=session_id,
                    runs=len(ordered),
                    created_at=ordered[0].created_at,
                    updated_at=max(run.updated_at for run in ordered),
                    total_cost=sum(run.metrics.get("cost") or 0.0 for run in ordered),
                    title=first if isinstance(first, str) else None,
                )
            )
        return sorted(sessions, key=lambda s: s.updated_at, reverse=True)

    def delete_session(self, session_id: str) -> int:
        return len(self._runs.pop(session_id, {}))

    def close(self) -> None:
        self._runs.clear()
