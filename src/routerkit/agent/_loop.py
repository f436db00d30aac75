"""The run's two drivers, sync and async, and `continue_run`: the methods `Agent` inherits from `RunLoop`.

Every decision of a run is in `_run_plan.plan` (a sans-IO generator); a driver only carries out its commands
(ask the model, call the tools, call the session store) and yields its events. A paused run is picked up again
from the session store, so `continue_run` works in a new process on the same `SqliteDb`. `content_only` keeps
what agno's `stream_events=False` yields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from ..wire._events import ResponseCompleted
from ._events import RunContentEvent, RunErrorEvent, RunOutputEvent, RunPausedEvent
from ._run_plan import AskModel, CallTools, Command, Plan, StoreCall, plan
from ._tool_steps import Continuation, acall_tools, alast_output, call_tools, continuation, last_output

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ._agent import Agent
    from ._hitl import RunRequirement
    from ._run_setup import RunCall
    from .run import RunOutput, ToolExecution

__all__ = ["RunLoop", "acontent_only", "content_only"]


class RunLoop:
    """The part of `Agent` that drives runs; the agent provides the model, the store and the run's setup."""

    if TYPE_CHECKING:
        session_id: str
        last_run: RunOutput | None

        def _call(
            self, session_id: str | None, user_id: str | None, output_schema: type[BaseModel] | None
        ) -> RunCall: ...

    # Continuing a paused run

    @overload
    def continue_run(
        self,
        run_response: RunOutput | None = None,
        *,
        run_id: str | None = None,
        requirements: Sequence[RunRequirement] | None = None,
        updated_tools: Sequence[ToolExecution] | None = None,
        session_id: str | None = None,
        stream: Literal[False] = False,
        stream_events: bool = False,
    ) -> RunOutput: ...
    @overload
    def continue_run(
        self,
        run_response: RunOutput | None = None,
        *,
        run_id: str | None = None,
        requirements: Sequence[RunRequirement] | None = None,
        updated_tools: Sequence[ToolExecution] | None = None,
        session_id: str | None = None,
        stream: Literal[True],
        stream_events: bool = False,
    ) -> Iterator[RunOutputEvent]: ...
    def continue_run(
        self,
        run_response: RunOutput | None = None,
        *,
        run_id: str | None = None,
        requirements: Sequence[RunRequirement] | None = None,
        updated_tools: Sequence[ToolExecution] | None = None,
        session_id: str | None = None,
        stream: bool = False,
        stream_events: bool = False,
    ) -> RunOutput | Iterator[RunOutputEvent]:
        """Go on with a paused run (`output.is_paused`) once its requirements are confirmed or rejected.

        Name the run by `run_response` or `run_id` (with `session_id` when this agent's differs). The run is
        read back from the agent's `db`, so a new process with an agent on the same `SqliteDb` continues it.
        With requirements still unanswered, nothing is sent and the run comes back paused. Streamed, as `run`:
        the answer's deltas (and a `RunPausedEvent` if it pauses again), or with `stream_events=True` every
        event from `RunContinuedEvent` to `RunCompletedEvent` or `RunPausedEvent`.
        """
        how = continuation(
            self.session_id, self.last_run, run_response, run_id, requirements, updated_tools, session_id
        )
        events = self._run(
            [], self._call(how.session_id, None, None), stream=stream, all_events=stream_events, resume=how
        )
        if stream:
            return events if stream_events else content_only(events)
        return last_output(events)

    @overload
    def acontinue_run(
        self,
        run_response: RunOutput | None = None,
        *,
        run_id: str | None = None,
        requirements: Sequence[RunRequirement] | None = None,
        updated_tools: Sequence[ToolExecution] | None = None,
        session_id: str | None = None,
        stream: Literal[False] = False,
        stream_events: bool = False,
    ) -> Coroutine[Any, Any, RunOutput]: ...
    @overload
    def acontinue_run(
        self,
        run_response: RunOutput | None = None,
        *,
        run_id: str | None = None,
        requirements: Sequence[RunRequirement] | None = None,
        updated_tools: Sequence[ToolExecution] | None = None,
        session_id: str | None = None,
        stream: Literal[True],
        stream_events: bool = False,
    ) -> AsyncIterator[RunOutputEvent]: ...
    def acontinue_run(
        self,
        run_response: RunOutput | None = None,
        *,
        run_id: str | None = None,
        requirements: Sequence[RunRequirement] | None = None,
        updated_tools: Sequence[ToolExecution] | None = None,
        session_id: str | None = None,
        stream: bool = False,
        stream_events: bool = False,
    ) -> Coroutine[Any, Any, RunOutput] | AsyncIterator[RunOutputEvent]:
        """`continue_run` for async code: awaitable, or with `stream=True` an async iterator of events."""
        how = continuation(
            self.session_id, self.last_run, run_response, run_id, requirements, updated_tools, session_id
        )
        events = self._arun(
            [], self._call(how.session_id, None, None), stream=stream, all_events=stream_events, resume=how
        )
        if stream:
            return events if stream_events else acontent_only(events)
        return alast_output(events)

    # The run: one plan (`_run_plan`), carried out by a sync and an async driver

    def _run(
        self,
        items: list[dict[str, Any]],
        call: RunCall,
        *,
        stream: bool,
        all_events: bool,
        resume: Continuation | None = None,
    ) -> Iterator[RunOutputEvent]:
        """One run of the agent on `items` (or the paused run `resume` names): every event, or without
        `all_events` only those `content_only` and `last_output` read (see `plan`)."""
        agent = cast("Agent", self)
        return _drive(
            agent, plan(agent, items, call, stream=stream, concurrent=False, all_events=all_events, resume=resume)
        )

    def _arun(
        self,
        items: list[dict[str, Any]],
        call: RunCall,
        *,
        stream: bool,
        all_events: bool,
        resume: Continuation | None = None,
    ) -> AsyncIterator[RunOutputEvent]:
        """`_run` for async code: the tool calls of one turn run concurrently."""
        agent = cast("Agent", self)
        return _adrive(
            agent, plan(agent, items, call, stream=stream, concurrent=True, all_events=all_events, resume=resume)
        )


def _drive(agent: Agent, run: Plan) -> Iterator[RunOutputEvent]:
    """Carry `run`'s commands out and yield its events; whatever a command raises is thrown into `run`."""
    model, store = agent.model, agent._store
    result: Any = None
    error: BaseException | None = None
    while (step := _next(run, result, error)) is not None:
        result = error = None
        try:
            match step:
                case AskModel(stream=True, event_for=event_for):
                    for event in model.invoke_stream(step.request, **step.options):
                        if type(event) is ResponseCompleted:
                            result = event.response
                        elif (run_event := event_for(event)) is not None:
                            yield run_event
                case AskModel():
                    result = model.invoke(step.request, **step.options)
                case CallTools(steps=steps, observed=observed):
                    result = call_tools(steps, observed)
                case StoreCall(method=method, args=args, kwargs=kwargs):
                    result = getattr(store, method)(*args, **kwargs)
                case _:
                    yield step
        except BaseException as exc:  # the plan decides: record, report, re-raise
            error = exc


async def _adrive(agent: Agent, run: Plan) -> AsyncIterator[RunOutputEvent]:
    """`_drive` for async code; MCP sources connect first, without blocking the event loop."""
    if agent._sources:
        from ._tool_sources import aprepare

        await aprepare(agent.tools or ())
    model, store = agent.model, agent._store
    result: Any = None
    error: BaseException | None = None
    while (step := _next(run, result, error)) is not None:
        result = error = None
        try:
            match step:
                case AskModel(stream=True, event_for=event_for):
                    model_events = model.ainvoke_stream(step.request, **step.options)
                    try:
                        async for event in model_events:
                            if type(event) is ResponseCompleted:
                                result = event.response
                            elif (run_event := event_for(event)) is not None:
                                yield run_event
                    finally:
                        # Closed here, while the event loop runs: left to the garbage collector, the HTTP
                        # response of a stream the caller closed early would be closed without a loop.
                        await _aclose(model_events)
                case AskModel():
                    result = await model.ainvoke(step.request, **step.options)
                case CallTools(steps=steps, observed=observed):
                    result = await acall_tools(steps, observed)
                case StoreCall(method=method, args=args, kwargs=kwargs):
                    result = await getattr(store, "a" + method)(*args, **kwargs)
                case _:
                    yield step
        except BaseException as exc:  # the plan decides: record, report, re-raise
            error = exc


def _next(run: Plan, result: Any, error: BaseException | None) -> RunOutputEvent | Command | None:
    """The plan's next event or command, given the last command's `result` or `error`; None once it ended."""
    try:
        return run.send(result) if error is None else run.throw(error)
    except StopIteration:
        return None


#: What a stream carries without `stream_events`: the answer's deltas, the pause the caller must answer
#: (`continue_run`), and the error event before a failure is raised.
_CONTENT_ONLY = (RunContentEvent, RunPausedEvent, RunErrorEvent)


def content_only(events: Iterator[RunOutputEvent]) -> Iterator[RunOutputEvent]:
    """agno's `stream_events=False`: only `_CONTENT_ONLY`'s events."""
    try:
        for event in events:
            if type(event) in _CONTENT_ONLY:
                yield event
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()


async def acontent_only(events: AsyncIterator[RunOutputEvent]) -> AsyncIterator[RunOutputEvent]:
    """`content_only` for an async run."""
    try:
        async for event in events:
            if type(event) in _CONTENT_ONLY:
                yield event
    finally:
        await _aclose(events)


async def _aclose(events: AsyncIterator[Any]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
