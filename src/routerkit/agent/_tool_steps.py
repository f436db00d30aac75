"""Calling one turn's tools, sync and async; picking a paused run up again; a run's final output.

The decisions (what runs, what is refused, what waits for the user, which events say so) are `RunState`'s
and `_run_plan`'s; here the calls are made: one after another, or concurrently in async code (sync tools in
worker threads).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..wire._request import check_json
from ..wire._response import FunctionCall
from ._events import RunCompletedEvent, RunPausedEvent
from ._hitl import apply_answers, executions_from_stored, metrics_from
from .run import RunOutput

if TYPE_CHECKING:
    from ..db.base import StoredRun
    from ..models._observe import Noop, RunObserver
    from ._events import RunOutputEvent
    from ._hitl import RunRequirement
    from ._state import RunState, ToolStep
    from .run import ToolExecution
    from .tools import FunctionTool, ToolResult

__all__ = [
    "Continuation",
    "acall_tools",
    "alast_output",
    "call_tools",
    "continuation",
    "find_paused",
    "last_output",
    "resume_into",
]


def call_tools(steps: Sequence[ToolStep], observed: RunObserver | Noop) -> list[ToolResult]:
    """The steps' results, one call after another, each in its `execute_tool` span and log record."""
    return [_call(step, observed) for step in steps]


async def acall_tools(steps: Sequence[ToolStep], observed: RunObserver | Noop) -> list[ToolResult]:
    """`call_tools` for async code: parallel calls run concurrently; a single one is simply awaited."""
    if len(steps) <= 1:
        return [await _acall(step, observed) for step in steps]
    import asyncio  # the sync path, and `import routerkit.agent`, never need asyncio

    return list(await asyncio.gather(*(_acall(step, observed) for step in steps)))


def _call(step: ToolStep, observed: RunObserver | Noop) -> ToolResult:
    with observed.tool(step.call) as seen:
        return seen(step.preset if step.preset is not None else _tool(step).call(step.call.arguments))


async def _acall(step: ToolStep, observed: RunObserver | Noop) -> ToolResult:
    with observed.tool(step.call) as seen:
        return seen(step.preset if step.preset is not None else await _tool(step).acall(step.call.arguments))


def _tool(step: ToolStep) -> FunctionTool:
    assert step.tool is not None
    return step.tool


@dataclass(frozen=True, slots=True)
class Continuation:
    """What `continue_run` was asked: which paused run, and the user's answers."""

    run_id: str
    session_id: str
    requirements: Sequence[RunRequirement] | None
    updated_tools: Sequence[ToolExecution] | None
    executions: Sequence[ToolExecution] | None
    """The paused run's executions when this process still has them (their requirements point at them)."""


def resume_into(
    state: RunState, stored: StoredRun, how: Continuation, tools: Mapping[str, FunctionTool]
) -> list[ToolStep]:
    """Fill a fresh `state` with the paused run `stored` and the user's answers; returns the waiting calls'
    steps (none if some are still unanswered: the run then pauses again without a request)."""
    out = state.output
    out.items.extend(stored.output_items)
    check_json("the paused run's items", out.items)  # read from the store; see `RunState.request`
    out.content, out.model, out.metrics = stored.content, stored.model, metrics_from(stored)
    known_tools = how.executions
    out.tools = list(known_tools) if known_tools is not None else executions_from_stored(stored, tools)
    apply_answers(out.tools, how.requirements, how.updated_tools)
    answered = {i.get("call_id") for i in stored.output_items if i.get("type") == "function_call_output"}
    calls = [
        FunctionCall(str(i.get("call_id")), str(i.get("name")), str(i.get("arguments") or ""), i.get("id"))
        for i in stored.output_items
        if i.get("type") == "function_call" and i.get("call_id") not in answered
    ]
    known = {e.tool_call_id for e in out.tools}
    if not calls or any(call.call_id not in known for call in calls):
        raise UsageError(f"run {how.run_id!r} has no tool calls waiting for confirmation")
    return state.resume(calls)


def find_paused(runs: Sequence[StoredRun], how: Continuation) -> StoredRun:
    for run in runs:
        if run.run_id == how.run_id:
            return run
    raise UsageError(
        f"run_id {how.run_id!r} is not a paused run of session {how.session_id!r} in this agent's db; a paused run "
        "is continued by an agent on the same db (SqliteDb for another process) and session_id"
    )


def continuation(
    agent_session_id: str,
    last_run: RunOutput | None,
    run_response: RunOutput | None,
    run_id: str | None,
    requirements: Sequence[RunRequirement] | None,
    updated_tools: Sequence[ToolExecution] | None,
    session_id: str | None,
) -> Continuation:
    """`continue_run`'s arguments, checked before anything is read or sent. Without answers, those given on
    the paused output (`requirements[i].confirm()`) are used."""
    if run_response is not None and not isinstance(run_response, RunOutput):
        raise UsageError(f"run_response must be the RunOutput of a paused run, got {type(run_response).__name__}")
    rid = run_id if run_id is not None else run_response.run_id if run_response is not None else None
    if not isinstance(rid, str) or not rid:
        raise UsageError("continue_run needs the paused run: pass run_response=... or run_id='...'")
    sid = session_id or (run_response.session_id if run_response is not None else agent_session_id)
    if not isinstance(sid, str) or not sid.strip():
        raise UsageError(f"session_id must be a non-empty string, got {sid!r}")
    known = next((r for r in (run_response, last_run) if r is not None and r.run_id == rid), None)
    if requirements is None and updated_tools is None and known is not None:
        requirements = known.requirements
    for name, value in (("requirements", requirements), ("updated_tools", updated_tools)):
        if value is not None and (isinstance(value, str | bytes) or not isinstance(value, Sequence)):
            raise UsageError(f"{name} must be a list (the paused run's requirements), got {type(value).__name__}")
    return Continuation(rid, sid, requirements, updated_tools, known.tools if known is not None else None)


def last_output(events: Iterator[RunOutputEvent]) -> RunOutput:
    """The output of a run driven to its end: completed or paused (a failure raises). The events are read to
    the end, past the last one, so the run's generator finishes here rather than waiting to be closed."""
    output = None
    for event in events:
        if isinstance(event, RunCompletedEvent | RunPausedEvent):
            output = event.output
    assert output is not None, "a run ends in RunCompleted or RunPaused, or raises"
    return output


async def alast_output(events: AsyncIterator[RunOutputEvent]) -> RunOutput:
    """`last_output` for async code: read to the end, so no finaliser task is left to close the generator."""
    output = None
    async for event in events:
        if isinstance(event, RunCompletedEvent | RunPausedEvent):
            output = event.output
    assert output is not None, "a run ends in RunCompleted or RunPaused, or raises"
    return output
