"""The agent loop's drivers: one run, sync (`run_events`) and async (`arun_events`), as run events.

Each alternates model calls and tool calls until the model answers in text; the bookkeeping is in
`_state.RunState`, so the two drivers only call the model, the tools and the session store. A driver is a
generator: the caller decides whether to show the events (`print_response`), keep some (`stream_events`),
or only the `RunOutput` at the end (`run`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import IncompleteResponseError
from ..run.base import RunStatus
from ..wire._events import ResponseCompleted
from ._config import debug_log, system_prompt
from ._events import (
    RunCompletedEvent,
    RunContentEvent,
    RunErrorEvent,
    RunOutputEvent,
    RunStartedEvent,
    ToolCallStartedEvent,
)
from ._sessions import HISTORY_STATUSES
from ._state import RunSetup, RunState, replayable
from ._text import encodable
from .run import RunOutput

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..db.base import StoredRun
    from ..wire._response import FunctionCall
    from ._agent import Agent
    from ._model import Model
    from .tools import ToolResult

__all__ = ["RunCall", "acontent_only", "arun_events", "content_only", "run_events"]


@dataclass(frozen=True, slots=True)
class RunCall:
    """What one call of `run` may override: its session, user and output schema."""

    session_id: str
    user_id: str | None
    output_schema: type[BaseModel] | None
    text_format: dict[str, Any] | None


def run_events(agent: Agent, items: list[dict[str, Any]], call: RunCall, *, stream: bool) -> Iterator[RunOutputEvent]:
    """One run of `agent` on `items`, every event: recorded as started before the first request, and as
    completed, failed or interrupted however the generator ends (a failure is raised after its event)."""
    store = agent._store
    stored = store.get_runs(call.session_id, **_history_query(agent)) if agent.add_history_to_context else []
    state = _new_state(agent, items, stored, call)
    store.start_run(call.session_id, state.output.run_id, items[:], user_id=call.user_id)
    yield RunStartedEvent(state.output.run_id, agent.model.id)
    options, event_for = state.setup.options, state.acc.event
    try:
        while True:
            if stream:
                response = None
                for event in agent.model.invoke_stream(state.request(), **options):
                    if type(event) is ResponseCompleted:
                        response = event.response
                    elif (run_event := event_for(event)) is not None:
                        yield run_event
                assert response is not None
            else:
                response = agent.model.invoke(state.request(), **options)
            calls = state.absorb(response)
            if not calls:
                break
            for call_ in calls:
                yield ToolCallStartedEvent(call_)
                tool = state.tool_for(call_)
                yield state.acc.tool_done(call_, tool.call(call_.arguments) if tool else state.unknown_tool(call_))
        output = state.finish()
        store.finish_run(**_record(agent, state))
    except Exception as exc:
        failed = state.fail(exc)
        store.finish_run(**_record(agent, state))
        yield RunErrorEvent(exc, failed)
        raise
    except BaseException as exc:  # KeyboardInterrupt, or the caller closed the stream
        state.fail(exc)
        store.finish_run(**_record(agent, state))
        raise
    yield RunCompletedEvent(output)


async def arun_events(
    agent: Agent, items: list[dict[str, Any]], call: RunCall, *, stream: bool
) -> AsyncIterator[RunOutputEvent]:
    """`run_events` for async code: the tool calls of one turn run concurrently."""
    store = agent._store
    history = _history_query(agent)
    stored = await store.aget_runs(call.session_id, **history) if agent.add_history_to_context else []
    state = _new_state(agent, items, stored, call)
    await store.astart_run(call.session_id, state.output.run_id, items[:], user_id=call.user_id)
    yield RunStartedEvent(state.output.run_id, agent.model.id)
    options, event_for = state.setup.options, state.acc.event
    try:
        while True:
            if stream:
                response = None
                model_events = agent.model.ainvoke_stream(state.request(), **options)
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
                response = await agent.model.ainvoke(state.request(), **options)
            calls = state.absorb(response)
            if not calls:
                break
            for call_ in calls:
                yield ToolCallStartedEvent(call_)
            results = await _gather([_acall(state, call_) for call_ in calls])
            for call_, result in zip(calls, results, strict=True):
                yield state.acc.tool_done(call_, result)
        output = state.finish()
        await store.afinish_run(**_record(agent, state))
    except Exception as exc:
        failed = state.fail(exc)
        await store.afinish_run(**_record(agent, state))
        yield RunErrorEvent(exc, failed)
        raise
    except BaseException as exc:  # CancelledError, KeyboardInterrupt, or the caller closed the stream
        state.fail(exc)
        await store.afinish_run(**_record(agent, state))
        raise
    yield RunCompletedEvent(output)


def _history_query(agent: Agent) -> dict[str, Any]:
    return {"limit": agent.num_history_runs, "statuses": HISTORY_STATUSES}


def _new_state(agent: Agent, items: list[dict[str, Any]], stored: Sequence[StoredRun], call: RunCall) -> RunState:
    history: list[dict[str, Any]] = []
    for run in stored:
        if not run.output_items:
            continue  # killed before any answer: replaying the bare question would only confuse the model
        history.extend(encodable(run.input_items))
        history.extend(replayable(encodable(run.output_items)))
    setup = RunSetup(
        session_id=call.session_id,
        model_id=agent.model.id,
        model_provider=_provider(agent.model),
        user_id=call.user_id,
        agent_id=agent.id,
        agent_name=agent.name,
        options=_request_options(agent, call),
        tools=agent.tools_by_name(),
        output_schema=call.output_schema,
        tool_call_limit=agent.tool_call_limit,
    )
    state = RunState(setup, items, history)
    if agent.debug_mode:
        debug_log(
            agent.name,
            f"run {state.output.run_id} started: model {agent.model.id}, session {call.session_id}, "
            f"{len(history)} history items, {len(items)} input items",
        )
    return state


def _record(agent: Agent, state: RunState) -> dict[str, Any]:
    """The ended run as `finish_run` arguments (the sync and async drivers store the same record)."""
    out = state.output
    agent.last_run = out
    if agent.debug_mode:
        debug_log(agent.name, f"run {out.run_id} {out.status.value}: model {out.model}, {out.metrics.to_dict()}")
    return {
        "session_id": out.session_id,
        "run_id": out.run_id,
        "status": _stored_status(out),
        "output_items": state.output_items(),
        "content": out.content if isinstance(out.content, str) else _dump(out.content),
        "model": out.model,
        "metrics": out.metrics.as_dict(),
    }


def _request_options(agent: Agent, call: RunCall) -> dict[str, Any]:
    options: dict[str, Any] = {}
    system = system_prompt(agent)
    if system:
        options["instructions"] = system
    tools = agent.tools_by_name()
    if tools:
        options["tools"] = agent._tools_wire
    if call.text_format is not None:
        options["text_format"] = call.text_format
    if agent.model.reasoning and (tools or agent.add_history_to_context):
        # Reasoning items go back to the model after a tool call and in the history. With store=false the
        # provider cannot look them up by id, so only items with `encrypted_content` can be replayed.
        options["include"] = ["reasoning.encrypted_content"]
    return options


def _stored_status(out: RunOutput) -> str:
    """The store's status: an answer stopped early (Ctrl-C, or cut short by the provider) is "interrupted",
    so the part the user saw stays in the conversation; any other failure is "error" and is not replayed."""
    if out.status == RunStatus.completed:
        return "completed"
    if out.status == RunStatus.cancelled or isinstance(out.error, IncompleteResponseError):
        return "interrupted"
    return "error"


def _provider(model: Model) -> str:
    """agno's `model_provider`: the model's `provider` when it has one, else its class name without
    "Responses" ("OpenRouter" for `OpenRouterResponses`)."""
    provider = getattr(model, "provider", None)
    return provider if isinstance(provider, str) else type(model).__name__.removesuffix("Responses")


def content_only(events: Iterator[RunOutputEvent]) -> Iterator[RunOutputEvent]:
    """agno's `stream_events=False`: the answer's deltas, and the error event before a failure is raised."""
    try:
        for event in events:
            if type(event) is RunContentEvent or type(event) is RunErrorEvent:
                yield event
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()


async def acontent_only(events: AsyncIterator[RunOutputEvent]) -> AsyncIterator[RunOutputEvent]:
    """`content_only` for an async run."""
    try:
        async for event in events:
            if type(event) is RunContentEvent or type(event) is RunErrorEvent:
                yield event
    finally:
        await _aclose(events)


async def _aclose(events: AsyncIterator[Any]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()


async def _acall(state: RunState, call: FunctionCall) -> ToolResult:
    tool = state.tool_for(call)
    return await tool.acall(call.arguments) if tool else state.unknown_tool(call)


async def _gather(calls: list[Coroutine[Any, Any, ToolResult]]) -> list[ToolResult]:
    """Parallel tool calls run concurrently; a single one is simply awaited."""
    if len(calls) == 1:
        return [await calls[0]]
    import asyncio  # the sync path, and `import routerkit.agent`, never need asyncio

    return list(await asyncio.gather(*calls))


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    dump = getattr(value, "model_dump_json", None)
    return dump() if dump else str(value)
