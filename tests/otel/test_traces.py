"""Traces of real runs against the emulator, read back from the SDK's in-memory exporter.

A tool-using run whose first model fails over (`emulator/fail-502` → `emulator/tool`, OpenRouter's `models`
fallback done by the emulator as the service does) must show `invoke_agent` ⊃ `chat {model}` spans and
`execute_tool` spans with the GenAI attributes, OpenRouter's cost, generation id and fallback flag, and the
token and duration metrics; content only when asked for.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from routerkit import Agent
from routerkit.errors import RateLimitError
from tests.conftest import TEST_KEY
from tests.otel.conftest import Telemetry

SECRET = "the-secret-city-Zanzibar"


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def _agent(make_model: Callable[..., Any]) -> Agent:
    model = make_model("emulator/fail-502", models=["emulator/tool"])
    return Agent(model=model, tools=[get_weather], session_id="session-42")


def _run(agent: Agent, how: str) -> Any:
    message = f"weather in {SECRET}?"
    if how == "run":
        return agent.run(message)
    if how == "stream":
        return [*agent.run(message, stream=True, stream_events=True)][-1].output

    async def go() -> Any:
        return [e async for e in agent.arun(message, stream=True, stream_events=True)][-1].output

    return asyncio.run(go())


@pytest.mark.parametrize("how", ["run", "stream", "arun-stream"])
def test_a_fallback_tool_run_is_one_agent_span_over_its_calls_and_tools(
    telemetry: Telemetry, make_model: Callable[..., Any], how: str
) -> None:
    output = _run(_agent(make_model), how)
    assert output.status == "COMPLETED"

    [run] = telemetry.named("invoke_agent")
    chats = telemetry.named("chat ")
    [tool] = telemetry.named("execute_tool")
    assert [c.name for c in chats] == ["chat emulator/fail-502"] * 2
    for child in [*chats, tool]:
        assert child.parent is not None and child.parent.span_id == run.context.span_id
        assert child.context.trace_id == run.context.trace_id

    assert run.attributes is not None
    assert run.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert run.attributes["gen_ai.provider.name"] == "openrouter"
    assert run.attributes["gen_ai.conversation.id"] == "session-42"
    assert run.attributes["gen_ai.request.model"] == "emulator/fail-502"
    assert run.attributes["gen_ai.response.model"] == "emulator/tool"
    assert run.attributes["openrouter.fallback"] is True
    assert run.attributes["gen_ai.usage.input_tokens"] == output.metrics.input_tokens > 0
    assert run.attributes["openrouter.cost"] == pytest.approx(output.metrics.cost)

    first, second = (c.attributes for c in chats)
    assert first is not None and second is not None
    for attributes, response in zip((first, second), output.responses, strict=True):
        assert attributes["gen_ai.operation.name"] == "chat"
        assert attributes["gen_ai.provider.name"] == "openrouter"
        assert attributes["gen_ai.request.model"] == "emulator/fail-502"
        assert attributes["gen_ai.response.model"] == "emulator/tool"
        assert attributes["openrouter.fallback"] is True
        assert attributes["gen_ai.response.id"] == response.id
        assert attributes["openrouter.generation_id"] == response.generation_id
        assert attributes["gen_ai.usage.input_tokens"] == response.usage.input_tokens
        assert attributes["gen_ai.usage.output_tokens"] == response.usage.output_tokens
        assert attributes["openrouter.cost"] == pytest.approx(response.usage.cost)
        assert attributes["server.address"] == "127.0.0.1"
    assert first["gen_ai.response.finish_reasons"] == ("tool_call",)
    assert second["gen_ai.response.finish_reasons"] == ("stop",)

    assert tool.attributes is not None
    assert tool.attributes["gen_ai.tool.name"] == "get_weather"
    assert tool.attributes["gen_ai.tool.call.id"] == output.tools[0].tool_call_id

    # Content is left out unless asked for.
    everything = json.dumps([dict(s.attributes or {}) for s in telemetry.spans()])
    assert SECRET not in everything and "example city" not in everything and TEST_KEY not in everything

    tokens = telemetry.points("gen_ai.client.token.usage")
    kinds = sorted(p.attributes["gen_ai.token.type"] for p in tokens)
    assert kinds == ["input", "output"]  # one series each, two calls recorded in it
    assert all(p.count == 2 and p.attributes["gen_ai.response.model"] == "emulator/tool" for p in tokens)
    [duration] = telemetry.points("gen_ai.client.operation.duration")
    assert duration.count == 2
    first_chunk = telemetry.points("gen_ai.client.operation.time_to_first_chunk")
    assert len(first_chunk) == (0 if how == "run" else 1)
    streamed = ["gen_ai.response.time_to_first_chunk" in (c.attributes or {}) for c in chats]
    assert streamed == [how != "run"] * 2


def test_content_is_recorded_when_asked(telemetry_with_content: Telemetry, make_model: Callable[..., Any]) -> None:
    _run(_agent(make_model), "run")
    first, second = (c.attributes or {} for c in telemetry_with_content.named("chat "))
    assert SECRET in first["gen_ai.input.messages"]
    assert json.loads(first["gen_ai.output.messages"])[0]["parts"][0]["type"] == "tool_call"
    assert "sunny in" in second["gen_ai.input.messages"]  # the tool's result went back to the model
    [tool] = telemetry_with_content.named("execute_tool")
    assert json.loads((tool.attributes or {})["gen_ai.tool.call.arguments"]) == {"city": "example city"}
    assert (tool.attributes or {})["gen_ai.tool.call.result"].startswith("sunny in")
    everything = json.dumps([dict(s.attributes or {}) for s in telemetry_with_content.spans()])
    assert TEST_KEY not in everything


def test_retries_are_events_of_one_chat_span_and_the_error_text_is_content(
    telemetry: Telemetry, make_model: Callable[..., Any]
) -> None:
    model = make_model("emulator/fail-429-ms", max_retries=1)
    with pytest.raises(RateLimitError):
        Agent(model=model).run("hello")
    [chat] = telemetry.named("chat ")
    [run] = telemetry.named("invoke_agent")
    assert [e.name for e in chat.events] == ["retry"]
    retry = chat.events[0].attributes or {}
    assert retry["error.type"] == "RateLimitError" and retry["http.response.status_code"] == 429
    assert (chat.attributes or {})["error.type"] == "RateLimitError"
    assert (chat.attributes or {})["openrouter.retries"] == 1
    for span in (chat, run):
        assert span.status.status_code.name == "ERROR"
        assert span.status.description is None  # the message is content: not without capture_content


def test_error_text_is_kept_with_capture_content(
    telemetry_with_content: Telemetry, make_model: Callable[..., Any]
) -> None:
    with pytest.raises(RateLimitError) as raised:
        Agent(model=make_model("emulator/fail-429-ms", max_retries=0)).run("hello")
    [chat] = telemetry_with_content.named("chat ")
    assert chat.status.description == str(raised.value)
    assert [e.name for e in chat.events] == ["exception"]


def test_a_bare_model_call_is_a_root_chat_span(telemetry: Telemetry, make_model: Callable[..., Any]) -> None:
    make_model("emulator/echo").invoke("hi")
    [chat] = telemetry.spans()
    assert chat.name == "chat emulator/echo" and chat.parent is None
    assert (chat.attributes or {})["openrouter.fallback"] is False


def test_nothing_is_traced_after_uninstrument(telemetry: Telemetry, make_model: Callable[..., Any]) -> None:
    from routerkit.otel import uninstrument

    uninstrument()
    Agent(model=make_model("emulator/echo")).run("hi")
    assert telemetry.spans() == []
