"""agno's `agno.run.agent`: the output of a run and the events of a streamed run.

`from routerkit.run.agent import RunOutput, RunEvent, RunContentEvent` works as agno's import does; the
classes are defined in `routerkit.agent`.
"""

from routerkit.agent._events import (
    ReasoningContentDeltaEvent,
    RunCompletedEvent,
    RunContentEvent,
    RunContinuedEvent,
    RunErrorEvent,
    RunEvent,
    RunOutputEvent,
    RunPausedEvent,
    RunStartedEvent,
    ToolCallCompletedEvent,
    ToolCallStartedEvent,
)
from routerkit.agent._message import Message
from routerkit.agent.run import RunMetrics, RunOutput
from routerkit.run.base import RunStatus

__all__ = [
    "Message",
    "ReasoningContentDeltaEvent",
    "RunCompletedEvent",
    "RunContentEvent",
    "RunContinuedEvent",
    "RunErrorEvent",
    "RunEvent",
    "RunMetrics",
    "RunOutput",
    "RunOutputEvent",
    "RunPausedEvent",
    "RunStartedEvent",
    "RunStatus",
    "ToolCallCompletedEvent",
    "ToolCallStartedEvent",
]
