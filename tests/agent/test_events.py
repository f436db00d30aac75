"""The events of a streamed run carry agno's names and values, so code written for agno's `RunEvent` works
unchanged; and the run's output is what the events showed."""

from __future__ import annotations

import dataclasses

import pytest

from routerkit.agent import (
    Agent,
    ReasoningContentDeltaEvent,
    RunCompletedEvent,
    RunContentEvent,
    RunErrorEvent,
    RunEvent,
    ToolCallCompletedEvent,
)
from routerkit.errors import BadRequestError
from routerkit.run.base import RunStatus


def get_weather(city: str) -> str:
    """Current weather.

    Args:
        city: The city name.
    """
    return f"sunny in {city}"


def test_run_event_members_are_agnos():
    """Every member of agno's `RunEvent` (agno's run/agent.py), with agno's value."""
    agno = [
        "RunStarted",
        "RunContent",
        "RunContentCompleted",
        "RunIntermediateContent",
        "RunCompleted",
        "RunError",
        "RunCancelled",
        "RunPaused",
        "RunContinued",
        "PreHookStarted",
        "PreHookCompleted",
        "PostHookStarted",
        "PostHookCompleted",
        "ToolCallStarted",
        "ToolCallCompleted",
        "ToolCallError",
        "ToolCallArgsDelta",
        "ReasoningStarted",
        "ReasoningStep",
        "ReasoningContentDelta",
        "ReasoningCompleted",
        "MemoryUpdateStarted",
        "MemoryUpdateCompleted",
        "SessionSummaryStarted",
        "SessionSummaryCompleted",
        "ParserModelResponseStarted",
        "ParserModelResponseCompleted",
        "OutputModelResponseStarted",
        "OutputModelResponseCompleted",
        "ModelRequestStarted",
        "ModelRequestCompleted",
        "CompressionStarted",
        "CompressionCompleted",
        "FollowupsStarted",
        "FollowupsCompleted",
        "CustomEvent",
    ]
    assert [member.value for member in RunEvent] == agno
    assert RunEvent.run_content.name == "run_content" and RunEvent.custom_event.name == "custom_event"
    assert RunEvent.run_intermediate_content.name == "run_intermediate_content"


async def test_a_streamed_run_with_reasoning_names_its_events_as_agno_does(make_model):
    agent = Agent(model=make_model("emulator/reasoning", reasoning={"enabled": True}))
    events = [event async for event in agent.arun("why is the sky blue", stream=True, stream_events=True)]
    names = [event.event for event in events]
    assert names[0] == "RunStarted" and names[-1] == RunEvent.run_completed
    assert set(names[1:-1]) == {"ReasoningContentDelta", "RunContent"}
    out = events[-1].output
    assert "".join(e.content for e in events if e.event == RunEvent.run_content) == out.content
    assert events[-1].content == out.content
    thoughts = "".join(e.reasoning_content for e in events if isinstance(e, ReasoningContentDeltaEvent))
    assert thoughts.strip() == out.reasoning_content.strip()
    content = next(e for e in events if isinstance(e, RunContentEvent))
    with pytest.raises(dataclasses.FrozenInstanceError):
        content.content = "changed"  # type: ignore[misc]


def test_tool_events_and_the_completed_event(make_model):
    agent = Agent(model=make_model("emulator/tool"), tools=[get_weather])
    events = list(agent.run("weather in Paris", stream=True, stream_events=True))
    assert [e.event for e in events if "ToolCall" in e.event] == ["ToolCallStarted", "ToolCallCompleted"]
    done = next(e for e in events if isinstance(e, ToolCallCompletedEvent))
    assert done.call.name == "get_weather" and done.result.output.startswith("sunny in ")
    assert isinstance(events[-1], RunCompletedEvent) and done.result.output in events[-1].content


def test_a_failed_run_ends_in_run_error_with_the_message_as_content(make_model):
    agent = Agent(model=make_model("emulator/fail-400"))
    events = []
    with pytest.raises(BadRequestError) as failed:
        for event in agent.run("hi", stream=True, stream_events=True):
            events.append(event)
    last = events[-1]
    assert isinstance(last, RunErrorEvent) and last.event == "RunError"
    assert last.error is failed.value and last.content == str(failed.value) and last.output.status == "ERROR"
    assert not any(isinstance(e, RunContentEvent) for e in events)


def test_leaving_an_answer_only_stream_early_records_the_run_as_cancelled(make_model):
    """Without `stream_events` the caller sees only content events; breaking out still closes the run."""
    agent = Agent(model=make_model("emulator/markdown-50@5"))
    stream = agent.run("long", stream=True)
    first = next(stream)
    assert isinstance(first, RunContentEvent)
    stream.close()
    assert agent.last_run is not None and agent.last_run.status == RunStatus.cancelled
    (stored,) = agent.db.get_runs(agent.session_id, statuses=("interrupted",))
    assert stored.content and stored.content.startswith(first.content)


async def test_leaving_an_async_answer_only_stream_early_records_the_run_as_cancelled(make_model):
    """Also closes the model's HTTP stream while the loop runs (pytest turns a response closed later, by the
    garbage collector without a loop, into a failure)."""
    agent = Agent(model=make_model("emulator/markdown-50@5"))
    stream = agent.arun("long", stream=True)
    async for event in stream:
        assert isinstance(event, RunContentEvent)
        break
    await stream.aclose()  # type: ignore[attr-defined]
    assert agent.last_run is not None and agent.last_run.status == RunStatus.cancelled
