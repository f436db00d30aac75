"""`Agent`: a model, instructions, tools and a conversation, with agno's names and arguments.

The loop's bookkeeping is in `_state.RunState`; its sync and async drivers (`_run`, `_arun`, and
`continue_run`) are inherited from `_loop.RunLoop` and only call the model and the tools. This class holds the
agent's settings and its public methods. History is kept client-side (OpenRouter is stateless): each run's
items are stored, in memory or in a `db`, and the last `num_history_runs` runs are replayed as input. The
constructor's arguments are checked in `_config`; reading a session back is in `_sessions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Collection, Coroutine, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from ..errors import UsageError
from ..wire._request import CheckedList, check_json
from ._config import Instructions, check_instructions, check_text, refuse_unsupported, shown
from ._events import RunOutputEvent
from ._ids import new_id
from ._loop import RunLoop, acontent_only, content_only
from ._model import Model
from ._printing import shower
from ._run_setup import RunCall
from ._sessions import SessionReads
from ._state import user_input, user_items
from ._tool_steps import alast_output, last_output
from .run import RunOutput

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.console import Console

    from ..db.base import SessionStore
    from ..media import Audio, File, Image, Video
    from ..wire._server_tool import ServerTool
    from ._tool_sources import ToolSource
    from ._toolkit import Toolkit
    from .tools import FunctionTool

__all__ = ["Agent"]

#: What `run` takes as `input` (see `_state.user_items`): text, a pydantic model, a `Message`, or a list of
#: Responses items and `Message`s.
Input = Any


@dataclasses.dataclass(init=False, repr=False, eq=False)
class Agent(RunLoop, SessionReads):
    """An agent on a Responses model, taking agno's arguments.

    `add_history_to_context=True` replays the last `num_history_runs` runs of `session_id` (kept in memory,
    or in `db` so a new process continues the conversation). `tool_call_limit` caps tool calls per run (None
    for no limit), as agno's: calls beyond it are not run, the model is told so and asked once to answer with
    what it has, and the run ends; a model that keeps calling tools cannot loop forever.
    A call to a tool the agent does not have is answered once with the list of tools; a second one ends the
    run with `UnknownToolError`. `model` is anything with the `Model` protocol's members. `instructions` may
    be a function of the agent, called at the start of each run. `retries` sets how many times the model
    retries a transient failure before any output (its `max_retries`). Arguments of agno features routerkit
    does not have (`knowledge`, memory managers, teams, ...) raise `UsageError` naming them.
    """

    # The constructor's arguments, as attributes (a dataclass, so `dataclasses.replace(agent, ...)` copies one).
    model: Model
    name: str | None
    id: str | None
    user_id: str | None
    session_id: str
    instructions: Instructions | None
    description: str | None
    expected_output: str | None
    additional_context: str | None
    add_datetime_to_context: bool
    tools: Sequence[Callable[..., Any] | Toolkit | ToolSource | ServerTool] | None
    tool_call_limit: int | None
    output_schema: type[BaseModel] | None
    markdown: bool
    add_history_to_context: bool
    num_history_runs: int
    db: SessionStore | None
    debug_mode: bool
    retries: int | None

    def __init__(
        self,
        *,
        model: Model | None = None,
        name: str | None = None,
        id: str | None = None,
        user_id: str | None = None,
        session_id: str | None = None,
        instructions: Instructions | None = None,
        description: str | None = None,
        expected_output: str | None = None,
        additional_context: str | None = None,
        add_datetime_to_context: bool = False,
        tools: Sequence[Callable[..., Any] | Toolkit | ToolSource | ServerTool] | None = None,
        tool_call_limit: int | None = 20,
        output_schema: type[BaseModel] | None = None,
        markdown: bool = False,
        add_history_to_context: bool = False,
        num_history_runs: int = 3,
        db: SessionStore | None = None,
        debug_mode: bool = False,
        retries: int | None = None,
        **agno_only: Any,
    ) -> None:
        if agno_only:
            refuse_unsupported(agno_only)
        self.model = _default_model() if model is None else model
        self.name, self.id, self.user_id = name, id, user_id
        self.session_id = new_id() if session_id is None else session_id
        self.instructions, self.description = instructions, description
        self.expected_output, self.additional_context = expected_output, additional_context
        self.add_datetime_to_context, self.markdown, self.debug_mode = add_datetime_to_context, markdown, debug_mode
        self.tools, self.tool_call_limit, self.output_schema = tools, tool_call_limit, output_schema
        self.add_history_to_context, self.num_history_runs = add_history_to_context, num_history_runs
        self.retries = retries
        self._check_arguments()
        if retries is not None:
            self._set_retries(retries)
        self._text_format = _text_format(output_schema)
        self._tools: dict[str, FunctionTool] | None = None
        self._tools_wire: list[dict[str, Any]] = []
        if self.tools is not None:
            self._check_tools()
        self._sources = False
        if self.tools:
            self._sources = _has_sources(self.tools)
            if not self._sources:  # a tool source (an MCP server) is connected when a run starts
                self.tools_by_name()
        if db is None:
            from ..db.memory import InMemoryDb

            db = InMemoryDb()
        else:
            _check_db(db)
        self.db = db
        self._store: SessionStore = db
        self.last_run: RunOutput | None = None

    def __repr__(self) -> str:
        return f"Agent(name={self.name!r}, model={self.model.id!r}, session_id={self.session_id!r})"

    # Public API

    @overload
    def run(
        self,
        input: Input,
        *,
        stream: Literal[False] = False,
        stream_events: bool = False,
        session_id: str | None = None,
        user_id: str | None = None,
        output_schema: type[BaseModel] | None = None,
        images: Sequence[Image] | None = None,
        audio: Sequence[Audio] | None = None,
        videos: Sequence[Video] | None = None,
        files: Sequence[File] | None = None,
    ) -> RunOutput: ...
    @overload
    def run(
        self,
        input: Input,
        *,
        stream: Literal[True],
        stream_events: bool = False,
        session_id: str | None = None,
        user_id: str | None = None,
        output_schema: type[BaseModel] | None = None,
        images: Sequence[Image] | None = None,
        audio: Sequence[Audio] | None = None,
        videos: Sequence[Video] | None = None,
        files: Sequence[File] | None = None,
    ) -> Iterator[RunOutputEvent]: ...
    def run(
        self,
        input: Input,
        *,
        stream: bool = False,
        stream_events: bool = False,
        session_id: str | None = None,
        user_id: str | None = None,
        output_schema: type[BaseModel] | None = None,
        images: Sequence[Image] | None = None,
        audio: Sequence[Audio] | None = None,
        videos: Sequence[Video] | None = None,
        files: Sequence[File] | None = None,
    ) -> RunOutput | Iterator[RunOutputEvent]:
        """Run one turn and return its `RunOutput` (paused, `output.is_paused`, when tool calls wait for the
        user's confirmation: see `continue_run`).

        With `stream=True`, an iterator of run events instead: as in agno, only the answer's
        `RunContentEvent`s (and a `RunErrorEvent` before a failure is raised) unless `stream_events=True`,
        which adds `RunStartedEvent`, `ReasoningContentDeltaEvent`, the tool call events and the closing
        `RunCompletedEvent` or `RunPausedEvent` (its `.output` is the `RunOutput`; `agent.get_last_run_output()`
        gives it too). `session_id`, `user_id` and `output_schema` apply to this run only. `images`, `audio`,
        `videos` and `files` (`routerkit.media`) go with the message.
        """
        items = user_items(input, images=images, audio=audio, videos=videos, files=files)
        call = self._call(session_id, user_id, output_schema)
        if stream:
            events = self._run(items, call, stream=True, all_events=stream_events)
            return events if stream_events else content_only(events)
        return last_output(self._run(items, call, stream=False, all_events=False))

    @overload
    def arun(
        self,
        input: Input,
        *,
        stream: Literal[False] = False,
        stream_events: bool = False,
        session_id: str | None = None,
        user_id: str | None = None,
        output_schema: type[BaseModel] | None = None,
        images: Sequence[Image] | None = None,
        audio: Sequence[Audio] | None = None,
        videos: Sequence[Video] | None = None,
        files: Sequence[File] | None = None,
    ) -> Coroutine[Any, Any, RunOutput]: ...
    @overload
    def arun(
        self,
        input: Input,
        *,
        stream: Literal[True],
        stream_events: bool = False,
        session_id: str | None = None,
        user_id: str | None = None,
        output_schema: type[BaseModel] | None = None,
        images: Sequence[Image] | None = None,
        audio: Sequence[Audio] | None = None,
        videos: Sequence[Video] | None = None,
        files: Sequence[File] | None = None,
    ) -> AsyncIterator[RunOutputEvent]: ...
    def arun(
        self,
        input: Input,
        *,
        stream: bool = False,
        stream_events: bool = False,
        session_id: str | None = None,
        user_id: str | None = None,
        output_schema: type[BaseModel] | None = None,
        images: Sequence[Image] | None = None,
        audio: Sequence[Audio] | None = None,
        videos: Sequence[Video] | None = None,
        files: Sequence[File] | None = None,
    ) -> Coroutine[Any, Any, RunOutput] | AsyncIterator[RunOutputEvent]:
        """`run` for async code: `await agent.arun(...)`, or `async for event in agent.arun(..., stream=True)`
        (an async iterator, not a coroutine, as in agno). Tools run concurrently, sync ones in worker threads."""
        items = user_items(input, images=images, audio=audio, videos=videos, files=files)
        call = self._call(session_id, user_id, output_schema)
        if stream:
            events = self._arun(items, call, stream=True, all_events=stream_events)
            return events if stream_events else acontent_only(events)
        return alast_output(self._arun(items, call, stream=False, all_events=False))

    def print_response(
        self,
        input: Input,
        *,
        stream: bool = False,
        stream_events: bool = False,
        session_id: str | None = None,
        user_id: str | None = None,
        output_schema: type[BaseModel] | None = None,
        markdown: bool | None = None,
        show_message: bool = True,
        show_reasoning: bool = True,
        console: Console | None = None,
        images: Sequence[Image] | None = None,
        audio: Sequence[Audio] | None = None,
        videos: Sequence[Video] | None = None,
        files: Sequence[File] | None = None,
    ) -> RunOutput | None:
        """Run and show the turn: message (with a line per attachment), reasoning, tool calls, answer, and a
        footer; returns the run.

        On a terminal the answer is rendered live; anywhere else (`| tee`, a file, a notebook) the same
        panels are printed as each block finishes, without colours or cursor movement, and Jupyter renders
        them as rich output. A failed run is shown in a red panel and returned with `.error` set. Tool calls
        and reasoning are always shown (agno shows streamed tool calls only with `stream_events=True`), so
        `stream_events` is taken for agno code and changes nothing.
        """
        items, message = user_input(input, images=images, audio=audio, videos=videos, files=files)
        return shower().print_run(
            self._run(items, self._call(session_id, user_id, output_schema), stream=stream, all_events=True),
            message,  # a model or Message is shown as the text it sends
            markdown=self.markdown if markdown is None else markdown,
            stream=stream,
            show_message=show_message,
            show_reasoning=show_reasoning,
            console=console,
        )

    async def aprint_response(
        self,
        input: Input,
        *,
        stream: bool = False,
        stream_events: bool = False,
        session_id: str | None = None,
        user_id: str | None = None,
        output_schema: type[BaseModel] | None = None,
        markdown: bool | None = None,
        show_message: bool = True,
        show_reasoning: bool = True,
        console: Console | None = None,
        images: Sequence[Image] | None = None,
        audio: Sequence[Audio] | None = None,
        videos: Sequence[Video] | None = None,
        files: Sequence[File] | None = None,
    ) -> RunOutput | None:
        """`print_response` for async code."""
        items, message = user_input(input, images=images, audio=audio, videos=videos, files=files)
        return await shower().aprint_run(
            self._arun(items, self._call(session_id, user_id, output_schema), stream=stream, all_events=True),
            message,
            markdown=self.markdown if markdown is None else markdown,
            stream=stream,
            show_message=show_message,
            show_reasoning=show_reasoning,
            console=console,
        )

    # The run's overrides, the tools, and the checks of the arguments

    def _call(self, session_id: str | None, user_id: str | None, output_schema: type[BaseModel] | None) -> RunCall:
        """This call's overrides of the agent's session, user and output schema, checked before any request."""
        if session_id is not None:
            _check_session_id(session_id)
        check_text(user_id, "user_id")
        if output_schema is None or output_schema is self.output_schema:
            return RunCall(
                session_id or self.session_id, user_id or self.user_id, self.output_schema, self._text_format
            )
        return RunCall(
            session_id or self.session_id, user_id or self.user_id, output_schema, _text_format(output_schema)
        )

    def tools_by_name(self) -> dict[str, FunctionTool]:
        """The agent's tools, built once (the first call loads the tools machinery); a tool source's (an MCP
        server's) are asked for again at each run, and the list sent rebuilt only when they changed."""
        if self._tools is None or self._sources:
            if not self.tools:
                return {}
            from ..wire._server_tool import ServerTool
            from ._tool_sources import expand

            server = [tool.to_wire() for tool in self.tools if isinstance(tool, ServerTool)]
            built = expand([tool for tool in self.tools if not isinstance(tool, ServerTool)])
            if self._tools is not None and _same(built, self._tools.values()):
                return self._tools
            self._tools = {tool.name: tool for tool in built}
            if len(self._tools) != len(built):
                raise UsageError("tools must have distinct names")
            # Sent unchanged by every call of every run (checked once, here); server tools are OpenRouter's to
            # run, never ours.
            wire = [tool.to_wire() for tool in built] + server
            check_json("tools", wire)
            self._tools_wire = CheckedList(wire)
        return self._tools

    def _check_arguments(self) -> None:
        if not isinstance(self.model, Model):
            raise UsageError(
                "model must be a routerkit model such as OpenRouterResponses(id='openai/gpt-4o') (or any object "
                f"with the routerkit.agent.Model members), got {type(self.model).__name__}"
            )
        for name in ("name", "id", "user_id", "description", "expected_output", "additional_context"):
            check_text(getattr(self, name), name)
        check_instructions(self.instructions)
        _check_session_id(self.session_id)
        if not isinstance(self.num_history_runs, int) or self.num_history_runs < 1:
            raise UsageError(f"num_history_runs must be a positive integer, got {self.num_history_runs!r}")
        if self.tool_call_limit is not None and (not isinstance(self.tool_call_limit, int) or self.tool_call_limit < 0):
            raise UsageError(f"tool_call_limit must be an integer ≥ 0 or None, got {self.tool_call_limit!r}")

    def _set_retries(self, retries: int) -> None:
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise UsageError(f"retries must be an integer ≥ 0 or None, got {shown(retries)}")
        if not dataclasses.is_dataclass(self.model) or not hasattr(self.model, "max_retries"):
            raise UsageError("retries needs a routerkit model (it sets the model's max_retries)")
        self.model = dataclasses.replace(self.model, max_retries=retries)

    def _check_tools(self) -> None:
        tools = self.tools
        if isinstance(tools, str | bytes) or not isinstance(tools, Sequence):
            raise UsageError(f"tools must be a list of functions or FunctionTools, got {shown(tools)}")
        if not tools:  # no tools: nothing to check, and the tool machinery (pydantic) stays unimported
            return
        from ..wire._server_tool import ServerTool
        from ._toolkit import Toolkit

        for index, tool in enumerate(tools):
            if not callable(tool) and not isinstance(tool, Toolkit | ServerTool) and not _has_sources([tool]):
                raise UsageError(
                    f"tools[{index}] must be a function (sync or async), a FunctionTool, a Toolkit, a server tool "
                    f"such as WebSearch() or a tool source such as MCPTools, got {shown(tool)}"
                )


def _same(built: list[FunctionTool], current: Collection[FunctionTool]) -> bool:
    return len(built) == len(current) and all(a is b for a, b in zip(built, current, strict=True))


def _has_sources(tools: Sequence[Any]) -> bool:
    from ._tool_sources import has_sources

    return has_sources(tools)


def _default_model() -> Model:
    from ..models.openrouter import OpenRouterResponses

    return OpenRouterResponses()


def _text_format(schema: type[BaseModel] | None) -> dict[str, Any] | None:
    if schema is None:
        return None
    from .structured import response_format

    return response_format(schema)


def _check_session_id(session_id: object) -> None:
    if not isinstance(session_id, str) or not session_id.strip():
        raise UsageError(f"session_id must be a non-empty string, got {session_id!r}")


def _check_db(db: object) -> None:
    from ..db.base import SessionStore

    if not isinstance(db, SessionStore):
        raise UsageError(
            f"db must be a session store such as SqliteDb(db_file='agent.db') or InMemoryDb(), got {shown(db)}"
        )
