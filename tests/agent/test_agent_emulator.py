"""The agent end to end against the emulator over loopback: reasoning, tools, structured output, fallback,
faults, history and sessions — sync and async."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from typing import Any

import pytest
from pydantic import BaseModel

from routerkit.agent import (
    Agent,
    ReasoningContentDeltaEvent,
    RunCompletedEvent,
    RunContentEvent,
    RunErrorEvent,
    RunStartedEvent,
    ToolCallCompletedEvent,
    ToolCallStartedEvent,
)
from routerkit.emulator import Reply
from routerkit.errors import (
    APIError,
    IncompleteResponseError,
    OutputValidationError,
    RateLimitError,
    ResponseFailedError,
    ServerError,
    StreamInterruptedError,
    UsageError,
)
from routerkit.run.base import RunStatus

from ..conftest import TEST_KEY
from ..openapi_schema import validate


async def run_agent(agent: Agent, message: Any, mode: str) -> tuple[Any, list[Any]]:
    """Run in one of four ways; returns the RunOutput and the events seen (empty when not streamed)."""
    events: list[Any] = []
    if mode == "sync":
        return agent.run(message), events
    if mode == "async":
        return await agent.arun(message), events
    if mode == "sync-stream":
        events = list(agent.run(message, stream=True, stream_events=True))
    else:
        events = [event async for event in agent.arun(message, stream=True, stream_events=True)]
    assert isinstance(events[0], RunStartedEvent)
    assert isinstance(events[-1], RunCompletedEvent)
    return events[-1].output, events


MODES = ["sync", "async", "sync-stream", "async-stream"]


@pytest.mark.parametrize("mode", MODES)
async def test_echo_answer_model_and_metrics(make_model, mode):
    agent = Agent(model=make_model("emulator/echo"))
    out, events = await run_agent(agent, "hello there routerkit", mode)
    assert out.content == "hello there routerkit"
    assert out.status == "COMPLETED"
    assert out.model == "emulator/echo" and not out.fallback_used
    m = out.metrics
    assert m.input_tokens > 0 and m.output_tokens > 0 and m.total_tokens == m.input_tokens + m.output_tokens
    assert m.cost is not None and m.cost > 0
    assert m.duration is not None and m.duration > 0
    if "stream" in mode:
        assert "".join(e.content for e in events if isinstance(e, RunContentEvent)) == out.content
        assert m.time_to_first_token is not None and m.time_to_first_token <= m.duration


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("model_id", ["emulator/reasoning", "emulator/reasoning-summary"])
async def test_reasoning_is_kept_apart_from_the_answer(make_model, model_id, mode):
    agent = Agent(model=make_model(model_id, reasoning={"enabled": True}))
    out, events = await run_agent(agent, "why is the sky blue", mode)
    assert out.content and out.reasoning_content
    assert out.content not in out.reasoning_content and out.reasoning_content not in out.content
    assert out.metrics.reasoning_tokens > 0
    if "stream" in mode:
        streamed = "".join(e.reasoning_content for e in events if isinstance(e, ReasoningContentDeltaEvent))
        assert streamed.strip() == out.reasoning_content.strip()
        kinds = {e.kind for e in events if isinstance(e, ReasoningContentDeltaEvent)}
        assert kinds == ({"text"} if model_id == "emulator/reasoning" else {"summary"})
        # Reasoning arrives before the answer starts.
        first_answer = next(i for i, e in enumerate(events) if isinstance(e, RunContentEvent))
        last_reasoning = max(i for i, e in enumerate(events) if isinstance(e, ReasoningContentDeltaEvent))
        assert last_reasoning < first_answer


@pytest.mark.parametrize("mode", MODES)
async def test_encrypted_reasoning_is_recorded_and_replayed_verbatim(emu, make_model, mode):
    agent = Agent(model=make_model("emulator/reasoning-encrypted"), add_history_to_context=True)
    first, _ = await run_agent(agent, "first question", mode)
    assert first.reasoning_encrypted and not first.reasoning_content
    reasoning_items = [i for i in first.items if i.get("type") == "reasoning"]
    assert reasoning_items and reasoning_items[0]["encrypted_content"]
    second, _ = await run_agent(agent, "second question", mode)  # the emulator 400s on an altered item
    assert second.status == "COMPLETED"
    replayed = emu.requests[-1].body["input"]
    assert reasoning_items[0] in replayed
    kinds = [i.get("type") or i.get("role") for i in replayed]
    assert kinds.index("reasoning") < len(kinds) - 1 and kinds[-1] == "user"


def test_history_with_reasoning_asks_for_encrypted_reasoning_to_replay(emu, make_model):
    Agent(model=make_model("emulator/reasoning", reasoning={"enabled": True}), add_history_to_context=True).run("x")
    assert emu.requests[-1].body["include"] == ["reasoning.encrypted_content"]
    Agent(
        model=make_model("emulator/reasoning", reasoning={"enabled": True}, include=["reasoning.encrypted_content"]),
        add_history_to_context=True,
    ).run("x")
    assert emu.requests[-1].body["include"] == ["reasoning.encrypted_content"]
    Agent(model=make_model("emulator/reasoning", reasoning={"enabled": True})).run("x")
    assert "include" not in emu.requests[-1].body


def test_altered_encrypted_reasoning_is_rejected_by_the_emulator(make_model):
    agent = Agent(model=make_model("emulator/reasoning-encrypted"), add_history_to_context=True)
    first = agent.run("first question")
    tampered = [dict(i) for i in first.items]
    for item in tampered:
        if item.get("type") == "reasoning":
            item["encrypted_content"] = item["encrypted_content"][::-1]
    with pytest.raises(APIError) as info:
        Agent(model=make_model("emulator/reasoning-encrypted")).run([*tampered, {"role": "user", "content": "next"}])
    assert info.value.status == 400


def get_weather(city: str, unit: str = "celsius") -> str:
    """Current weather for a city.

    Args:
        city: The city name.
        unit: celsius or fahrenheit.
    """
    return f"sunny in {city}, 21 degrees {unit}"


@pytest.mark.parametrize("mode", MODES)
async def test_tool_loop_sends_outputs_back_and_answers(emu, make_model, mode):
    agent = Agent(model=make_model("emulator/tool"), tools=[get_weather])
    out, events = await run_agent(agent, "weather please", mode)
    assert len(out.tools) == 1
    execution = out.tools[0]
    assert execution.tool_name == "get_weather" and not execution.tool_call_error
    assert isinstance(execution.tool_args["city"], str) and execution.result in out.content
    second_request = emu.requests[-1].body
    outputs = [i for i in second_request["input"] if i.get("type") == "function_call_output"]
    assert outputs == [{"type": "function_call_output", "call_id": execution.tool_call_id, "output": execution.result}]
    assert any(i.get("type") == "function_call" for i in second_request["input"])
    assert second_request["tools"][0]["name"] == "get_weather"
    if "stream" in mode:
        kinds = [type(e) for e in events]
        assert kinds.index(ToolCallStartedEvent) < kinds.index(ToolCallCompletedEvent) < kinds.index(RunContentEvent)


async def test_parallel_tool_calls_run_concurrently_in_arun(make_model):
    barrier = threading.Barrier(2, timeout=5)

    def first_tool(x: int) -> str:
        """First."""
        barrier.wait()  # both tools must be running at once, or this times out
        return "one"

    def second_tool(y: int) -> str:
        """Second."""
        barrier.wait()
        return "two"

    agent = Agent(model=make_model("emulator/tool"), tools=[first_tool, second_tool])
    out = await agent.arun("use all tools")
    assert sorted(t.tool_name for t in out.tools) == ["first_tool", "second_tool"]
    assert all(not t.tool_call_error for t in out.tools)
    assert "one" in out.content and "two" in out.content


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_tool_exception_goes_back_to_the_model_as_an_error_output(make_model, mode):
    def broken(city: str) -> str:
        """Always fails."""
        raise RuntimeError("weather service down")

    agent = Agent(model=make_model("emulator/tool"), tools=[broken])
    out, _ = await run_agent(agent, "weather", mode)
    execution = out.tools[0]
    assert execution.tool_call_error and execution.result and "weather service down" in execution.result
    assert "weather service down" in out.content


def test_tool_call_limit_answers_the_extra_call_with_an_error_and_the_run_finishes(emu, make_model):
    ran: list[str] = []

    def counted(city: str) -> str:
        """Weather."""
        ran.append(city)
        return "sunny"

    agent = Agent(model=make_model("emulator/tool"), tools=[counted], tool_call_limit=0)
    out = agent.run("weather")
    assert out.status == RunStatus.completed and ran == []  # as agno: the call is not run, the model is told why
    assert out.tools[0].tool_call_error and out.tools[0].result.startswith("Tool call limit reached.")
    assert "Tool call limit reached" in out.content  # the emulator's answer quotes the tool output it got
    assert emu.requests[-1].body["tool_choice"] == "none"  # asked once to answer with what it has
    validate("ResponsesRequest", emu.requests[-1].body)


class City(BaseModel):
    name: str
    population: int
    landmarks: list[str]


@pytest.mark.parametrize("mode", MODES)
async def test_structured_output_returns_a_validated_instance(emu, make_model, mode):
    agent = Agent(model=make_model("emulator/json"), output_schema=City)
    out, _ = await run_agent(agent, "describe Paris", mode)
    assert isinstance(out.content, City)
    fmt = emu.requests[-1].body["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["strict"] is True and fmt["schema"]["required"]


def test_structured_output_that_does_not_validate_raises_with_the_raw_text(emu, make_model):
    bad = '{"name": "Paris"}'
    emu.enqueue(Reply(body=_json_response(bad)))
    agent = Agent(model=make_model("emulator/json"), output_schema=City)
    with pytest.raises(OutputValidationError) as info:
        agent.run("describe Paris")
    assert info.value.raw_text == bad


def _json_response(text: str) -> dict[str, Any]:
    return {
        "id": "gen-1-x",
        "object": "response",
        "created_at": 1,
        "model": "emulator/json",
        "status": "completed",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
        "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
    }


@pytest.mark.parametrize("mode", MODES)
async def test_fallback_past_a_failing_model_reports_the_served_model(make_model, mode):
    agent = Agent(model=make_model("emulator/fail-502", models=["emulator/fail-502", "emulator/echo"]))
    out, _ = await run_agent(agent, "route me", mode)
    assert out.model == "emulator/echo" and out.requested_model == "emulator/fail-502"
    assert out.fallback_used and out.content == "route me"


FAULTS = [
    ("emulator/fail-401", "AuthenticationError", 401),
    ("emulator/fail-402", "InsufficientCreditsError", 402),
    ("emulator/fail-403", "PermissionDeniedError", 403),
    ("emulator/fail-429-none", "RateLimitError", 429),
    ("emulator/fail-502", "ServerError", 502),
    ("emulator/fail-503-in-400", "ServerError", 400),
    ("emulator/unavailable", "ServerError", 503),
    ("emulator/html-502", "ServerError", 502),
    ("emulator/no-such-model", "BadRequestError", 400),
    ("emulator/error-event", "ResponseFailedError", None),
    ("emulator/failed", "ResponseFailedError", None),
    ("emulator/incomplete", "IncompleteResponseError", None),
    ("emulator/truncate", "StreamInterruptedError", None),
    ("emulator/stall", "APITimeoutError", None),
]


@pytest.mark.parametrize(("model_id", "error_name", "status"), FAULTS)
@pytest.mark.parametrize("mode", ["sync-stream", "async"])
async def test_every_fault_raises_a_typed_error_with_the_facts(make_model, model_id, error_name, status, mode):
    agent = Agent(model=make_model(model_id, max_retries=0, stall_timeout=1.0))
    with pytest.raises(APIError) as info:
        await run_agent(agent, "hello", mode)
    exc = info.value
    if model_id == "emulator/truncate" and "stream" not in mode:
        error_name = "APIConnectionError"  # a non-streamed call sees the connection close before any response
    assert type(exc).__name__ == error_name
    assert exc.status == status
    assert exc.models == [model_id] and model_id in str(exc)
    assert exc.message and "<" not in exc.message  # OpenRouter's words, never an HTML page
    assert TEST_KEY not in str(exc) and TEST_KEY not in repr(exc)
    output = exc.run_output
    assert output.status == "ERROR" and output.error is exc
    if (
        model_id in ("emulator/error-event", "emulator/failed", "emulator/truncate", "emulator/stall")
        and "stream" in mode
    ):
        assert exc.partial_text and output.content == exc.partial_text


def test_stream_run_error_is_the_closing_event_then_raised(make_model):
    agent = Agent(model=make_model("emulator/failed"))
    events: list[Any] = []
    with pytest.raises(ResponseFailedError):
        for event in agent.run("x", stream=True, stream_events=True):
            events.append(event)
    assert isinstance(events[-1], RunErrorEvent) and isinstance(events[-1].error, ResponseFailedError)
    assert events[-1].output.content == "".join(e.content for e in events if isinstance(e, RunContentEvent))


def test_rate_limit_is_retried_honouring_retry_after_then_surfaces(emu, make_model):
    agent = Agent(model=make_model("emulator/fail-429", max_retries=1))
    with pytest.raises(RateLimitError) as info:
        agent.run("x")
    assert info.value.retry_after == 1
    assert len(emu.requests) == 2


def test_flaky_model_succeeds_after_retries(emu, make_model):
    agent = Agent(model=make_model("emulator/flaky-2", max_retries=2))
    assert agent.run("flaky input").content == "flaky input"
    assert len(emu.requests) == 3


def test_incomplete_answer_keeps_the_partial_text(make_model):
    agent = Agent(model=make_model("emulator/incomplete"))
    with pytest.raises(IncompleteResponseError) as info:
        list(agent.run("x", stream=True, stream_events=True))
    assert info.value.code == "max_output_tokens"
    assert agent.last_run.content and agent.last_run.status == "ERROR"


@pytest.mark.parametrize("mode", MODES)
async def test_history_replays_previous_runs_in_order(emu, make_model, mode):
    agent = Agent(
        model=make_model("emulator/tool"), tools=[get_weather], add_history_to_context=True, num_history_runs=2
    )
    first, _ = await run_agent(agent, "weather in Paris", mode)
    await run_agent(agent, "and tomorrow?", mode)
    body = emu.requests[2].body  # the second run's first request (the first run made two: tool call, answer)
    replay = body["input"]
    assert replay[0] == {"role": "user", "content": "weather in Paris"}
    # The first run's items come back exactly as they were, in order, before the new question.
    assert replay[1 : 1 + len(first.items) - 1] == first.items[1:]
    assert replay[-1] == {"role": "user", "content": "and tomorrow?"}


def test_num_history_runs_limits_the_replay(emu, make_model):
    agent = Agent(model=make_model("emulator/echo"), add_history_to_context=True, num_history_runs=1)
    for text in ("one", "two", "three"):
        agent.run(text)
    users = [i["content"] for i in emu.requests[-1].body["input"] if i.get("role") == "user"]
    assert users == ["two", "three"]


def test_without_history_each_run_stands_alone(emu, make_model):
    agent = Agent(model=make_model("emulator/echo"))
    agent.run("one")
    agent.run("two")
    assert emu.requests[-1].body["input"] == [{"role": "user", "content": "two"}]


def test_instructions_description_and_markdown_go_out_as_instructions(emu, make_model):
    agent = Agent(
        model=make_model(), description="You are terse.", instructions=["Be kind.", "Be brief."], markdown=True
    )
    agent.run("hi")
    instructions = emu.requests[-1].body["instructions"]
    assert instructions.startswith("You are terse.") and "- Be kind." in instructions and "markdown" in instructions


def test_sqlite_session_continues_in_a_new_process(emu, tmp_path):
    script = """
import sys
from routerkit.agent import Agent
from routerkit.db.sqlite import SqliteDb
from routerkit.models.openrouter import OpenRouterResponses
agent = Agent(model=OpenRouterResponses(id="emulator/echo", base_url=sys.argv[1], api_key="k"),
              db=SqliteDb(db_file=sys.argv[2]), session_id="s1", add_history_to_context=True)
print(agent.run(sys.argv[3]).content)
"""
    db_file = str(tmp_path / "agent.db")
    for text in ("first turn", "second turn"):
        done = subprocess.run(
            [sys.executable, "-c", script, emu.base_url, db_file, text], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == text
    users = [i["content"] for i in emu.requests[-1].body["input"] if i.get("role") == "user"]
    assert users == ["first turn", "second turn"]


def test_an_interrupted_stream_is_recorded_with_its_partial_answer(emu, make_model, tmp_path):
    from routerkit.db.sqlite import SqliteDb

    db = SqliteDb(db_file=str(tmp_path / "s.db"))
    agent = Agent(model=make_model("emulator/markdown-200@5"), db=db, session_id="s", add_history_to_context=True)
    stream = agent.run("long answer", stream=True, stream_events=True)
    seen = ""
    for event in stream:
        if isinstance(event, RunContentEvent):
            seen += event.content
            if len(seen) > 50:
                break
    stream.close()  # what a Ctrl-C or a `break` does to the generator
    [run] = db.get_runs("s", statuses=("interrupted",))
    assert run.content == seen
    assert run.output_items[-1]["content"][0]["text"] == seen
    agent.model = make_model("emulator/echo")
    agent.run("continue")
    replay = emu.requests[-1].body["input"]
    assert [i.get("role") for i in replay] == ["user", "assistant", "user"]


def test_bad_agent_input_is_refused_before_any_request(emu, make_model):
    with pytest.raises(UsageError, match="output_schema"):
        Agent(model=make_model(), output_schema=dict)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="model"):
        Agent(model="openai/gpt-4o")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="input must be text"):
        Agent(model=make_model()).run(42)  # type: ignore[arg-type]

    def takes_args(*args: int) -> None:
        """Bad."""

    with pytest.raises(UsageError, match="args"):
        Agent(model=make_model(), tools=[takes_args])
    assert emu.requests == []


def test_repr_of_agent_and_model_never_shows_the_key(make_model):
    agent = Agent(model=make_model())
    assert TEST_KEY not in repr(agent) and TEST_KEY not in str(agent.model)


async def test_cancelling_arun_records_the_run_as_interrupted(make_model):
    agent = Agent(model=make_model("emulator/markdown-400@10"))
    seen: list[str] = []

    async def consume() -> None:
        async for event in agent.arun("long", stream=True, stream_events=True):
            if isinstance(event, RunContentEvent):
                seen.append(event.content)

    task = asyncio.create_task(consume())
    while len(seen) < 5:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert agent.last_run is not None and agent.last_run.status == "CANCELLED"
    assert agent.last_run.content.startswith("".join(seen[:5]))


def test_usage_counts_sum_over_the_tool_loop(make_model):
    out = Agent(model=make_model("emulator/tool"), tools=[get_weather]).run("weather")
    assert len(out.responses) == 2
    assert out.metrics.input_tokens == sum(r.usage.input_tokens for r in out.responses)
    assert out.metrics.cost == pytest.approx(sum(r.usage.cost for r in out.responses))
    assert out.tools[0].tool_args["city"]


def test_server_error_retry_budget_is_bounded(make_model):
    agent = Agent(model=make_model("emulator/fail-502", max_retries=1))
    with pytest.raises(ServerError):
        agent.run("x")
    assert isinstance(agent.last_run.error, ServerError)


def test_truncated_stream_is_never_empty_silent_output(make_model):
    agent = Agent(model=make_model("emulator/truncate", max_retries=0))
    with pytest.raises(StreamInterruptedError) as info:
        list(agent.run("x", stream=True, stream_events=True))
    assert info.value.partial_text


def test_session_run_and_message_ids_are_distinct_version_4_uuids(make_model):
    """agno's ids are `str(uuid4())`; programs parse and store them as UUIDs. routerkit makes them without the
    uuid module (for start-up time), so pin the form: version 4, RFC 4122 variant, canonical text, all distinct."""
    import uuid

    agent = Agent(model=make_model())
    first, second = agent.run("one"), agent.run("two")
    ids = [agent.session_id, first.run_id, second.run_id, *(m.id for m in first.messages or [])]
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
    assert len(set(ids)) == len(ids) >= 4
