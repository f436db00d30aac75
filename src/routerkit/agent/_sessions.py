"""Reading a session back, with agno's names: `AgentSession`, and runs rebuilt from a session store.

The store keeps each run's items and facts (see `routerkit.db`); here they become the `RunOutput`s and
`Message`s agno code reads (`agent.get_session()`, `get_chat_history()`, `get_last_run_output()`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..run.base import RunStatus
from ._message import Message
from .run import RunMetrics, RunOutput

if TYPE_CHECKING:
    from ..db.base import StoredRun

__all__ = ["HISTORY_STATUSES", "AgentSession", "chat_history", "run_from_stored"]

#: The runs a conversation is made of: finished ones, and those stopped after part of an answer was shown.
HISTORY_STATUSES = ("completed", "interrupted")

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
        """Every message of the session's completed (or interrupted) runs, in order."""
        return [
            m for run in self.runs if run.status in (RunStatus.completed, RunStatus.cancelled) for m in run.messages
        ]

    def get_chat_history(self) -> list[Message]:
        """The user and assistant messages that carry text: the conversation as a person saw it."""
        return chat_history(self.get_messages())


def chat_history(messages: list[Message]) -> list[Message]:
    return [m for m in messages if m.role in ("user", "assistant") and m.content]


def run_from_stored(run: StoredRun) -> RunOutput:
    """A stored run as a `RunOutput` (no live responses or exception: only what the store kept)."""
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
    return output
