"""The run loop's drivers, sync and async, and `continue_run`: the methods `Agent` inherits from `RunLoop`.

A driver asks the model, hands the answer to `RunState`, runs the tool calls it decides on (`_tool_steps`) and
stores the run when it ends: completed, failed, or paused for the user's confirmation. A paused run is picked
up again from the session store, so `continue_run` works in a new process on the same `SqliteDb`. What a run
starts from (`RunCall`, its state) and the record it leaves are in `_run_setup`; `content_only` keeps what
agno's `stream_events=False` yields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from ..models._observe import agent_run
from ..wire._events import ResponseCompleted
from ._events import (
    RunCompletedEvent,
    RunContentEvent,
    RunContinuedEvent,
    RunErrorEvent,
    RunOutputEvent,
    RunPausedEvent,
    RunStartedEvent,
)
from ._run_setup import RunCall, history_query, new_state, record
from ._tool_steps import (
    Continuation,
    alast_output,
    arun_steps,
    continuation,
    find_paused,
    last_output,
    resume_into,
    run_steps,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..db.base import SessionStore, StoredRun
    from ._agent import Agent
    from ._hitl import RunRequirement
    from ._model import Model
    from ._state import RunState, ToolStep
    from .run import RunOutput, ToolExecution
    from .tools import FunctionTool

__all__ = ["RunLoop", "acontent_only", "content_only"]


class RunLoop:
    """The part of `Agent` that drives runs; the agent provides the model, the store and the run's setup."""

    if TYPE_CHECKING:
        model: Model
        session_id: str
        add_history_to_context: bool
        last_run: RunOutput | None
        tools: Sequence[Any] | None
        _sources: bool
        _store: SessionStore

        def _call(
            self, session_id: str | None, user_id: str | None, output_schema: type[BaseModel] | None
        ) -> RunCall: ...
        def tools_by_name(self) -> dict[str, FunctionTool]: ...

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
    ) -> RunOutput | Iterator[RunOutputEvent]:
        """Go on with a paused run (`output.is_paused`) once its requirements are confirmed or rejected.

        Name the run by `run_response` or `run_id` (with `session_id` when this agent's differs). The run is
        read back from the agent's `db`, so a new process with an agent on the same `SqliteDb` continues it.
        With requirements still unanswered, nothing is sent and the run comes back paused.
        """
        how = continuation(
            self.session_id, self.last_run, run_response, run_id, requirements, updated_tools, session_id
        )
        events = self._run([], self._call(how.session_id, None, None), stream=stream, resume=how)
        return events if stream else last_output(events)

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
    ) -> Coroutine[Any, Any, RunOutput] | AsyncIterator[RunOutputEvent]:
        """`continue_run` for async code: awaitable, or with `stream=True` an async iterator of events."""
        how = continuation(
            self.session_id, self.last_run, run_response, run_id, requirements, updated_tools, session_id
        )
        events = self._arun([], self._call(how.session_id, None, None), stream=stream, resume=how)
        return events if stream else alast_output(events)

    # Drivers: the same loop, sync and async

    def _run(
        self, items: list[dict[str, Any]], call: RunCall, *, stream: bool, resume: Continuation | None = None
    ) -> Iterator[RunOutputEvent]:
        """One run of the agent on `items` (or the paused run `resume` names), every event: recorded as started
        before the first request, and as completed, paused, failed or interrupted however the generator ends
        (a failure is raised after its event)."""
        agent = cast("Agent", self)
        store = self._store
        history = store.get_runs(call.session_id, **history_query(agent)) if self.add_history_to_context else []
        if resume is None:
            state = new_state(agent, items, history, call)
            store.start_run(call.session_id, state.output.run_id, items[:], user_id=call.user_id)
            yield RunStartedEvent(state.output.run_id, self.model.id)
            steps = None
        else:
            runs = store.get_runs(resume.session_id, limit=None, statuses=("paused",))
            state, steps = self._resumed(find_paused(runs, resume), history, call, resume)
            yield RunContinuedEvent(resume.run_id)
        event_for = state.acc.event
        observed = agent_run(agent, state.output)
        try:
            while True:
                if steps is None:
                    if stream:
                        response = None
                        for event in self.model.invoke_stream(state.request(), **state.options()):
                            if type(event) is ResponseCompleted:
                                response = event.response
                            elif (run_event := event_for(event)) is not None:
                                yield run_event
                        assert response is not None
                    else:
                        response = self.model.invoke(state.request(), **state.options())
                    calls = state.absorb(response)
                    if not calls:
                        break
                    steps = state.steps(calls)
                yield from run_steps(state, steps, observed)
                steps = None
                if state.waiting or state.turn_ends_run():
                    break
            output = state.pause() if state.waiting else state.finish()
            store.finish_run(**record(agent, state))
            observed.end(output)
        except Exception as exc:
            failed = state.fail(exc)
            store.finish_run(**record(agent, state))
            observed.end(failed, exc)
            yield RunErrorEvent(exc, failed)
            raise
        except BaseException as exc:  # KeyboardInterrupt, or the caller closed the stream
            observed.end(state.fail(exc), exc)
            store.finish_run(**record(agent, state))
            raise
        yield RunPausedEvent(output) if output.is_paused else RunCompletedEvent(output)

    async def _arun(
        self, items: list[dict[str, Any]], call: RunCall, *, stream: bool, resume: Continuation | None = None
    ) -> AsyncIterator[RunOutputEvent]:
        """`_run` for async code: the tool calls of one turn run concurrently."""
        if self._sources:  # let MCP servers connect and list their tools without blocking the loop
            from ._tool_sources import aprepare

            await aprepare(self.tools or ())
        agent = cast("Agent", self)
        store = self._store
        query = history_query(agent)
        history = await store.aget_runs(call.session_id, **query) if self.add_history_to_context else []
        if resume is None:
            state = new_state(agent, items, history, call)
            await store.astart_run(call.session_id, state.output.run_id, items[:], user_id=call.user_id)
            yield RunStartedEvent(state.output.run_id, self.model.id)
            steps = None
        else:
            runs = await store.aget_runs(resume.session_id, limit=None, statuses=("paused",))
            state, steps = self._resumed(find_paused(runs, resume), history, call, resume)
            yield RunContinuedEvent(resume.run_id)
        event_for = state.acc.event
        observed = agent_run(agent, state.output)
        try:
            while True:
                if steps is None:
                    if stream:
                        response = None
                        model_events = self.model.ainvoke_stream(state.request(), **state.options())
                        try:
                            async for event in model_events:
                                if type(event) is ResponseCompleted:
                                    response = event.response
                                elif (run_event := event_for(event)) is not None:
                                    yield run_event
                        finally:
                            # Closed here, while the event loop runs: left to the garbage collector, the HTTP
                            # response of a stream the caller closed early would be closed without a loop.
                            await _aclose(model_events)
                        assert response is not None
                    else:
                        response = await self.model.ainvoke(state.request(), **state.options())
                    calls = state.absorb(response)
                    if not calls:
                        break
                    steps = state.steps(calls)
                async for step_event in arun_steps(state, steps, observed):
                    yield step_event
                steps = None
                if state.waiting or state.turn_ends_run():
                    break
            output = state.pause() if state.waiting else state.finish()
            await store.afinish_run(**record(agent, state))
            observed.end(output)
        except Exception as exc:
            failed = state.fail(exc)
            await store.afinish_run(**record(agent, state))
            observed.end(failed, exc)
            yield RunErrorEvent(exc, failed)
            raise
        except BaseException as exc:  # CancelledError, KeyboardInterrupt, or the caller closed the stream
            observed.end(state.fail(exc), exc)
            await store.afinish_run(**record(agent, state))
            raise
        yield RunPausedEvent(output) if output.is_paused else RunCompletedEvent(output)

    def _resumed(
        self, paused: StoredRun, history: Sequence[StoredRun], call: RunCall, how: Continuation
    ) -> tuple[RunState, list[ToolStep]]:
        state = new_state(cast("Agent", self), list(paused.input_items), history, call, run_id=paused.run_id)
        return state, resume_into(state, paused, how, self.tools_by_name())


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
