"""`from routerkit.tools import tool`: agno's decorator, and what each of its options does to a run, through
the real HTTP path to the emulator's `emulator/tool` model (it calls the first tool, then answers by quoting
the tool outputs it got)."""

from __future__ import annotations

import inspect
import subprocess
import sys
from typing import Any

import pytest

from routerkit.agent import Agent, RunCompletedEvent, RunContentEvent
from routerkit.errors import UsageError
from routerkit.run.base import RunStatus
from routerkit.tools import FunctionTool, tool

from ..openapi_schema import validate

MODES = ["sync", "async", "sync-stream", "async-stream"]


async def drive(agent: Agent, message: str, mode: str) -> tuple[Any, list[Any]]:
    """The run's output and its events (none unless streamed)."""
    if mode == "sync":
        return agent.run(message), []
    if mode == "async":
        return await agent.arun(message), []
    if mode == "sync-stream":
        events = list(agent.run(message, stream=True, stream_events=True))
    else:
        stream = agent.arun(message, stream=True, stream_events=True)
        events = [e async for e in (await stream if inspect.isawaitable(stream) else stream)]
    assert isinstance(events[-1], RunCompletedEvent)
    return events[-1].output, events


def test_bare_and_with_arguments_both_give_tools_that_stay_callable() -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @tool(name="multiply_numbers", description="Multiply a by b.")
    def mul(a: int, b: int) -> int:
        """Ignored: description= wins."""
        return a * b

    assert isinstance(add, FunctionTool) and isinstance(mul, FunctionTool)
    assert add(2, 3) == 5 and mul(a=2, b=3) == 6  # still the functions
    assert add.to_wire()["name"] == "add" and add.to_wire()["description"] == "Add two numbers."
    assert mul.to_wire()["name"] == "multiply_numbers" and mul.to_wire()["description"] == "Multiply a by b."
    assert add.to_wire()["strict"] is False


def test_agno_options_routerkit_lacks_are_refused_by_name() -> None:
    with pytest.raises(UsageError, match="agno options routerkit does not have: pre_hook, requires_user_input"):
        tool(pre_hook=print, requires_user_input=True)
    with pytest.raises(UsageError, match="unknown options: confirm"):
        tool(confirm=True)
    with pytest.raises(UsageError, match="requires_confirmation must be True or False"):
        tool(requires_confirmation="yes")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="cache_ttl must be a positive number of seconds"):
        tool(cache_results=True, cache_ttl=0)


def test_import_routerkit_tools_loads_no_pydantic() -> None:
    code = "import sys, routerkit.tools; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


# -- stop_after_tool_call, show_result ------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_stop_after_tool_call_ends_the_run_with_the_result_as_the_answer(emu, make_model, mode) -> None:
    @tool(stop_after_tool_call=True)
    def lookup(query: str) -> str:
        """Look something up."""
        return f"record for {query}"

    out, events = await drive(Agent(model=make_model("emulator/tool"), tools=[lookup]), "find it", mode)
    assert out.status == RunStatus.completed and len(emu.requests) == 1  # the model is not asked again
    assert out.content == out.tools[0].result and out.content.startswith("record for ")
    if events:
        assert "".join(e.content for e in events if isinstance(e, RunContentEvent)) == out.content


@pytest.mark.parametrize("mode", ["sync", "async-stream"])
async def test_show_result_puts_the_result_before_the_models_answer(emu, make_model, mode) -> None:
    @tool(show_result=True)
    def quote(symbol: str) -> str:
        """Price of a stock."""
        return "PRICE=42\n"

    out, events = await drive(Agent(model=make_model("emulator/tool"), tools=[quote]), "price?", mode)
    assert len(emu.requests) == 2  # unlike stop_after_tool_call, the model still answers
    assert out.content.startswith("PRICE=42\n") and "Here is what the tools returned" in out.content
    if events:
        assert "".join(e.content for e in events if isinstance(e, RunContentEvent)) == out.content


# -- cache_results -----------------------------------------------------------------------------------------


def test_cache_results_runs_the_function_once_per_arguments(emu, make_model) -> None:
    calls: list[str] = []

    @tool(cache_results=True)
    def slow_lookup(city: str) -> str:
        """Expensive lookup."""
        calls.append(city)
        return f"{city}: 21 degrees"

    agent = Agent(model=make_model("emulator/tool"), tools=[slow_lookup])
    first, second = agent.run("weather"), agent.run("weather")
    assert len(calls) == 1  # the emulator asks with the same arguments both times
    assert first.tools[0].result == second.tools[0].result == f"{calls[0]}: 21 degrees"
    assert slow_lookup.call('{"city": "Oslo"}').output == "Oslo: 21 degrees" and calls[-1] == "Oslo"


def test_cache_results_keeps_no_errors_and_expires_after_cache_ttl(monkeypatch) -> None:
    # The clock is the tool module's monotonic clock, moved by hand: the test never waits.
    import routerkit.agent.tools as tools_module

    now = [1000.0]
    monkeypatch.setattr(tools_module.time, "monotonic", lambda: now[0])
    outcomes = iter([RuntimeError("down"), "ok 1", "ok 2"])

    @tool(cache_results=True, cache_ttl=60)
    def flaky(x: int) -> str:
        """Sometimes fails."""
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert flaky.call('{"x": 1}').is_error  # an error is not remembered...
    assert flaky.call('{"x": 1}').output == "ok 1"  # ...so the next call runs the function
    now[0] += 59
    assert flaky.call('{"x": 1}').output == "ok 1"
    now[0] += 2
    assert flaky.call('{"x": 1}').output == "ok 2"


# -- strict ------------------------------------------------------------------------------------------------


def test_strict_tools_are_sent_strict_and_nulls_mean_the_default(emu, make_model) -> None:
    @tool(strict=True)
    def forecast(city: str, days: int = 3) -> str:
        """Forecast."""
        return f"{city} for {days} days"

    wire = forecast.to_wire()
    assert wire["strict"] is True
    assert wire["parameters"]["required"] == ["city", "days"] and wire["parameters"]["additionalProperties"] is False
    # A strict model sends null for a parameter it leaves out; the function's default applies.
    assert forecast.call('{"city": "Rome", "days": null}').output == "Rome for 3 days"
    assert forecast.call('{"city": "Rome", "days": 5}').output == "Rome for 5 days"
    assert forecast.call('{"city": null}').is_error
    out = Agent(model=make_model("emulator/tool"), tools=[forecast]).run("forecast")
    assert out.status == RunStatus.completed and not out.tools[0].tool_call_error
    validate("ResponsesRequest", emu.requests[0].body)
    assert emu.requests[0].body["tools"][0]["strict"] is True


def test_strict_refuses_an_open_mapping_when_the_tool_is_defined() -> None:
    with pytest.raises(UsageError, match="tool 'tag' with strict=True: the open mapping"):

        @tool(strict=True)
        def tag(labels: dict[str, str]) -> str:
            """Tag."""
            return ""
