"""The run loop's drivers, sync and async, and `continue_run`: the methods `Agent` inherits from `RunLoop`.

A driver asks the model, hands the answer to `RunState`, runs the tool calls it decides on (`_tool_steps`) and
stores the run when it ends: completed, failed, or paused for the user's confirmation. A paused run is picked
up again from the session store, so `continue_run` works in a new process on the same `SqliteDb`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from ..wire._events import ResponseCompleted
from ._events import (
    RunCompletedEvent,
    RunContinuedEvent,
    RunErrorEvent,
    RunOutputEvent,
    RunPausedEvent,
    RunStartedEvent,
)
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
    from ..db.base import SessionStore, StoredRun
    from ._hitl import RunRequirement
    from ._model import Model
    from ._state import RunState, ToolStep
    from .run import RunOutput, ToolExecution
    from .tools import FunctionTool

__all__ = ["RunLoop"]


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

        def _history_query(self, session_id: str | None = None) -> dict[str, Any]: ...
        def _new_state(
            self,
            items: list[dict[str, Any]],
            stored: Sequence[StoredRun],
            run_id: str | None = None,
            session_id: str | None = None,
        ) -> RunState: ...
        def _record(self, state: RunState) -> dict[str, Any]: ...
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
        events = self._run([], stream=stream, resume=how)
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
        events = self._arun([], stream=stream, resume=how)
        return events if stream else alast_output(events)

    # Drivers: the same loop, sync and async

    def _run(
        self, items: list[dict[str, Any]], *, stream: bool, resume: Continuation | None = None
    ) -> Iterator[RunOutputEvent]:
        if resume is None:
            stored = self._store.get_runs(**self._history_query()) if self.add_history_to_context else []
            state = self._new_state(items, stored)
            self._store.start_run(self.session_id, state.output.run_id, items[:])
            yield RunStartedEvent(state.output.run_id, self.model.id)
            steps = None
        else:
            query = self._history_query(resume.session_id)
            history = self._store.get_runs(**query) if self.add_history_to_context else []
            runs = self._store.get_runs(resume.session_id, limit=None, statuses=("paused",))
            state, steps = self._resumed(find_paused(runs, resume), history, resume)
            yield RunContinuedEvent(resume.run_id)
        event_for = state.acc.event
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
                yield from run_steps(state, steps)
                steps = None
                if state.waiting or state.turn_ends_run():
                    break
            output = state.pause() if state.waiting else state.finish()
            self._store.finish_run(**self._record(state))
        except Exception as exc:
            failed = state.fail(exc)
            self._store.finish_run(**self._record(state))
            yield RunErrorEvent(exc, failed)
            raise
        except BaseException as exc:  # KeyboardInterrupt, or the caller closed the stream
            state.fail(exc)
            self._store.finish_run(**self._record(state))
            raise
        yield RunPausedEvent(output) if output.is_paused else RunCompletedEvent(output)

    async def _arun(
        self, items: list[dict[str, Any]], *, stream: bool, resume: Continuation | None = None
    ) -> AsyncIterator[RunOutputEvent]:
        if self._sources:  # let MCP servers connect and list their tools without blocking the loop
            from ._tool_sources import aprepare

            await aprepare(self.tools or ())
        if resume is None:
            stored = await self._store.aget_runs(**self._history_query()) if self.add_history_to_context else []
            state = self._new_state(items, stored)
            await self._store.astart_run(self.session_id, state.output.run_id, items[:])
            yield RunStartedEvent(state.output.run_id, self.model.id)
            steps = None
        else:
            query = self._history_query(resume.session_id)
            history = await self._store.aget_runs(**query) if self.add_history_to_context else []
            runs = await self._store.aget_runs(resume.session_id, limit=None, statuses=("paused",))
            state, steps = self._resumed(find_paused(runs, resume), history, resume)
            yield RunContinuedEvent(resume.run_id)
        event_for = state.acc.event
        try:
            while True:
                if steps is None:
                    if stream:
                        response = None
                        async for event in self.model.ainvoke_stream(state.request(), **state.options()):
                            if type(event) is ResponseCompleted:
                                response = event.response
                            elif (run_event := event_for(event)) is not None:
                                yield run_event
                        assert response is not None
                    else:
                        response = await self.model.ainvoke(state.request(), **state.options())
                    calls = state.absorb(response)
                    if not calls:
                        break
                    steps = state.steps(calls)
                async for step_event in arun_steps(state, steps):
                    yield step_event
                steps = None
                if state.waiting or state.turn_ends_run():
                    break
            output = state.pause() if state.waiting else state.finish()
            await self._store.afinish_run(**self._record(state))
        except Exception as exc:
            failed = state.fail(exc)
            await self._store.afinish_run(**self._record(state))
            yield RunErrorEvent(exc, failed)
            raise
        except BaseException as exc:  # CancelledError, KeyboardInterrupt, or the caller closed the stream
            state.fail(exc)
            await self._store.afinish_run(**self._record(state))
            raise
        yield RunPausedEvent(output) if output.is_paused else RunCompletedEvent(output)

    def _resumed(
        self, paused: StoredRun, history: Sequence[StoredRun], how: Continuation
    ) -> tuple[RunState, list[ToolStep]]:
        state = self._new_state(list(paused.input_items), history, run_id=paused.run_id, session_id=how.session_id)
        return state, resume_into(state, paused, how, self.tools_by_name())
