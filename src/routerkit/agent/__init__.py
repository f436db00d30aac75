"""The agent layer: `Agent`, what a run returns, the events of a streamed run, and the `Model` protocol.

agno's paths for the same names are `routerkit.run.agent` and `routerkit.run.base`."""

from ._agent import Agent
from ._events import (
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
from ._hitl import RunRequirement
from ._message import Message
from ._model import Model
from ._sessions import AgentSession
from .run import RunMetrics, RunOutput, ToolExecution

__all__ = [
    "Agent",
    "AgentSession",
    "Message",
    "Model",
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
    "RunRequirement",
    "RunStartedEvent",
    "ToolCallCompletedEvent",
    "ToolCallStartedEvent",
    "ToolExecution",
]
