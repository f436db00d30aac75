"""Each OpenRouter capability in every way an agent runs — sync, async, streamed and async streamed — and
shown by `print_response` / `aprint_response` streamed and not, against the emulator, with every request
body valid against the OpenAPI schema. (`test_capabilities.py` holds each capability's details in one mode.)"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console

from routerkit import Agent
from routerkit.emulator import Emulator
from routerkit.run.agent import RunOutput
from routerkit.tools import Datetime, ImageGeneration, WebSearch

from .test_capabilities import LONG, bodies_valid, get_weather

MODES = ["sync", "async", "stream", "astream"]


def run(agent: Agent, prompt: str, mode: str) -> RunOutput:
    """One run of `agent` in `mode`; the finished output."""
    if mode == "sync":
        return agent.run(prompt)
    if mode == "stream":
        return list(agent.run(prompt, stream=True, stream_events=True))[-1].output  # type: ignore[union-attr]

    async def arun() -> RunOutput:
        if mode == "async":
            return await agent.arun(prompt)
        return [e async for e in agent.arun(prompt, stream=True, stream_events=True)][-1].output  # type: ignore[union-attr]

    return asyncio.run(arun())


@pytest.mark.parametrize("mode", MODES)
def test_citations_and_server_tools(emu: Emulator, make_model: Callable[..., Any], mode: str) -> None:
    agent = Agent(model=make_model("openai/gpt-4o"), tools=[WebSearch(max_results=2), Datetime()])
    out = run(agent, "Who built the Eiffel Tower", mode)
    assert out.citations is not None and len(out.citations.unique_urls()) == 2
    assert [c.type for c in out.responses[0].server_tool_calls] == ["openrouter:datetime", "web_search_call"]
    assert out.metrics.web_search_requests == 1 and out.metrics.server_tool_calls == 2
    bodies_valid(emu)


@pytest.mark.parametrize("mode", MODES)
def test_image_output(emu: Emulator, make_model: Callable[..., Any], mode: str) -> None:
    out = run(Agent(model=make_model("google/gemini-2.5-flash-image", modalities=["image", "text"])), "a cat", mode)
    assert len(out.images) == 1 and out.images[0].data.startswith(b"\x89PNG")
    out = run(Agent(model=make_model("openai/gpt-4o"), tools=[ImageGeneration()]), "a dog", mode)
    assert len(out.images) == 1 and out.images[0].mime_type == "image/png"
    bodies_valid(emu)


@pytest.mark.parametrize("mode", MODES)
def test_prompt_cache_reads_on_the_second_call(emu: Emulator, make_model: Callable[..., Any], mode: str) -> None:
    agent = Agent(model=make_model("openai/gpt-4o"), instructions=LONG, add_history_to_context=True)
    first = run(agent, "first question", mode)
    second = run(agent, "second question", mode)
    assert first.metrics.cache_read_tokens == 0 and second.metrics.cache_read_tokens >= 1024
    assert second.metrics.input_cost is not None and first.metrics.input_cost is not None
    assert second.metrics.input_cost < first.metrics.input_cost
    assert {b["session_id"] for b in bodies_valid(emu)} == {agent.session_id}


@pytest.mark.parametrize("mode", MODES)
def test_forcing_tool_choice_is_sent_once(emu: Emulator, make_model: Callable[..., Any], mode: str) -> None:
    model = make_model("emulator/tool", tool_choice="required", parallel_tool_calls=False, max_tool_calls=3)
    out = run(Agent(model=model, tools=[get_weather]), "weather in Paris", mode)
    assert out.status == "COMPLETED" and [t.result for t in out.tools] == ["sunny in Paris"]
    bodies = bodies_valid(emu)
    assert [b["tool_choice"] for b in bodies] == ["required", "auto"]
    assert all(b["parallel_tool_calls"] is False and b["max_tool_calls"] == 3 for b in bodies)


@pytest.mark.parametrize("mode", MODES)
def test_a_router_id_is_routed(make_model: Callable[..., Any], mode: str) -> None:
    out = run(Agent(model=make_model("openrouter/auto")), "hi", mode)
    assert out.responses[-1].routed_to == "openai/gpt-4o-mini" and not out.fallback_used


def _terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=200, height=40, color_system="truecolor", record=True)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("asynchronous", [False, True])
def test_print_response_shows_sources_image_and_cached_tokens(
    make_model: Callable[..., Any], stream: bool, asynchronous: bool
) -> None:
    model = make_model("openai/gpt-4o", modalities=["image", "text"])
    agent = Agent(model=model, tools=[WebSearch()], instructions=LONG, add_history_to_context=True)
    agent.run("first")
    console = _terminal()
    if asynchronous:
        out = asyncio.run(agent.aprint_response("Who built the Eiffel Tower", stream=stream, console=console))
    else:
        out = agent.print_response("Who built the Eiffel Tower", stream=stream, console=console)
    assert out is not None
    text = console.export_text()
    assert "searched: Who built the Eiffel Tower" in text and "Sources:" in text
    assert "[1] Who built the eiffel tower — Example Encyclopedia — https://" in text
    assert f"1 image (image/png, {out.images[0].size} B)" in text
    footer = text.strip().splitlines()[-1]
    assert f"({out.metrics.cache_read_tokens:,} cached)" in footer and out.metrics.cache_read_tokens >= 1024
