"""The agent layer: `Agent`, what a run returns, the events of a streamed run, and the `Model` protocol."""

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
from ._model import Model
from .run import RunMetrics, RunOutput, ToolExecution

__all__ = [
    "Agent",
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
