"""Reading a session back, with agno's names: `AgentSession`, and runs rebuilt from a session store.

The store keeps each run's items and facts (see `routerkit.db`); here they become the `RunOutput`s and
`Message`s agno code reads (`agent.get_session()`, `get_chat_history()`, `get_last_run_output()`, and their
async twins `aget_session()`... which await the store instead of blocking the event loop on it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..run.base import RunStatus
from ._hitl import SYSTEM_KEY, RunRequirement, executions_from_stored
from ._message import Message
from .run import RunMetrics, RunOutput

if TYPE_CHECKING:
    from ..db.base import SessionStore, StoredRun

__all__ = ["HISTORY_STATUSES", "AgentSession", "SessionReads", "chat_history", "run_from_stored"]

#: The runs a conversation is made of: finished ones, and those stopped after part of an answer was shown.
HISTORY_STATUSES = ("completed", "interrupted")
#: The runs a session is read back with: all that ended, and the paused ones waiting for the user.
_READ_STATUSES = ("completed", "interrupted", "error", "paused")

_STATUS = {
    "completed": RunStatus.completed,
    "interrupted": RunStatus.cancelled,
    "error": RunStatus.error,
    "paused": RunStatus.paused,
    "running": RunStatus.running,
}
_METRICS = frozenset(RunMetrics.__slots__)


@dataclass(slots=True)
class AgentSession:
    """A stored conversation, as agno's `AgentSession`: its id, user and runs (oldest first)."""

    session_id: str
    user_id: str | None = None
    runs: list[RunOutput] = field(default_factory=list)
    created_at: int | None = None
    updated_at: int | None = None

    def get_messages(self) -> list[Message]:
        """Every message of the session's completed (or interrupted) runs, in order, the system message once."""
        return _system_once(
            [m for run in self.runs if run.status in (RunStatus.completed, RunStatus.cancelled) for m in run.messages]
        )

    def get_chat_history(self) -> list[Message]:
        """The user and assistant messages that carry text: the conversation as a person saw it."""
        return chat_history(self.get_messages())


def chat_history(messages: list[Message]) -> list[Message]:
    return [m for m in messages if m.role in ("user", "assistant") and m.content]


def run_from_stored(run: StoredRun) -> RunOutput:
    """A stored run as a `RunOutput` with its tool executions (and, paused, its requirements): only what the
    store kept, so no live responses or exception."""
    metrics: dict[str, Any] = {key: value for key, value in run.metrics.items() if key in _METRICS}
    try:
        run_metrics = RunMetrics(**metrics)
    except TypeError:  # a foreign edit left something odd: the run is still readable
        run_metrics = RunMetrics()
    output = RunOutput(
        run_id=run.run_id,
        session_id=run.session_id,
        requested_model=run.model or "",
        content=run.content,
        model=run.model,
        status=_STATUS.get(run.status, RunStatus.error),
        items=[*run.input_items, *run.output_items],
        metrics=run_metrics,
        user_id=run.user_id,
        created_at=int(run.created_at),
    )
    reasoning = [m.reasoning_content for m in output.messages if m.reasoning_content]
    output.reasoning_content = "\n\n".join(reasoning) or None
    system = run.metrics.get(SYSTEM_KEY)
    output.system_message = system if isinstance(system, str) else None
    output.tools = executions_from_stored(run, {})
    if output.is_paused:
        output.requirements = [RunRequirement(t) for t in output.tools if t.result is None and t.requires_confirmation]
    return output


class SessionReads:
    """The session methods `Agent` inherits, sync and async: each reads the store once (`get_runs`, or the
    awaited `aget_runs`) and builds its answer with the same function."""

    if TYPE_CHECKING:
        session_id: str
        last_run: RunOutput | None
        _store: SessionStore

    def get_last_run_output(self, session_id: str | None = None) -> RunOutput | None:
        """The last run of the session (this agent's `session_id` by default), also after a restart."""
        sid = self._sid(session_id)
        if self.last_run is not None and self.last_run.session_id == sid:
            return self.last_run
        return _last(self._store.get_runs(sid, limit=1, statuses=_READ_STATUSES))

    async def aget_last_run_output(self, session_id: str | None = None) -> RunOutput | None:
        """`get_last_run_output` for async code."""
        sid = self._sid(session_id)
        if self.last_run is not None and self.last_run.session_id == sid:
            return self.last_run
        return _last(await self._store.aget_runs(sid, limit=1, statuses=_READ_STATUSES))

    def get_session(self, session_id: str | None = None) -> AgentSession | None:
        """The stored session with all its runs, or None when it has none."""
        sid = self._sid(session_id)
        return _session(sid, self._store.get_runs(sid, statuses=_READ_STATUSES))

    async def aget_session(self, session_id: str | None = None) -> AgentSession | None:
        """`get_session` for async code."""
        sid = self._sid(session_id)
        return _session(sid, await self._store.aget_runs(sid, statuses=_READ_STATUSES))

    def get_session_messages(self, session_id: str | None = None) -> list[Message]:
        """Every message of the session's completed (or interrupted) runs, in order, the system message once."""
        return _messages(self._store.get_runs(self._sid(session_id), statuses=HISTORY_STATUSES))

    async def aget_session_messages(self, session_id: str | None = None) -> list[Message]:
        """`get_session_messages` for async code."""
        return _messages(await self._store.aget_runs(self._sid(session_id), statuses=HISTORY_STATUSES))

    def get_chat_history(self, session_id: str | None = None) -> list[Message]:
        """The session's user and assistant messages with text: the conversation as a person saw it."""
        return chat_history(self.get_session_messages(session_id))

    async def aget_chat_history(self, session_id: str | None = None) -> list[Message]:
        """`get_chat_history` for async code."""
        return chat_history(await self.aget_session_messages(session_id))

    def _sid(self, session_id: str | None) -> str:
        return self.session_id if session_id is None else session_id


def _last(runs: list[StoredRun]) -> RunOutput | None:
    return run_from_stored(runs[-1]) if runs else None


def _session(session_id: str, runs: list[StoredRun]) -> AgentSession | None:
    if not runs:
        return None
    return AgentSession(
        session_id=session_id,
        user_id=next((run.user_id for run in reversed(runs) if run.user_id), None),
        runs=[run_from_stored(run) for run in runs],
        created_at=int(runs[0].created_at),
        updated_at=int(max(run.updated_at for run in runs)),
    )


def _messages(runs: list[StoredRun]) -> list[Message]:
    return _system_once([m for run in runs for m in run_from_stored(run).messages])


def _system_once(messages: list[Message]) -> list[Message]:
    """Each run starts with its system message; a session lists only the first, as agno does."""
    first = next((m for m in messages if m.role == "system"), None)
    return [m for m in messages if m.role != "system" or m is first]
