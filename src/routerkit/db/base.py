"""What a session store holds, the interface every store offers, and the front they share.

OpenRouter's Responses API is stateless: it does not remember earlier turns. The agent therefore keeps the
conversation client-side and replays earlier runs as input items. A store records, for each run (one
``agent.run(message)``), the input items it sent and the output items exactly as the API returned them
(including reasoning items with ``encrypted_content``, which must be sent back unchanged), plus a few facts
about the run. It never receives a model object, headers or configuration, so it cannot hold an API key.

Every store subclasses :class:`SessionStore`, which checks the arguments and encodes the values once for all of
them, and gives each call an async twin (``astart_run``...) that never blocks the event loop on storage.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeVar

from routerkit.errors import UsageError

from ._types import FINAL_STATUSES, RUN_STATUSES, SessionInfo, SessionStoreError, StoredRun
from ._values import (
    FinishedRun,
    RunRow,
    check_id,
    check_limit,
    check_statuses,
    check_user_id,
    finished_run,
    imported_row,
    items_json,
)

__all__ = [
    "FINAL_STATUSES",
    "RUN_STATUSES",
    "SessionInfo",
    "SessionStore",
    "SessionStoreError",
    "StoredRun",
]

_T = TypeVar("_T")


class SessionStore(ABC):
    """The interface the agent uses, and the front every store shares: checks here, storage in the subclass.

    ``InMemoryDb`` (the agent's default) and ``SqliteDb`` subclass it; so can a test double or another back
    end. Checking in one place means a bad argument gets the same :class:`~routerkit.errors.UsageError` from every
    store, before anything is written. Subclasses implement the ``_insert_run``... hooks, which receive checked
    values (items already as JSON text), and may override :meth:`_offload` to move blocking work off the event
    loop for the async twins.
    """

    def __init__(self) -> None:
        self._closed = False
        self._clock_lock = threading.Lock()
        self._last_time = 0.0

    # -- what a store implements -------------------------------------------------------------------------

    @abstractmethod
    def _insert_run(self, session_id: str, run_id: str, input_json: str, now: float, user_id: str | None) -> None:
        """Store a new ``"running"`` run; ``UsageError`` if the session already has ``run_id``."""

    @abstractmethod
    def _update_run(self, session_id: str, run_id: str, run: FinishedRun) -> None:
        """Record how a run ended; ``UsageError`` if the run was never started."""

    @abstractmethod
    def _select_runs(
        self, session_id: str, limit: int | None, wanted: frozenset[str], user_id: str | None
    ) -> list[StoredRun]:
        """The last ``limit`` runs whose reported status is in ``wanted`` (non-empty), oldest first; only the
        runs of ``user_id`` when it is given."""

    @abstractmethod
    def _list_sessions(self, user_id: str | None) -> list[SessionInfo]:
        """Every session's summary (only those with a run of ``user_id`` when given), most recently updated
        first."""

    @abstractmethod
    def _delete_session(self, session_id: str) -> int:
        """Delete the session's runs; return how many there were."""

    @abstractmethod
    def _add_rows(self, rows: list[RunRow]) -> int:
        """Append the runs whose ``(session_id, run_id)`` the store does not hold yet, as they are, in order;
        return how many were added."""

    @abstractmethod
    def _release(self) -> None:
        """Free what the store holds; called once by :meth:`close`."""

    async def _offload(self, call: Callable[[], _T]) -> _T:
        """Run a blocking call for an async twin; directly here, for stores that never wait."""
        return call()

    # -- the public API ----------------------------------------------------------------------------------

    def start_run(
        self, session_id: str, run_id: str, input_items: list[dict[str, Any]], *, user_id: str | None = None
    ) -> None:
        """Record a run as ``"running"`` before its request is sent, with the user it is for (if any).

        Recording first means a run whose process dies still leaves a trace (reported ``"interrupted"`` by
        a store that outlives the process), and the run takes its place in the session now.
        """
        self._check_open()
        check_id(session_id, "session_id")
        check_id(run_id, "run_id")
        user = check_user_id(user_id)
        self._insert_run(session_id, run_id, items_json(input_items, "input_items"), self._now(), user)

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
        self._check_open()
        check_id(session_id, "session_id")
        check_id(run_id, "run_id")
        run = finished_run(
            status=status, output_items=output_items, content=content, model=model, metrics=metrics, now=self._now()
        )
        self._update_run(session_id, run_id, run)

    def get_runs(
        self,
        session_id: str,
        *,
        limit: int | None = None,
        statuses: Collection[str] = ("completed",),
        user_id: str | None = None,
    ) -> list[StoredRun]:
        """The last ``limit`` runs of the session whose status is in ``statuses``, oldest first; with
        ``user_id``, only that user's runs.

        ``limit=None`` returns them all and ``limit=0`` none. By default only completed runs, which is what
        the agent replays as history. A ``"running"`` run is reported ``"running"`` only by the store object
        that started it and has not finished it yet; anywhere else it is ``"interrupted"``.
        """
        self._check_open()
        check_id(session_id, "session_id")
        wanted_limit = check_limit(limit)
        wanted = check_statuses(statuses)
        user = check_user_id(user_id)
        if wanted_limit == 0 or not wanted:
            return []
        return self._select_runs(session_id, wanted_limit, wanted, user)

    def list_sessions(self, user_id: str | None = None) -> list[SessionInfo]:
        """Every session with its run count, cost, title and user, most recently updated first; with
        ``user_id``, only the sessions with a run of that user."""
        self._check_open()
        return self._list_sessions(check_user_id(user_id))

    def delete_session(self, session_id: str) -> int:
        """Delete every run of the session; return how many runs were deleted (0 if there were none)."""
        self._check_open()
        check_id(session_id, "session_id")
        return self._delete_session(session_id)

    def import_runs(self, runs: Iterable[StoredRun]) -> int:
        """Add runs read from another store (``get_runs`` of an ``InMemoryDb``, another file...), with their
        ids, times, status and user; return how many were added.

        A run the session already holds is left as it is, so importing the same runs twice adds them once.
        Every run is checked before anything is written: one bad value adds none. Imported runs follow the
        session's existing runs, in the order given.
        """
        self._check_open()
        rows = [imported_row(run) for run in runs]
        return self._add_rows(rows) if rows else 0

    def close(self) -> None:
        """Release the store. Safe to call twice; any later call on this object raises ``UsageError``."""
        if not self._closed:
            self._closed = True
            self._release()

    async def astart_run(
        self, session_id: str, run_id: str, input_items: list[dict[str, Any]], *, user_id: str | None = None
    ) -> None:
        """:meth:`start_run` for async code: the event loop keeps running while the store works or waits."""
        await self._offload(lambda: self.start_run(session_id, run_id, input_items, user_id=user_id))

    async def afinish_run(
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
        """:meth:`finish_run` for async code."""
        await self._offload(
            lambda: self.finish_run(
                session_id,
                run_id,
                status=status,
                output_items=output_items,
                content=content,
                model=model,
                metrics=metrics,
            )
        )

    async def aget_runs(
        self,
        session_id: str,
        *,
        limit: int | None = None,
        statuses: Collection[str] = ("completed",),
        user_id: str | None = None,
    ) -> list[StoredRun]:
        """:meth:`get_runs` for async code."""
        return await self._offload(lambda: self.get_runs(session_id, limit=limit, statuses=statuses, user_id=user_id))

    # -- helpers -----------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise UsageError(f"{self!r} is closed")

    def _now(self) -> float:
        """The wall clock, but strictly increasing for this store, so the order of activity survives ties."""
        with self._clock_lock:
            self._last_time = max(time.time(), self._last_time + 1e-6)
            return self._last_time
