"""Human in the loop as agno has it: a tool with `requires_confirmation=True` pauses the run; the user
confirms or rejects each call; `continue_run` goes on — sync, async and streamed, and in a new process on the
same SqliteDb. Everything goes through the real HTTP path to the emulator's `emulator/tool` model (it calls
the first tool, then answers by quoting the tool outputs it got)."""

from __future__ import annotations

import inspect
import io
import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from rich.console import Console

from routerkit.agent import (
    Agent,
    RunCompletedEvent,
    RunContentEvent,
    RunContinuedEvent,
    RunPausedEvent,
    RunRequirement,
    RunStartedEvent,
    ToolCallCompletedEvent,
)
from routerkit.db.sqlite import SqliteDb
from routerkit.errors import UsageError
from routerkit.run.base import RunStatus
from routerkit.tools import tool

from ..conftest import TEST_KEY

MODES = ["sync", "async", "sync-stream", "async-stream"]
deleted: list[str] = []


@tool(requires_confirmation=True)
def delete_file(path: str) -> str:
    """Delete a file.

    Args:
        path: The file to delete.
    """
    deleted.append(path)
    return f"deleted {path}"


@pytest.fixture(autouse=True)
def _nothing_deleted() -> None:
    deleted.clear()


async def events_of(stream: Any) -> list[Any]:
    """The events of a streamed run, sync or async (an awaitable giving an async iterator is accepted too)."""
    if inspect.isawaitable(stream):
        stream = await stream
    if hasattr(stream, "__aiter__"):
        return [event async for event in stream]
    return list(stream)


async def start(agent: Agent, mode: str) -> tuple[Any, list[Any]]:
    if mode == "sync":
        return agent.run("delete the file"), []
    if mode == "async":
        return await agent.arun("delete the file"), []
    events = await events_of(
        agent.run("delete the file", stream=True, stream_events=True)
        if mode == "sync-stream"
        else agent.arun("delete the file", stream=True, stream_events=True)
    )
    return events[-1].output, events


async def resume(agent: Agent, mode: str, **kwargs: Any) -> tuple[Any, list[Any]]:
    if mode == "sync":
        return agent.continue_run(**kwargs), []
    if mode == "async":
        return await agent.acontinue_run(**kwargs), []
    if mode == "sync-stream":
        events = await events_of(agent.continue_run(**kwargs, stream=True, stream_events=True))
    else:
        events = await events_of(agent.acontinue_run(**kwargs, stream=True, stream_events=True))
    return events[-1].output, events


@pytest.mark.parametrize("mode", MODES)
async def test_a_confirmed_call_runs_when_the_run_continues(emu, make_model, mode):
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file])
    paused, events = await start(agent, mode)
    assert paused.is_paused and paused.status == RunStatus.paused and deleted == []
    assert len(emu.requests) == 1
    (requirement,) = paused.active_requirements
    assert requirement.needs_confirmation and requirement.tool_execution.tool_name == "delete_file"
    path = requirement.tool_execution.tool_args["path"]
    if events:
        assert isinstance(events[0], RunStartedEvent) and isinstance(events[-1], RunPausedEvent)
        assert events[-1].active_requirements == [requirement] and events[-1].run_id == paused.run_id
    requirement.confirm()
    assert paused.active_requirements == []

    out, events = await resume(agent, mode, run_id=paused.run_id, requirements=paused.requirements)
    assert out.status == RunStatus.completed and out.run_id == paused.run_id and deleted == [path]
    assert out.tools[0].confirmed is True and out.tools[0].result == f"deleted {path}"
    assert f"deleted {path}" in out.content and len(emu.requests) == 2
    sent = [i for i in emu.requests[1].body["input"] if i.get("type") == "function_call_output"]
    assert sent == [{"type": "function_call_output", "call_id": out.tools[0].tool_call_id, "output": f"deleted {path}"}]
    if events:
        assert isinstance(events[0], RunContinuedEvent) and isinstance(events[-1], RunCompletedEvent)
        assert any(isinstance(e, ToolCallCompletedEvent) and e.tool is out.tools[0] for e in events)


@pytest.mark.parametrize("mode", MODES)
async def test_a_rejected_call_never_runs_and_the_model_gets_the_note(emu, make_model, mode):
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file])
    paused, _ = await start(agent, mode)
    paused.active_requirements[0].reject(note="that file is needed")
    out, _ = await resume(agent, mode, run_response=paused)  # the answers given on the output are used
    assert out.status == RunStatus.completed and deleted == []
    assert out.tools[0].confirmed is False and out.tools[0].tool_call_error
    told = [i["output"] for i in emu.requests[-1].body["input"] if i.get("type") == "function_call_output"]
    assert told == ["Error: the user rejected this call to delete_file: that file is needed"]
    assert "that file is needed" in out.content


@pytest.mark.parametrize("mode", ["sync-stream", "async-stream"])
async def test_a_streamed_continuation_without_stream_events_is_the_answer_only_as_in_run(emu, make_model, mode):
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file])
    paused, _ = await start(agent, mode)
    call = agent.continue_run if mode == "sync-stream" else agent.acontinue_run
    again = await events_of(call(run_id=paused.run_id, stream=True))  # nothing answered: paused again
    assert [type(e) for e in again] == [RunPausedEvent] and len(emu.requests) == 1
    again[0].output.active_requirements[0].confirm()
    events = await events_of(call(run_response=again[0].output, stream=True))
    assert events and all(isinstance(e, RunContentEvent) for e in events)
    out = agent.last_run
    assert out is not None and out.status == RunStatus.completed and deleted
    assert "".join(e.content for e in events) == out.content


def test_continuing_with_the_call_unanswered_sends_nothing_and_stays_paused(emu, make_model):
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file])
    paused = agent.run("delete the file")
    again = agent.continue_run(run_id=paused.run_id)
    assert again.is_paused and len(again.active_requirements) == 1 and len(emu.requests) == 1
    again.active_requirements[0].confirm()
    assert agent.continue_run(run_response=again).status == RunStatus.completed and len(deleted) == 1


def test_bad_continuations_are_usage_errors_before_any_request(emu, make_model):
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file])
    with pytest.raises(UsageError, match=r"pass run_response=\.\.\. or run_id="):
        agent.continue_run()
    with pytest.raises(UsageError, match="'nope' is not a paused run of session"):
        agent.continue_run(run_id="nope")
    with pytest.raises(UsageError, match="requirements must be a list"):
        agent.continue_run(run_id="nope", requirements="yes")  # type: ignore[arg-type]
    paused = agent.run("delete the file")
    requirement = paused.active_requirements[0]
    requirement.confirm()
    with pytest.raises(UsageError, match="already confirmed"):
        requirement.reject()
    done = agent.continue_run(run_response=paused)
    with pytest.raises(UsageError, match="is not a paused run"):
        agent.continue_run(run_response=done)  # a completed run cannot be continued again
    assert len(emu.requests) == 2 and len(deleted) == 1


def test_other_calls_of_the_turn_run_while_the_confirmed_one_waits(emu, make_model):
    def get_time(zone: str) -> str:
        """The time in a zone."""
        return f"noon in {zone}"

    agent = Agent(model=make_model("emulator/tool"), tools=[get_time, delete_file])
    paused = agent.run("use all tools")  # the emulator calls every tool in one turn
    assert paused.is_paused and [t.tool_name for t in paused.tools] == ["get_time", "delete_file"]
    assert paused.tools[0].result.startswith("noon in ") and paused.tools[1].result is None
    paused.active_requirements[0].confirm()
    out = agent.continue_run(run_response=paused)
    assert out.status == RunStatus.completed and "noon in " in out.content and "deleted " in out.content


def test_a_paused_run_is_not_history_until_it_completes(emu, make_model):
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file], add_history_to_context=True)
    paused = agent.run("delete the file")
    agent.run("hello")  # a paused run's open tool call would make OpenRouter refuse the replayed history
    assert not any(i.get("type") == "function_call" for i in emu.requests[-1].body["input"])
    paused.active_requirements[0].confirm()
    agent.continue_run(run_response=paused)
    agent.run("and now?")
    assert any(i.get("type") == "function_call" for i in emu.requests[-1].body["input"])


def test_print_response_of_a_paused_run_says_what_awaits_confirmation(make_model):
    console = Console(file=io.StringIO(), width=100, record=True)
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file])
    out = agent.print_response("delete the file", console=console)
    text = console.export_text()
    assert out is not None and out.is_paused
    assert "awaiting confirmation" in text and "delete_file" in text and "continue_run" in text
    footer = " ".join(text.strip().split("\n\n")[-1].split())  # the footer, however the width wrapped it
    assert footer.startswith("paused: 1 tool call awaits confirmation · emulator/tool") and "PAUSED" not in text


_PROCESS = textwrap.dedent(
    """
    import json, sys
    from routerkit.agent import Agent
    from routerkit.db.sqlite import SqliteDb
    from routerkit.models.openrouter import OpenRouterResponses
    from routerkit.tools import tool

    base_url, key, db_file, step = sys.argv[1:5]

    @tool(requires_confirmation=True)
    def delete_file(path: str) -> str:
        \"\"\"Delete a file.\"\"\"
        return f"deleted {path} in process {step}"

    model = OpenRouterResponses(id="emulator/tool", base_url=base_url, api_key=key)
    agent = Agent(model=model, tools=[delete_file], db=SqliteDb(db_file=db_file), session_id="hitl")
    if step == "start":
        out = agent.run("delete the file")
    else:
        out = agent.continue_run(run_id=sys.argv[5])  # read back from the db: still paused
        assert out.is_paused, out.status
        out.active_requirements[0].confirm()
        out = agent.continue_run(run_response=out)
    print(json.dumps({"run_id": out.run_id, "status": str(out.status), "content": out.content}))
    """
)


def test_a_paused_run_survives_a_process_restart_with_a_sqlite_db(emu, tmp_path):
    db_file = tmp_path / "tmp" / "agent.db"

    def process(*args: str) -> dict[str, Any]:
        argv = [sys.executable, "-c", _PROCESS, emu.base_url, TEST_KEY, str(db_file), *args]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    first = process("start")
    assert first["status"] == "PAUSED"
    second = process("resume", first["run_id"])
    assert second["run_id"] == first["run_id"] and second["status"] == "COMPLETED"
    assert "in process resume" in second["content"]
    with SqliteDb(db_file=db_file) as db:
        (stored,) = db.get_runs("hitl", statuses=("completed", "paused"))
    assert stored.status == "completed" and stored.run_id == first["run_id"]
    assert [i["type"] for i in stored.output_items].count("function_call_output") == 1


def test_requirements_of_another_run_are_refused(emu, make_model):
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file])
    first, second = agent.run("delete the file"), agent.run("delete the file")
    stranger = RunRequirement(first.tools[0])
    stranger.confirm()
    with pytest.raises(UsageError, match=r"no tool call .* of this run is waiting"):
        agent.continue_run(run_response=second, requirements=[stranger])


def test_a_paused_run_read_back_from_an_edited_store_keeps_what_is_valid(make_model, tmp_path):
    """The saved tool executions and system message are read back type-checked: values a foreign edit of the
    store left wrong are skipped (the items still say what was called), never a crash or a wrong type."""
    import sqlite3

    db_file = tmp_path / "agent.db"
    with SqliteDb(db_file=db_file) as db:
        agent = Agent(model=make_model("emulator/tool"), tools=[delete_file], db=db, instructions="Be careful.")
        paused = agent.run("delete the file")
    call_id = paused.tools[0].tool_call_id
    with sqlite3.connect(db_file) as conn:
        (table,) = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        edited = {
            "system_message": 7,
            "tool_executions": ["junk", {"tool_call_id": call_id, "created_at": True, "confirmed": 5}],
        }
        conn.execute(f"UPDATE {table} SET metrics = ?", (json.dumps(edited),))
    with SqliteDb(db_file=db_file) as db:
        again = Agent(model=make_model("emulator/tool"), tools=[delete_file], db=db, session_id=agent.session_id)
        back = again.get_last_run_output()
    assert back is not None and back.is_paused and back.system_message is None
    (execution,) = back.tools
    assert execution.tool_call_id == call_id and execution.tool_name == "delete_file"
    assert isinstance(execution.created_at, int) and not isinstance(execution.created_at, bool)
    assert execution.confirmed is None and execution.requires_confirmation
    assert [r.tool_execution.tool_call_id for r in back.active_requirements] == [call_id]
