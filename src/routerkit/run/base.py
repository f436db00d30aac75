"""`RunStatus`, at agno's path (`agno.run.base`): the state of a run, with agno's members and values.

It lives here, below the agent, so every layer that reports a run's state can use it; importing this
module imports nothing else of routerkit.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RunStatus"]


class RunStatus(StrEnum):
    """The state of a run: `RunOutput.status`. A `str` enum, so `status == "COMPLETED"` works as in agno.

    routerkit reports `running` while a run goes on, then `completed`, `error` (the exception is in
    `RunOutput.error`; an answer cut short by the provider is an error too) or `cancelled` (Ctrl-C, task
    cancellation, or the caller closing the event stream). `paused` is a run waiting for a human.
    """

    pending = "PENDING"
    running = "RUNNING"
    completed = "COMPLETED"
    paused = "PAUSED"
    cancelled = "CANCELLED"
    error = "ERROR"
