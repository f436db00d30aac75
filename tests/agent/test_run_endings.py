"""How a run ends when it does not finish: the record it leaves in the session store and what the caller gets.

One plan drives sync and async runs (`agent/_run_plan.py`), so each ending is checked both ways, through the
real HTTP path to the emulator: a Ctrl-C inside a tool, a stream left while its tools run, a task cancelled
during a tool, a provider failure after a tool turn; and the order of a turn's tool events in each driver.
"""

from __future__ import annotations

import asyncio

import pytest

from routerkit.agent import Agent, RunErrorEvent, ToolCallCompletedEvent, ToolCallStartedEvent
from routerkit.emulator import Reply
from routerkit.errors import ServerError
from routerkit.run.base import RunStatus

calls: list[str] = []


def interrupted(city: str) -> str:
    """Weather, interrupted by the user.

    Args:
        city: The city name.
    """
    calls.append(city)
    raise KeyboardInterrupt


def get_weather(city: str) -> str:
    """Current weather.

    Args:
        city: The city name.
    """
    calls.append(city)
    return f"sunny in {city}"


@pytest.fixture(autouse=True)
def _no_calls() -> None:
    calls.clear()


@pytest.mark.parametrize("mode", ["run", "arun"])
async def test_ctrl_c_in_a_tool_is_raised_and_recorded_as_interrupted(emu, make_model, mode):
    agent = Agent(model=make_model("emulator/tool"), tools=[interrupted])
    with pytest.raises(KeyboardInterrupt):
        if mode == "run":
            agent.run("weather")
        else:
            await agent.arun("weather")
    assert calls and agent.last_run is not None and agent.last_run.status == RunStatus.cancelled
    (stored,) = agent.db.get_runs(agent.session_id, statuses=("interrupted",))
    assert stored.run_id == agent.last_run.run_id and len(emu.requests) == 1


def test_leaving_a_stream_at_a_tool_call_records_the_run_as_interrupted_before_the_call(emu, make_model):
    agent = Agent(model=make_model("emulator/tool"), tools=[get_weather])
    stream = agent.run("weather", stream=True, stream_events=True)
    for event in stream:
        if isinstance(event, ToolCallStartedEvent):
            break
    stream.close()
    assert calls == [] and agent.last_run is not None and agent.last_run.status == RunStatus.cancelled
    (stored,) = agent.db.get_runs(agent.session_id, statuses=("interrupted",))
    assert [i["type"] for i in stored.output_items] == ["function_call"]


async def test_cancelling_a_task_during_its_tool_calls_records_the_run_as_interrupted(emu, make_model):
    started = asyncio.Event()

    async def slow_weather(city: str) -> str:
        """Current weather, slowly.

        Args:
            city: The city name.
        """
        started.set()
        await asyncio.sleep(60)
        return "never"

    agent = Agent(model=make_model("emulator/tool"), tools=[slow_weather])
    task = asyncio.create_task(agent.arun("weather"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert agent.last_run is not None and agent.last_run.status == RunStatus.cancelled
    (stored,) = await agent.db.aget_runs(agent.session_id, statuses=("interrupted",))
    assert stored.run_id == agent.last_run.run_id


@pytest.mark.parametrize("mode", ["run", "arun"])
async def test_a_failure_after_a_tool_turn_keeps_the_tool_results_in_the_error_record(emu, make_model, mode):
    def weather_then_outage(city: str) -> str:
        """Current weather; the provider goes down meanwhile.

        Args:
            city: The city name.
        """
        emu.enqueue(Reply(status=502, body={"error": {"code": 502, "message": "provider down"}}))
        return get_weather(city)

    agent = Agent(model=make_model("emulator/tool", max_retries=0), tools=[weather_then_outage])
    events: list[object] = []
    with pytest.raises(ServerError, match="provider down"):
        if mode == "run":
            for event in agent.run("weather", stream=True, stream_events=True):
                events.append(event)
        else:
            async for event in agent.arun("weather", stream=True, stream_events=True):
                events.append(event)
    assert calls and isinstance(events[-1], RunErrorEvent) and events[-1].output.status == RunStatus.error
    assert any(isinstance(e, ToolCallStartedEvent) for e in events) and len(emu.requests) == 2
    (stored,) = agent.db.get_runs(agent.session_id, statuses=("error",))
    assert [i["type"] for i in stored.output_items] == ["function_call", "function_call_output"]


async def test_tool_events_come_call_by_call_in_run_and_turn_by_turn_in_arun(emu, make_model):
    """Sync code calls one tool after another, each call's events before the next starts; async code starts
    the turn's calls together, so all their start events come first."""

    def first_tool(x: int) -> str:
        """First."""
        return "one"

    def second_tool(y: int) -> str:
        """Second."""
        return "two"

    def order(events: list[object]) -> list[str]:
        kinds = {ToolCallStartedEvent: "started", ToolCallCompletedEvent: "completed"}
        return [f"{kinds[type(e)]} {e.call.name}" for e in events if type(e) in kinds]  # type: ignore[attr-defined]

    agent = Agent(model=make_model("emulator/tool"), tools=[first_tool, second_tool])
    sync = order(list(agent.run("use all tools", stream=True, stream_events=True)))
    assert sync == ["started first_tool", "completed first_tool", "started second_tool", "completed second_tool"]
    events = [e async for e in agent.arun("use all tools", stream=True, stream_events=True)]
    assert order(events) == [
        "started first_tool",
        "started second_tool",
        "completed first_tool",
        "completed second_tool",
    ]
