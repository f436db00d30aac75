"""The values a session store reports, and its one error type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from routerkit.errors import RouterkitError

__all__ = ["FINAL_STATUSES", "RUN_STATUSES", "SessionInfo", "SessionStoreError", "StoredRun"]

#: Every status a run can be reported with. ``"running"`` is only reported for a run this store object
#: started and has not finished yet; see :meth:`SessionStore.get_runs`.
RUN_STATUSES: frozenset[str] = frozenset({"running", "completed", "interrupted", "error", "paused"})

#: The statuses :meth:`SessionStore.finish_run` accepts (``"paused"``: a run waiting for the user to confirm a tool
#: call, which ``Agent.continue_run`` finishes later, possibly in another process).
FINAL_STATUSES: frozenset[str] = frozenset({"completed", "interrupted", "error", "paused"})


class SessionStoreError(RouterkitError):
    """The store could not do its job: its file is busy, damaged, read-only, not a database, or newer.

    The message names the file and what to do; ``path`` holds the file's path (``None`` for a store without
    one). SQLite's own exception, when there was one, is chained as ``__cause__``.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


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
    #: The run's final text, for display and titles; ``None`` if the run produced none. Lone surrogates in
    #: it were replaced by U+FFFD, so it can always be printed.
    content: str | None
    #: The model that actually answered (after fallbacks), e.g. ``"openai/gpt-4o"``.
    model: str | None
    #: Free-form numbers about the run: tokens, cost, ttft, duration...
    metrics: dict[str, Any]
    #: Seconds since the epoch when the run was started, and when it was last written.
    created_at: float
    updated_at: float
    #: The user the run was made for (``Agent(user_id=...)`` or ``run(..., user_id=...)``), if any.
    user_id: str | None = None


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
    #: The first user message of the session, whitespace collapsed, truncated to 60 characters and printable
    #: (lone surrogates replaced by U+FFFD); ``None`` if there is none.
    title: str | None
    #: The user of the session's latest run that named one; ``None`` if no run did.
    user_id: str | None = None
