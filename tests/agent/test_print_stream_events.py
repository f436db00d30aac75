"""`print_response(..., stream_events=True)`: agno code passes it to see the tool calls of a streamed run (agno's
printer builds its tool-call panel from those events); routerkit's printer always reads every event, so the
flag is accepted and the printout is the same with it or without. Through the emulator's `emulator/tool`."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from routerkit.agent import Agent


def get_weather(city: str) -> str:
    """Current weather.

    Args:
        city: The city name.
    """
    return f"sunny in {city}"


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize("stream_events", [True, False])
async def test_tool_calls_are_shown_with_or_without_stream_events(emu, make_model, stream, stream_events):
    agent = Agent(model=make_model("emulator/tool"), tools=[get_weather])
    console = Console(file=io.StringIO(), width=100, record=True)
    out = agent.print_response("weather?", stream=stream, stream_events=stream_events, console=console)
    text = console.export_text()
    assert out is not None and out.status == "COMPLETED" and out.tools
    assert "get_weather" in text and f"sunny in {out.tools[0].tool_args['city']}" in text
    async_console = Console(file=io.StringIO(), width=100, record=True)
    await agent.aprint_response("again", stream=stream, stream_events=stream_events, console=async_console)
    assert "get_weather" in async_console.export_text()
