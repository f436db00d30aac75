"""The agent layer: `Agent`, what a run returns, the events of a streamed run, and the `Model` protocol."""

from ._agent import Agent
from ._events import (
    ReasoningContentDeltaEvent,
    RunCompletedEvent,
    RunContentEvent,
    RunErrorEvent,
    RunEvent,
    RunOutputEvent,
    RunStartedEvent,
    ToolCallCompletedEvent,
    ToolCallStartedEvent,
)
from ._model import Model
from .run import RunMetrics, RunOutput, ToolExecution

__all__ = [
    "Agent",
    "Model",
    "ReasoningContentDeltaEvent",
    "RunCompletedEvent",
    "RunContentEvent",
    "RunErrorEvent",
    "RunEvent",
    "RunMetrics",
    "RunOutput",
    "RunOutputEvent",
    "RunStartedEvent",
    "ToolCallCompletedEvent",
    "ToolCallStartedEvent",
    "ToolExecution",
]
