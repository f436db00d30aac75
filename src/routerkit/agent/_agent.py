"""`Agent`: a model, instructions, tools and a conversation, with agno's names.

The loop itself is in `_state.RunState`; `_run` and `_arun` below are its sync and async drivers, which only
call the model and the tools. History is kept client-side (OpenRouter is stateless): each run's items are
stored, in memory or in a `db`, and the last `num_history_runs` runs are replayed as input.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

from ..errors import UsageError
from ..models.openai import OpenAIResponses
from ..wire.events import ResponseCompleted
from ._state import RunState, user_items
from .run import RunCompleted, RunError, RunEvent, RunOutput, RunStarted, ToolCallStarted

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.console import Console

    from ..db.base import SessionStore
    from .tools import FunctionTool

__all__ = ["Agent"]

Message = str | Sequence[dict[str, Any]]


@dataclass
class Agent:
    """An agent on a Responses model.

    `add_history_to_context=True` replays the last `num_history_runs` runs of `session_id` (kept in memory,
    or in `db` so a new process continues the conversation). `tool_call_limit` caps tool calls per run.
    """

    model: OpenAIResponses = field(default_factory=lambda: _default_model())
    instructions: str | Sequence[str] | None = None
    description: str | None = None
    tools: Sequence[Callable[..., Any]] | None = None
    markdown: bool = False
    output_schema: type[BaseModel] | None = None
    add_history_to_context: bool = False
    num_history_runs: int = 3
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    db: SessionStore | None = None
    tool_call_limit: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model, OpenAIResponses):
            raise UsageError(
                "model must be a routerkit model such as OpenRouterResponses(id='openai/gpt-4o'), "
                f"got {type(self.model).__name__}"
            )
        if self.output_schema is not None:
            from .structured import response_format

            self._text_format: dict[str, Any] | None = response_format(self.output_schema)
        else:
            self._text_format = None
        self._tools: dict[str, FunctionTool] | None = None
        if self.tools:
            self._tools_by_name()
        if not isinstance(self.num_history_runs, int) or self.num_history_runs < 1:
            raise UsageError(f"num_history_runs must be a positive integer, got {self.num_history_runs!r}")
        if self.tool_call_limit is not None and (not isinstance(self.tool_call_limit, int) or self.tool_call_limit < 0):
            raise UsageError(f"tool_call_limit must be an integer ≥ 0 or None, got {self.tool_call_limit!r}")
        if not isinstance(self.session_id, str) or not self.session_id.strip():
            raise UsageError(f"session_id must be a non-empty string, got {self.session_id!r}")
        if self.db is None:
            from ..db.memory import InMemoryDb

            self.db = InMemoryDb()
        self._store: SessionStore = self.db
        self.last_run: RunOutput | None = None

    # Public API

    @overload
    def run(self, message: Message, *, stream: Literal[False] = False) -> RunOutput: ...
    @overload
    def run(self, message: Message, *, stream: Literal[True]) -> Iterator[RunEvent]: ...
    def run(self, message: Message, *, stream: bool = False) -> RunOutput | Iterator[RunEvent]:
        """Run one turn. With `stream=True`, an iterator of run events ending in `RunCompleted` (or
        `RunError`, after which the error is raised)."""
        if stream:
            return self._run(user_items(message), stream=True)
        for event in self._run(user_items(message), stream=False):
            if isinstance(event, RunCompleted):
                return event.output
        raise AssertionError("a run ends in RunCompleted or raises")  # pragma: no cover

    @overload
    async def arun(self, message: Message, *, stream: Literal[False] = False) -> RunOutput: ...
    @overload
    async def arun(self, message: Message, *, stream: Literal[True]) -> AsyncIterator[RunEvent]: ...
    async def arun(self, message: Message, *, stream: bool = False) -> RunOutput | AsyncIterator[RunEvent]:
        if stream:
            return self._arun(user_items(message), stream=True)
        async for event in self._arun(user_items(message), stream=False):
            if isinstance(event, RunCompleted):
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
        from ..console._run import print_run

        return print_run(
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
        from ..console._run import aprint_run

        return await aprint_run(
            self._arun(user_items(message), stream=stream),
            message,
            markdown=self.markdown if markdown is None else markdown,
            stream=stream,
            show_message=show_message,
            show_reasoning=show_reasoning,
            console=console,
        )

    # Drivers: the same loop, sync and async

    def _run(self, items: list[dict[str, Any]], *, stream: bool) -> Iterator[RunEvent]:
        state = self._start(items)
        yield RunStarted(state.output.run_id, self.model.id)
        try:
            while True:
                items, options = state.request()
                if stream:
                    response = None
                    for event in self.model.invoke_stream(items, **options):
                        if type(event) is ResponseCompleted:
                            response = event.response
                        elif (run_event := state.translate(event)) is not None:
                            yield run_event
                    assert response is not None
                else:
                    response = self.model.invoke(items, **options)
                calls = state.absorb(response)
                if not calls:
                    break
                for call in calls:
                    yield ToolCallStarted(call)
                    tool = state.tool_for(call)
                    yield state.tool_done(call, tool.call(call.arguments) if tool else state.unknown_tool(call))
            output = state.finish()
        except Exception as exc:
            yield RunError(exc, state.fail(exc))
            raise
        except BaseException as exc:  # KeyboardInterrupt, or the caller closed the stream
            state.fail(exc)
            raise
        yield RunCompleted(output)

    async def _arun(self, items: list[dict[str, Any]], *, stream: bool) -> AsyncIterator[RunEvent]:
        state = self._start(items)
        yield RunStarted(state.output.run_id, self.model.id)
        try:
            while True:
                items, options = state.request()
                if stream:
                    response = None
                    async for event in self.model.ainvoke_stream(items, **options):
                        if type(event) is ResponseCompleted:
                            response = event.response
                        elif (run_event := state.translate(event)) is not None:
                            yield run_event
                    assert response is not None
                else:
                    response = await self.model.ainvoke(items, **options)
                calls = state.absorb(response)
                if not calls:
                    break
                for call in calls:
                    yield ToolCallStarted(call)
                tools = [state.tool_for(call) for call in calls]
                import asyncio

                results = await asyncio.gather(
                    *(
                        tool.acall(call.arguments) if tool else _ready(state.unknown_tool(call))
                        for call, tool in zip(calls, tools, strict=True)
                    )
                )
                for call, result in zip(calls, results, strict=True):
                    yield state.tool_done(call, result)
            output = state.finish()
        except Exception as exc:
            yield RunError(exc, state.fail(exc))
            raise
        except BaseException as exc:  # CancelledError, KeyboardInterrupt, or the caller closed the stream
            state.fail(exc)
            raise
        yield RunCompleted(output)

    # Helpers for RunState

    def _start(self, items: list[dict[str, Any]]) -> RunState:
        history: list[dict[str, Any]] = []
        if self.add_history_to_context:
            runs = self._store.get_runs(
                self.session_id, limit=self.num_history_runs, statuses=("completed", "interrupted")
            )
            for stored in runs:
                if not stored.output_items:
                    continue  # killed before any answer: replaying the bare question would only confuse the model
                history.extend(stored.input_items)
                history.extend(_replayable(stored.output_items))
        state = RunState(self, items, history)
        self._store.start_run(self.session_id, state.output.run_id, state.output.messages[: state.n_input_items])
        return state

    def _record_run(self, state: RunState) -> None:
        out = state.output
        self.last_run = out
        self._store.finish_run(
            self.session_id,
            out.run_id,
            status="completed" if out.status == "completed" else "error" if out.status == "error" else "interrupted",
            output_items=out.messages[state.n_input_items :],
            content=out.content if isinstance(out.content, str) else _dump(out.content),
            model=out.model,
            metrics=out.metrics.as_dict(),
        )

    def _request_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        system = self._system_prompt()
        if system:
            options["instructions"] = system
        if self._tools:
            options["tools"] = [tool.to_wire() for tool in self._tools.values()]
        if self._text_format is not None:
            options["text_format"] = self._text_format
        if self.add_history_to_context and self.model.reasoning:
            # Stateless replay: reasoning can only be sent back if it came back encrypted.
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
        return "\n\n".join(parts) or None

    def _tools_by_name(self) -> dict[str, FunctionTool]:
        if self._tools is None:
            from .tools import function_tool

            built = [function_tool(t) for t in self.tools or ()]
            self._tools = {tool.name: tool for tool in built}
            if len(self._tools) != len(built):
                raise UsageError("tools must have distinct names")
        return self._tools


def _default_model() -> OpenAIResponses:
    from ..models.openrouter import OpenRouterResponses

    return OpenRouterResponses()


def _replayable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items to send back as history: everything as received, except reasoning items that carry no
    `encrypted_content` — the provider cannot look those up again (OpenRouter is stateless) and rejects them."""
    return [i for i in items if i.get("type") != "reasoning" or i.get("encrypted_content")]


async def _ready(value: Any) -> Any:
    return value


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    dump = getattr(value, "model_dump_json", None)
    return dump() if dump else str(value)
