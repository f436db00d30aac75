"""One run of the agent as a sans-IO generator: every decision of the loop, written once for sync and async.

`plan` yields run events for the caller and small commands for a driver (`_loop`): ask the model (whole or
streamed), call some tools, call the session store. The driver carries a command out and sends its result
back, or throws its exception in; the plan decides what is sent, recorded and emitted, when the run stops, and
what a failure or an interruption leaves in the store. The drivers differ only in `await` and in running a
turn's tool calls concurrently (async), which the plan asks for as one command.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models._observe import agent_run
from ._events import (
    RunCompletedEvent,
    RunContinuedEvent,
    RunErrorEvent,
    RunOutputEvent,
    RunPausedEvent,
    RunStartedEvent,
    ToolCallStartedEvent,
)
from ._run_setup import RunCall, history_query, new_state, record
from ._tool_steps import find_paused, resume_into

if TYPE_CHECKING:
    from ..models._observe import Noop, RunObserver
    from ..wire._events import StreamEvent
    from ._agent import Agent
    from ._state import RunState, ToolStep
    from ._tool_steps import Continuation
    from .tools import ToolResult

__all__ = ["AskModel", "CallTools", "Command", "Plan", "StoreCall", "plan"]


@dataclass(slots=True)
class AskModel:
    """Send `request` to the model; the driver sends back the `ModelResponse`. Streamed, the driver yields
    `event_for(event)` of each stream event that has one, itself (no generator hop per delta)."""

    request: list[dict[str, Any]]
    options: Mapping[str, Any]
    stream: bool
    event_for: Callable[[StreamEvent], RunOutputEvent | None]


@dataclass(slots=True)
class CallTools:
    """Call these steps' tools (in `observed`'s spans), concurrently when the driver can; the driver sends
    back their results in order."""

    steps: Sequence[ToolStep]
    observed: RunObserver | Noop


@dataclass(slots=True)
class StoreCall:
    """`store.<method>(*args, **kwargs)` (`a<method>` in async code); the driver sends back what it returns."""

    method: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]


Command = AskModel | CallTools | StoreCall
Plan = Generator["RunOutputEvent | Command", Any, None]


def plan(
    agent: Agent,
    items: list[dict[str, Any]],
    call: RunCall,
    *,
    stream: bool,
    concurrent: bool,
    all_events: bool,
    resume: Continuation | None = None,
) -> Plan:
    """One run on `items` (or the paused run `resume` names): recorded as started before the first request,
    and as completed, paused, failed or interrupted however it ends (a failure is raised after its event).
    `concurrent`: one turn's tool calls are one `CallTools` (async); otherwise one call after another, each
    call's events before the next starts. Without `all_events` the run's start and its tool calls' events
    are not made: the caller reads only the answer, a pause, the error and the end (`content_only`,
    `last_output`)."""
    history = (
        (yield StoreCall("get_runs", (call.session_id,), history_query(agent))) if agent.add_history_to_context else []
    )
    steps: list[ToolStep] | None
    if resume is None:
        state = new_state(agent, items, history, call)
        yield StoreCall("start_run", (call.session_id, state.output.run_id, items[:]), {"user_id": call.user_id})
        if all_events:
            yield RunStartedEvent(state.output.run_id, agent.model.id)
        steps = None
    else:
        runs = yield StoreCall("get_runs", (resume.session_id,), {"limit": None, "statuses": ("paused",)})
        paused = find_paused(runs, resume)
        state = new_state(agent, list(paused.input_items), history, call, run_id=paused.run_id)
        steps = resume_into(state, paused, resume, agent.tools_by_name())
        if all_events:
            yield RunContinuedEvent(resume.run_id)
    event_for = state.acc.event
    observed = agent_run(agent, state.output)
    try:
        while True:
            if steps is None:
                response = yield AskModel(state.request(), state.options(), stream, event_for)
                assert response is not None  # a stream ends in ResponseCompleted or raises
                calls = state.absorb(response)
                if not calls:
                    break
                steps = state.steps(calls)
            yield from _tool_turn(state, steps, observed, concurrent, all_events)
            steps = None
            if state.waiting or state.turn_ends_run():
                break
        output = state.pause() if state.waiting else state.finish()
        yield StoreCall("finish_run", (), record(agent, state))
        observed.end(output)
    except Exception as exc:
        failed = state.fail(exc)
        yield StoreCall("finish_run", (), record(agent, state))
        observed.end(failed, exc)
        yield RunErrorEvent(exc, failed)
        raise
    except BaseException as exc:  # KeyboardInterrupt, CancelledError, or the caller closed the stream
        observed.end(state.fail(exc), exc)
        yield StoreCall("finish_run", (), record(agent, state))
        raise
    yield RunPausedEvent(output) if output.is_paused else RunCompletedEvent(output)


def _tool_turn(
    state: RunState, steps: Sequence[ToolStep], observed: RunObserver | Noop, concurrent: bool, all_events: bool
) -> Generator[RunOutputEvent | CallTools, Any, None]:
    """One turn's tool calls as run events: all started, called together, then done; or each in turn. Without
    `all_events`, only what a `show_result` tool adds to the answer."""
    if concurrent:
        if all_events:
            for step in steps:
                yield ToolCallStartedEvent(step.call, step.execution)
        results = yield CallTools(steps, observed)
        for step, result in zip(steps, results, strict=True):
            yield from _done(state, step, result, all_events)
        return
    for step in steps:
        if all_events:
            yield ToolCallStartedEvent(step.call, step.execution)
        (result,) = yield CallTools((step,), observed)
        yield from _done(state, step, result, all_events)


def _done(state: RunState, step: ToolStep, result: ToolResult, all_events: bool) -> Sequence[RunOutputEvent]:
    """`state.done`'s events: its `ToolCallCompletedEvent` (first) only with `all_events`."""
    events = state.done(step, result)
    return events if all_events else events[1:]
