"""What a session store holds and the interface every store offers.

OpenRouter's Responses API is stateless: it does not remember earlier turns. The agent therefore keeps the
conversation client-side and replays earlier runs as input items. A store records, for each run (one
``agent.run(message)``), the input items it sent and the output items exactly as the API returned them
(including reasoning items with ``encrypted_content``, which must be sent back unchanged), plus a few facts
about the run. It never receives a model object, headers or configuration, so it cannot hold an API key.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from routerkit.errors import RouterkitError

__all__ = [
    "FINAL_STATUSES",
    "RUN_STATUSES",
    "SessionInfo",
    "SessionStore",
    "SessionStoreError",
    "StoredRun",
]

#: Every status a run can be reported with. ``"running"`` is only reported for a run this store object
#: started and has not finished yet; see :meth:`SessionStore.get_runs`.
RUN_STATUSES: frozenset[str] = frozenset({"running", "completed", "interrupted", "error"})

#: The statuses :meth:`SessionStore.finish_run` accepts.
FINAL_STATUSES: frozenset[str] = frozenset({"completed", "interrupted", "error"})


class SessionStoreError(RouterkitError):
    """The store could not do its job: kept busy by another process, or written by a newer routerkit."""


@dataclass(frozen=True, slots=True)
class StoredRun:
    """One recorded run, as read back from a store.

    ``input_items`` and ``output_items`` are the JSON items exactly as they were given to the store, in order;
    the agent replays them as input to the next request, so nothing in them is normalised.
    """

    run_id: str
    session_id: str
    #: ``"running"`` | ``"completed"`` | ``"interrupted"`` | ``"error"``
    status: str
    input_items: list[dict[str, Any]]
    output_items: list[dict[str, Any]]
    #: The run's final text, for display and titles; ``None`` if the run produced none.
    content: str | None
    #: The model that actually answered (after fallbacks), e.g. ``"openai/gpt-4o"``.
    model: str | None
    #: Free-form numbers about the run: tokens, cost, ttft, duration...
    metrics: dict[str, Any]
    #: Seconds since the epoch when the run was started, and when it was last written.
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A one-line summary of a session, for listings such as ``routerkit sessions``."""

    session_id: str
    #: How many runs the session holds, whatever their status.
    runs: int
    created_at: float
    updated_at: float
    #: Sum of ``metrics["cost"]`` over the session's runs (runs without a numeric cost count as 0).
    total_cost: float
    #: The first user message of the session, whitespace collapsed and truncated; ``None`` if there is none.
    title: str | None


@runtime_checkable
class SessionStore(Protocol):
    """The interface the agent uses, so tests and other back ends can stand in for :class:`SqliteDb`."""

    def start_run(self, session_id: str, run_id: str, input_items: list[dict[str, Any]]) -> None:
        """Record a run as ``"running"`` before the request is sent, so a crash still leaves a trace."""
        ...

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
        """Record how a started run ended."""
        ...

    def get_runs(
        self,
        session_id: str,
        *,
        limit: int | None = None,
        statuses: Collection[str] = ("completed",),
    ) -> list[StoredRun]:
        """The last ``limit`` runs of the session whose status is in ``statuses``, oldest first."""
        ...

    def list_sessions(self) -> list[SessionInfo]:
        """Every session, most recently updated first."""
        ...

    def delete_session(self, session_id: str) -> int:
        """Delete a session's runs; return how many were deleted."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...
