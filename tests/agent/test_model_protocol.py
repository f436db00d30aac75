"""An `Agent` drives any object with the `Model` protocol's members, without subclassing; and the agent layer
stays light and points one way (no console, no tools machinery at import)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import pytest

from routerkit.agent import Agent, Model, RunCompletedEvent, RunContentEvent, RunEvent
from routerkit.errors import UsageError
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.wire._events import StreamEvent
from routerkit.wire._response import ModelResponse


class LoggingModel:
    """A hand-written model: not a subclass of anything routerkit has. It sends its calls through a real
    `OpenRouterResponses` (so over HTTP to the emulator) and logs the options the agent passed."""

    def __init__(self, inner: OpenRouterResponses) -> None:
        self.inner = inner
        self.id = "logging/" + inner.id
        self.reasoning: dict[str, Any] | None = None
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, input: Sequence[Mapping[str, Any]], **options: Any) -> ModelResponse:
        self.calls.append(("invoke", options))
        return self.inner.invoke(input, **options)

    def invoke_stream(self, input: Sequence[Mapping[str, Any]], **options: Any) -> Iterator[StreamEvent]:
        self.calls.append(("invoke_stream", options))
        return self.inner.invoke_stream(input, **options)

    async def ainvoke(self, input: Sequence[Mapping[str, Any]], **options: Any) -> ModelResponse:
        self.calls.append(("ainvoke", options))
        return await self.inner.ainvoke(input, **options)

    def ainvoke_stream(self, input: Sequence[Mapping[str, Any]], **options: Any) -> AsyncIterator[StreamEvent]:
        self.calls.append(("ainvoke_stream", options))
        return self.inner.ainvoke_stream(input, **options)


def test_routerkit_models_and_a_hand_written_one_have_the_protocol(make_model):
    assert isinstance(make_model(), Model)
    assert isinstance(LoggingModel(make_model()), Model)
    assert not issubclass(LoggingModel, OpenRouterResponses)


async def test_an_agent_runs_on_a_hand_written_model_in_all_four_ways(emu, make_model):
    model = LoggingModel(make_model("emulator/echo"))
    agent = Agent(model=model, instructions="Be brief.")
    assert agent.run("one two").content == "one two"
    assert (await agent.arun("three")).content == "three"
    events = list(agent.run("four five", stream=True, stream_events=True))
    assert "".join(e.content for e in events if isinstance(e, RunContentEvent)) == "four five"
    assert [e.event for e in events][-1] is RunEvent.run_completed == "RunCompleted"
    events = [e async for e in agent.arun("six", stream=True, stream_events=True)]
    assert isinstance(events[-1], RunCompletedEvent) and events[-1].content == "six"
    assert [name for name, _ in model.calls] == ["invoke", "ainvoke", "invoke_stream", "ainvoke_stream"]
    assert all(options == {"instructions": "Be brief.", "session_id": agent.session_id} for _, options in model.calls)
    assert events[-1].output.requested_model == "logging/emulator/echo"
    assert [request.body["instructions"] for request in emu.requests] == ["Be brief."] * 4


def test_an_object_without_the_members_is_refused_before_any_request(emu):
    with pytest.raises(UsageError, match=r"model must be a routerkit model .*got str"):
        Agent(model="openai/gpt-4o")  # type: ignore[arg-type]
    assert emu.requests == []


def test_the_agent_layer_imports_neither_the_console_nor_the_tools_machinery():
    code = (
        "import sys, routerkit.agent, routerkit.models.openrouter; "
        "print(sorted(m for m in sys.modules if m.startswith(('routerkit.console', 'routerkit.cli', "
        "'routerkit.agent.tools', 'routerkit.agent._tool_schema', 'docstring_parser', 'pydantic'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
