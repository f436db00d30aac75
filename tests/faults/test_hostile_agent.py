"""The agent against a hostile model and hostile inputs, over the real HTTP path to the emulator: tool loops
that never end, calls to tools that do not exist, odd values after a streamed answer, lone surrogates, tool
results that cannot be shown, bad arguments, and reasoning replayed across a tool loop. Sync and async,
streamed and not; each case is counted in the fault suite's summary line.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from routerkit.agent import Agent, RunCompletedEvent
from routerkit.db.memory import InMemoryDb
from routerkit.emulator import DONE, Reply, StreamReply
from routerkit.errors import UnknownToolError, UsageError

from ._replies import MODEL, created, delta, item_added, item_done, message, response

MODES = ["sync", "async", "sync-stream", "async-stream"]
BUDGET = 20.0  # seconds: every case here ends long before; beyond it the case counts as a hang


def get_weather(city: str) -> str:
    """Current weather.

    Args:
        city: The city name.
    """
    return f"sunny in {city}"


def call_item(name: str, call_id: str = "call_1", arguments: str = '{"city": "Paris"}') -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": f"fc_{call_id}",
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": "completed",
    }


def scripted(items: list[dict[str, Any]], mode: str, **extra: Any) -> Reply | StreamReply:
    """One model reply made of `items`, as a JSON body or as a stream (answer text streamed as deltas)."""
    body = response(items, **extra)
    if "stream" not in mode:
        return Reply(body=body)
    steps: list[Any] = [created()]
    for index, item in enumerate(items):
        steps.append(item_added(index, {**item, "content": []} if item["type"] == "message" else item))
        if item["type"] == "message":
            steps.extend(delta(part["text"], item["id"], index) for part in item["content"])
        steps.append(item_done(index, item))
    steps.append({"type": "response.completed", "response": body})
    # Encoded here, with JSON's \u escapes: the model's text may hold a lone surrogate, as a network peer can send.
    return StreamReply([f"data: {json.dumps(step)}\n\n" for step in steps] + [DONE])


async def drive(agent: Agent, message: Any, mode: str) -> Any:
    """The run's output, or the exception it raised (after a `RunErrorEvent` when streamed)."""
    try:
        if mode == "sync":
            return agent.run(message)
        if mode == "async":
            return await agent.arun(message)
        if mode == "sync-stream":
            events = list(agent.run(message, stream=True, stream_events=True))
        else:
            events = [event async for event in agent.arun(message, stream=True, stream_events=True)]
    except Exception as exc:
        return exc
    assert isinstance(events[-1], RunCompletedEvent)
    return events[-1].output


@pytest.fixture
def case(fault_record: Any) -> Iterator[Any]:
    """The case's record in the fault tally: a hang unless it ends within the budget; surfaced when it passes."""
    fault_record.hang = True
    started = time.perf_counter()
    yield fault_record
    fault_record.hang = time.perf_counter() - started > BUDGET


def sent_inputs(emu: Any) -> list[list[dict[str, Any]]]:
    return [request.body["input"] for request in emu.requests]


# -- 7. A tool loop is bounded ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_model_that_always_calls_a_tool_is_stopped_by_the_default_limit(emu, make_model, case, mode):
    agent = Agent(model=make_model(MODEL), tools=[get_weather])
    assert agent.tool_call_limit == 20
    emu.enqueue(*(scripted([call_item("get_weather", f"call_{i}")], mode) for i in range(40)))
    out = await drive(agent, "weather forever", mode)
    # As agno: the 21st call is not run and the model is told so; it is then asked (tool_choice "none") to
    # answer, and when it calls a tool even then, that call is refused too and the run ends.
    assert out.status == "COMPLETED"
    assert len(emu.requests) == 22
    assert [r.body.get("tool_choice") for r in emu.requests[20:]] == [None, "none"]
    assert [t.tool_call_error for t in out.tools] == [False] * 20 + [True, True]
    assert all(t.result.startswith("Tool call limit reached.") for t in out.tools[20:])
    told = [i["output"] for i in sent_inputs(emu)[-1] if i.get("type") == "function_call_output"]
    assert len(told) == 21 and told[-1].startswith("Tool call limit reached.")
    case.surfaced = True


@pytest.mark.parametrize("mode", MODES)
async def test_an_unknown_tool_is_explained_once_then_ends_the_run(emu, make_model, case, mode):
    agent = Agent(model=make_model(MODEL))  # no tools at all
    emu.enqueue(*(scripted([call_item("ghost", f"call_{i}")], mode) for i in range(10)))
    result = await drive(agent, "use the ghost tool", mode)
    assert isinstance(result, UnknownToolError) and result.name == "ghost" and result.available == []
    assert len(emu.requests) == 2
    told = [i for i in sent_inputs(emu)[1] if i.get("type") == "function_call_output"]
    assert len(told) == 1 and "no tool named 'ghost'" in told[0]["output"] and "none" in told[0]["output"]
    assert result.run_output.status == "ERROR"
    case.surfaced = True


@pytest.mark.parametrize("mode", MODES)
async def test_a_model_that_corrects_itself_after_an_unknown_tool_gets_its_answer(emu, make_model, case, mode):
    agent = Agent(model=make_model(MODEL), tools=[get_weather])
    emu.enqueue(
        scripted([call_item("get_wether"), call_item("get_wetter", "call_1b")], mode),  # two typos in one turn
        scripted([call_item("get_weather", "call_2")], mode),
        scripted([message("It is sunny.")], mode),
    )
    out = await drive(agent, "weather?", mode)
    assert out.status == "COMPLETED" and out.content == "It is sunny."
    assert [t.tool_call_error for t in out.tools] == [True, True, False]
    case.surfaced = True


# -- 9. An odd value after a streamed answer never throws the answer away -----------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_odd_usage_and_model_in_the_terminal_event_keep_the_answer_and_the_history(emu, make_model, case, mode):
    agent = Agent(model=make_model(MODEL), add_history_to_context=True, session_id="odd")
    odd_usage = {
        "input_tokens": "many",
        "output_tokens": -5,
        "total_tokens": True,
        "output_tokens_details": {"reasoning_tokens": 1.5},
        "cost": "NaN",
    }
    emu.enqueue(scripted([message("Hello there.")], mode, usage=odd_usage, model=12345))
    out = await drive(agent, "first", mode)
    assert out.status == "COMPLETED" and out.content == "Hello there."
    assert out.model == "12345"  # ids are normalised to strings at the wire boundary
    assert out.metrics.input_tokens == 0 and out.metrics.output_tokens == 0 and out.metrics.cost is None
    stored = agent.db.get_runs("odd", limit=1)  # type: ignore[union-attr]
    assert stored[0].status == "completed" and stored[0].content == "Hello there."
    await drive(agent, "second", mode)  # the emulator echoes this one
    assert message_texts(sent_inputs(emu)[-1]) == ["first", "Hello there.", "second"]
    case.surfaced = True


def message_texts(items: list[dict[str, Any]]) -> list[str]:
    texts = []
    for item in items:
        content = item.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif item.get("type") == "message":
            texts.append("".join(part["text"] for part in content))
    return texts


# -- 11. Lone surrogates become U+FFFD where they enter ----------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_tool_returning_a_lone_surrogate_does_not_break_the_session(emu, make_model, case, mode):
    def read_name(city: str) -> str:
        """A file name decoded from bytes that are not UTF-8."""
        return os.fsdecode(b"report-\xff.txt")

    agent = Agent(model=make_model("emulator/tool"), tools=[read_name], add_history_to_context=True)
    out = await drive(agent, "read it", mode)
    assert out.status == "COMPLETED" and "report-\ufffd.txt" in out.content
    agent.model = make_model("emulator/echo")
    again = await drive(agent, "and again", mode)
    assert again.status == "COMPLETED" and again.content == "and again"
    outputs = [i["output"] for i in sent_inputs(emu)[-1] if i.get("type") == "function_call_output"]
    assert outputs == ["report-\ufffd.txt"]
    case.surfaced = True


@pytest.mark.parametrize("mode", MODES)
async def test_surrogates_in_instructions_message_and_model_output_are_replaced(emu, make_model, case, mode):
    agent = Agent(model=make_model(MODEL), instructions="be \udcff kind", add_history_to_context=True)
    emu.enqueue(scripted([message("odd \udcfe answer")], mode))
    out = await drive(agent, "hi \ud800 there", mode)
    assert out.status == "COMPLETED" and out.content == "odd \ufffd answer"
    again = await drive(agent, "next", mode)
    assert again.status == "COMPLETED"
    body = emu.requests[-1].body
    assert body["instructions"] == "be \ufffd kind"
    assert message_texts(body["input"]) == ["hi \ufffd there", "odd \ufffd answer", "next"]
    case.surfaced = True


# -- 12. A tool result that cannot be turned into text ----------------------------------------------------


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text for you")


class BadError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no message either")


@pytest.mark.parametrize("mode", MODES)
async def test_a_tool_result_whose_str_raises_becomes_an_error_result(emu, make_model, case, mode):
    def fetch(city: str) -> Unprintable:
        """Fetch."""
        return Unprintable()

    def explode(city: str) -> str:
        """Explode."""
        raise BadError

    for tool, said in ((fetch, "could not be turned into text (RuntimeError: no text for you)"), (explode, "BadError")):
        agent = Agent(model=make_model("emulator/tool"), tools=[tool])
        out = await drive(agent, "go", mode)
        assert out.status == "COMPLETED"
        execution = out.tools[0]
        assert execution.tool_call_error and said in execution.result
        sent = [i for i in sent_inputs(emu)[-1] if i.get("type") == "function_call_output"]
        assert sent[0]["output"] == execution.result
    case.surfaced = True


# -- 13. Bad arguments are refused before any request ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"tools": [None]}, ["tools[0]", "function", "FunctionTool", "NoneType"]),
        ({"tools": get_weather}, ["tools must be a list", "function"]),
        ({"instructions": 5}, ["instructions", "string", "list of strings", "int"]),
        ({"instructions": ["ok", 5]}, ["instructions", "list of strings"]),
        ({"description": b"x"}, ["description", "string", "bytes"]),
        ({"db": object()}, ["db", "session store", "SqliteDb", "object"]),
    ],
    ids=["tools-none", "tools-not-a-list", "instructions-int", "instructions-list-int", "description", "db"],
)
def test_bad_arguments_are_refused_naming_the_parameter(emu, make_model, case, kwargs, said):
    with pytest.raises(UsageError) as refused:
        Agent(model=make_model(MODEL), **kwargs)
    assert all(part in str(refused.value) for part in said), str(refused.value)
    assert emu.requests == []
    case.surfaced = True


def test_a_real_store_is_accepted(make_model, case):
    Agent(model=make_model(MODEL), db=InMemoryDb())
    case.surfaced = True


# -- 19. Reasoning across a tool loop ---------------------------------------------------------------------


def reasoning_item(item_id: str, encrypted: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "reasoning", "id": item_id, "summary": [{"type": "summary_text", "text": "hm"}]}
    if encrypted is not None:
        item["encrypted_content"] = encrypted
    return item


@pytest.mark.parametrize("mode", MODES)
async def test_reasoning_is_replayed_in_a_tool_loop_only_when_it_can_be(emu, make_model, case, mode):
    agent = Agent(model=make_model(MODEL, reasoning={"effort": "low"}), tools=[get_weather])
    emu.enqueue(
        scripted([reasoning_item("rs_plain", None), call_item("get_weather")], mode),
        scripted([reasoning_item("rs_sealed", "gAAAA-sealed"), call_item("get_weather", "call_2")], mode),
        scripted([message("Sunny twice.")], mode),
    )
    out = await drive(agent, "weather twice", mode)
    assert out.status == "COMPLETED" and out.content == "Sunny twice."
    bodies = [request.body for request in emu.requests]
    assert all(body["include"] == ["reasoning.encrypted_content"] for body in bodies)
    replayed = [[i["id"] for i in body["input"] if i.get("type") == "reasoning"] for body in bodies]
    assert replayed == [[], [], ["rs_sealed"]]  # the item without encrypted_content is never sent back
    assert [i.get("type") for i in out.items].count("reasoning") == 2  # but kept in the run as received
    case.surfaced = True


def test_no_encrypted_reasoning_is_asked_for_without_reasoning_or_replay(emu, make_model, case):
    Agent(model=make_model(MODEL), tools=[get_weather]).run("hi")
    Agent(model=make_model(MODEL, reasoning={"effort": "low"})).run("hi")
    assert [json.dumps(r.body).count("encrypted_content") for r in emu.requests] == [0, 0]
    case.surfaced = True
