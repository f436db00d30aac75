"""The agent layer: `Agent`, what a run returns, and the events of a streamed run."""

from ._agent import Agent
from .run import (
    ReasoningDelta,
    RunCompleted,
    RunContentDelta,
    RunError,
    RunEvent,
    RunMetrics,
    RunOutput,
    RunStarted,
    ToolCallCompleted,
    ToolCallStarted,
    ToolExecution,
)

__all__ = [
    "Agent",
    "ReasoningDelta",
    "RunCompleted",
    "RunContentDelta",
    "RunError",
    "RunEvent",
    "RunMetrics",
    "RunOutput",
    "RunStarted",
    "ToolCallCompleted",
    "ToolCallStarted",
    "ToolExecution",
]
