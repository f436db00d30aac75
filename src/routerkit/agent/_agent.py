"""`Agent`: a model, instructions, tools and a conversation, with agno's names.

The loop itself is in `_state.RunState`; `_run` and `_arun` below are its sync and async drivers, which only
call the model and the tools. History is kept client-side (OpenRouter is stateless): each run's items are
stored, in memory or in a `db`, and the last `num_history_runs` runs are replayed as input.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

from ..errors import UsageError
from ..wire._events import ResponseCompleted
from ..wire._server_tool import ServerTool
from ._events import RunCompletedEvent, RunErrorEvent, RunOutputEvent, RunStartedEvent, ToolCallStartedEvent
from ._model import Model
from ._printing import shower
from ._state import RunSetup, RunState, replayable, user_items
from ._text import encodable
from .run import RunOutput

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.console import Console

    from ..db.base import SessionStore, StoredRun
    from ..wire._response import FunctionCall
    from .tools import FunctionTool, ToolResult

__all__ = ["Agent"]

Message = str | Sequence[dict[str, Any]]


@dataclass
class Agent:
    """An agent on a Responses model.

    `add_history_to_context=True` replays the last `num_history_runs` runs of `session_id` (kept in memory,
    or in `db` so a new process continues the conversation). `tool_call_limit` caps tool calls per run
    (`ToolCallLimitError` beyond it; None for no limit): a model that keeps calling tools cannot loop forever.
    A call to a tool the agent does not have is answered once with the list of tools; a second one ends the
    run with `UnknownToolError`. `model` is anything with the `Model` protocol's members.
    """

    model: Model = field(default_factory=lambda: _default_model())
    instructions: str | Sequence[str] | None = None
    description: str | None = None
    tools: Sequence[Callable[..., Any] | ServerTool] | None = None
    markdown: bool = False
    output_schema: type[BaseModel] | None = None
    add_history_to_context: bool = False
    num_history_runs: int = 3
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    db: SessionStore | None = None
    tool_call_limit: int | None = 20

    def __post_init__(self) -> None:
        if not isinstance(self.model, Model):
            raise UsageError(
                "model must be a routerkit model such as OpenRouterResponses(id='openai/gpt-4o') (or any object "
                f"with the routerkit.agent.Model members), got {type(self.model).__name__}"
            )
        self._check_text_fields()
        if self.output_schema is not None:
            from .structured import response_format

            self._text_format: dict[str, Any] | None = response_format(self.output_schema)
        else:
            self._text_format = None
        self._tools: dict[str, FunctionTool] | None = None
        self._tools_wire: list[dict[str, Any]] = []
        if self.tools is not None:
            self._check_tools()
        if self.tools:
            self.tools_by_name()
        if not isinstance(self.num_history_runs, int) or self.num_history_runs < 1:
            raise UsageError(f"num_history_runs must be a positive integer, got {self.num_history_runs!r}")
        if self.tool_call_limit is not None and (not isinstance(self.tool_call_limit, int) or self.tool_call_limit < 0):
            raise UsageError(f"tool_call_limit must be an integer ≥ 0 or None, got {self.tool_call_limit!r}")
        if not isinstance(self.session_id, str) or not self.session_id.strip():
            raise UsageError(f"session_id must be a non-empty string, got {self.session_id!r}")
        if self.db is None:
            from ..db.memory import InMemoryDb

            self.db = InMemoryDb()
        else:
            self._check_db()
        self._store: SessionStore = self.db
        self.last_run: RunOutput | None = None

    # Public API

    @overload
    def run(self, message: Message, *, stream: Literal[False] = False) -> RunOutput: ...
    @overload
    def run(self, message: Message, *, stream: Literal[True]) -> Iterator[RunOutputEvent]: ...
    def run(self, message: Message, *, stream: bool = False) -> RunOutput | Iterator[RunOutputEvent]:
        """Run one turn. With `stream=True`, an iterator of run events ending in `RunCompletedEvent` (or
        `RunErrorEvent`, after which the error is raised)."""
        if stream:
            return self._run(user_items(message), stream=True)
        for event in self._run(user_items(message), stream=False):
            if isinstance(event, RunCompletedEvent):
                return event.output
        raise AssertionError("a run ends in RunCompleted or raises")  # pragma: no cover

    @overload
    async def arun(self, message: Message, *, stream: Literal[False] = False) -> RunOutput: ...
    @overload
    async def arun(self, message: Message, *, stream: Literal[True]) -> AsyncIterator[RunOutputEvent]: ...
    async def arun(self, message: Message, *, stream: bool = False) -> RunOutput | AsyncIterator[RunOutputEvent]:
        """`run` for async code: tools run concurrently, sync ones in worker threads."""
        if stream:
            return self._arun(user_items(message), stream=True)
        async for event in self._arun(user_items(message), stream=False):
            if isinstance(event, RunCompletedEvent):
                return event.output
        raise AssertionError("a run ends in RunCompleted or raises")  # pragma: no cover

    def print_response(
        self,
        message: Message,
        stream: bool = False,
        markdown: bool | None = None,
        show_message: bool = True,
        show_reasoning: bool = True,
        console: Console | None = None,
    ) -> RunOutput | None:
        """Run and show the turn in the terminal: message, reasoning, tool calls, answer, and a footer."""
        return shower().print_run(
            self._run(user_items(message), stream=stream),
            message,
            markdown=self.markdown if markdown is None else markdown,
            stream=stream,
            show_message=show_message,
            show_reasoning=show_reasoning,
            console=console,
        )

    async def aprint_response(
        self,
        message: Message,
        stream: bool = False,
        markdown: bool | None = None,
        show_message: bool = True,
        show_reasoning: bool = True,
        console: Console | None = None,
    ) -> RunOutput | None:
        """`print_response` for async code."""
        return await shower().aprint_run(
            self._arun(user_items(message), stream=stream),
            message,
            markdown=self.markdown if markdown is None else markdown,
            stream=stream,
            show_message=show_message,
            show_reasoning=show_reasoning,
            console=console,
        )

    # Drivers: the same loop, sync and async

    def _run(self, items: list[dict[str, Any]], *, stream: bool) -> Iterator[RunOutputEvent]:
        stored = self._store.get_runs(**self._history_query()) if self.add_history_to_context else []
        state = self._new_state(items, stored)
        self._store.start_run(self.session_id, state.output.run_id, items[:])
        yield RunStartedEvent(state.output.run_id, self.model.id)
        event_for = state.acc.event
        try:
            while True:
                if stream:
                    response = None
                    for event in self.model.invoke_stream(state.request(), **state.call_options()):
                        if type(event) is ResponseCompleted:
                            response = event.response
                        elif (run_event := event_for(event)) is not None:
                            yield run_event
                    assert response is not None
                else:
                    response = self.model.invoke(state.request(), **state.call_options())
                calls = state.absorb(response)
                if not calls:
                    break
                for call in calls:
                    yield ToolCallStartedEvent(call)
                    tool = state.tool_for(call)
                    yield state.acc.tool_done(call, tool.call(call.arguments) if tool else state.unknown_tool(call))
            output = state.finish()
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
        yield RunCompletedEvent(output)

    async def _arun(self, items: list[dict[str, Any]], *, stream: bool) -> AsyncIterator[RunOutputEvent]:
        stored = await self._store.aget_runs(**self._history_query()) if self.add_history_to_context else []
        state = self._new_state(items, stored)
        await self._store.astart_run(self.session_id, state.output.run_id, items[:])
        yield RunStartedEvent(state.output.run_id, self.model.id)
        event_for = state.acc.event
        try:
            while True:
                if stream:
                    response = None
                    async for event in self.model.ainvoke_stream(state.request(), **state.call_options()):
                        if type(event) is ResponseCompleted:
                            response = event.response
                        elif (run_event := event_for(event)) is not None:
                            yield run_event
                    assert response is not None
                else:
                    response = await self.model.ainvoke(state.request(), **state.call_options())
                calls = state.absorb(response)
                if not calls:
                    break
                for call in calls:
                    yield ToolCallStartedEvent(call)
                results = await _gather([_acall(state, call) for call in calls])
                for call, result in zip(calls, results, strict=True):
                    yield state.acc.tool_done(call, result)
            output = state.finish()
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
        yield RunCompletedEvent(output)

    # The run's setup, and its record in the session store

    def _history_query(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "limit": self.num_history_runs,
            "statuses": ("completed", "interrupted"),
        }

    def _new_state(self, items: list[dict[str, Any]], stored: Sequence[StoredRun]) -> RunState:
        history: list[dict[str, Any]] = []
        for run in stored:
            if not run.output_items:
                continue  # killed before any answer: replaying the bare question would only confuse the model
            history.extend(encodable(run.input_items))
            history.extend(replayable(encodable(run.output_items)))
        setup = RunSetup(
            session_id=self.session_id,
            model_id=self.model.id,
            options=self._request_options(),
            tools=self.tools_by_name(),
            output_schema=self.output_schema,
            tool_call_limit=self.tool_call_limit,
        )
        return RunState(setup, items, history)

    def _record(self, state: RunState) -> dict[str, Any]:
        """The ended run as `finish_run` arguments (the sync and async drivers store the same record)."""
        out = state.output
        self.last_run = out
        return {
            "session_id": self.session_id,
            "run_id": out.run_id,
            "status": "completed" if out.status == "completed" else "error" if out.status == "error" else "interrupted",
            "output_items": state.output_items(),
            "content": out.content if isinstance(out.content, str) else _dump(out.content),
            "model": out.model,
            "metrics": out.metrics.as_dict(),
        }

    def _request_options(self) -> dict[str, Any]:
        # The session id lets OpenRouter keep a conversation on one provider, whose prompt cache then hits.
        options: dict[str, Any] = {"session_id": self.session_id}
        system = self._system_prompt()
        if system:
            options["instructions"] = system
        tools = self.tools_by_name()
        if self._tools_wire:
            options["tools"] = self._tools_wire
            choice = getattr(self.model, "tool_choice", None)
            if choice is not None:
                options["tool_choice"] = choice  # the model's own, relaxed after the first call (RunState)
        if self._text_format is not None:
            options["text_format"] = self._text_format
        if self.model.reasoning and (tools or self.add_history_to_context):
            # Reasoning items go back to the model after a tool call and in the history. With store=false the
            # provider cannot look them up by id, so only items with `encrypted_content` can be replayed.
            options["include"] = ["reasoning.encrypted_content"]
        return options

    def _system_prompt(self) -> str | None:
        parts: list[str] = []
        if self.description:
            parts.append(self.description)
        if isinstance(self.instructions, str):
            parts.append(self.instructions)
        elif self.instructions:
            parts.extend(f"- {line}" for line in self.instructions)
        if self.markdown and self.output_schema is None:
            parts.append("Use markdown to format your answers.")
        return encodable("\n\n".join(parts)) or None

    def tools_by_name(self) -> dict[str, FunctionTool]:
        """The agent's tools, built once (the first call loads the tools machinery)."""
        if self._tools is None:
            server = [t.to_wire() for t in self.tools or () if isinstance(t, ServerTool)]
            functions = [t for t in self.tools or () if not isinstance(t, ServerTool)]
            if not functions:
                self._tools, self._tools_wire = {}, server
                return self._tools
            from .tools import function_tool

            built = [function_tool(t) for t in functions]
            self._tools = {tool.name: tool for tool in built}
            if len(self._tools) != len(built):
                raise UsageError("tools must have distinct names")
            # Sent unchanged by every call of every run; server tools are OpenRouter's to run, never ours.
            self._tools_wire = [tool.to_wire() for tool in built] + server
        return self._tools

    # Checks of the arguments, before any request

    def _check_text_fields(self) -> None:
        if self.description is not None and not isinstance(self.description, str):
            raise UsageError(f"description must be a string or None, got {type(self.description).__name__}")
        instructions = self.instructions
        if instructions is None or isinstance(instructions, str):
            return
        if not isinstance(instructions, Sequence) or not all(isinstance(line, str) for line in instructions):
            raise UsageError(f"instructions must be a string, a list of strings or None, got {_shown(instructions)}")

    def _check_tools(self) -> None:
        tools = self.tools
        if isinstance(tools, str | bytes) or not isinstance(tools, Sequence):
            raise UsageError(f"tools must be a list of functions or FunctionTools, got {_shown(tools)}")
        for index, tool in enumerate(tools):
            if not callable(tool) and not isinstance(tool, ServerTool):
                raise UsageError(
                    f"tools[{index}] must be a function (sync or async), a FunctionTool or a server tool such as "
                    f"WebSearch(), got {_shown(tool)}"
                )

    def _check_db(self) -> None:
        from ..db.base import SessionStore

        if not isinstance(self.db, SessionStore):
            raise UsageError(
                "db must be a session store such as SqliteDb(db_file='agent.db') or InMemoryDb(), "
                f"got {_shown(self.db)}"
            )


def _default_model() -> Model:
    from ..models.openrouter import OpenRouterResponses

    return OpenRouterResponses()


async def _acall(state: RunState, call: FunctionCall) -> ToolResult:
    tool = state.tool_for(call)
    return await tool.acall(call.arguments) if tool else state.unknown_tool(call)


async def _gather(calls: list[Coroutine[Any, Any, ToolResult]]) -> list[ToolResult]:
    """Parallel tool calls run concurrently; a single one is simply awaited."""
    if len(calls) == 1:
        return [await calls[0]]
    import asyncio  # the sync path, and `import routerkit.agent`, never need asyncio

    return list(await asyncio.gather(*calls))


def _shown(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    dump = getattr(value, "model_dump_json", None)
    return dump() if dump else str(value)
