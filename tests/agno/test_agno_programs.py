"""agno-style programs (tests/agno/programs/), each run as a user would: a separate Python process, only the
import changed from agno's, configured the way a user configures OpenRouter (environment variables, here
pointing at the emulator on loopback). Each program asserts what it relies on; this file checks the exit
status, what it printed, and the requests the emulator received.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from routerkit.emulator import Emulator

from ..conftest import TEST_KEY
from ..openapi_schema import validate

PROGRAMS = Path(__file__).parent / "programs"


def run_program(emu: Emulator, name: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENROUTER_BASE_URL": emu.base_url, "OPENROUTER_API_KEY": TEST_KEY, "COLUMNS": "100"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [sys.executable, str(PROGRAMS / name), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    assert TEST_KEY not in done.stdout + done.stderr
    return done


def test_every_program_is_tested() -> None:
    tested = {"basic_run", "stream_content", "async_run", "tool_events", "constructor", "sessions"}
    tested |= {"structured_io", "print_tee", "async_sessions", "hitl_restart"}
    assert {path.stem for path in PROGRAMS.glob("*.py")} == tested


def test_basic_run_and_its_run_output(emu: Emulator, tmp_path: Path) -> None:
    run_program(emu, "basic_run.py", tmp_path)
    (request,) = emu.requests
    assert request.body["instructions"].startswith("You are a helpful assistant.")
    validate("ResponsesRequest", request.body)


def test_streaming_content_and_all_events(emu: Emulator, tmp_path: Path) -> None:
    run_program(emu, "stream_content.py", tmp_path)
    assert [r.body["stream"] for r in emu.requests] == [True, True]


def test_async_iteration_await_and_aprint_response(emu: Emulator, tmp_path: Path) -> None:
    done = run_program(emu, "async_run.py", tmp_path)
    assert "Share a dinner recipe" in done.stdout and "openai/gpt-4o" in done.stdout  # the panel and footer
    assert len(emu.requests) == 4


def test_tool_call_events(emu: Emulator, tmp_path: Path) -> None:
    run_program(emu, "tool_events.py", tmp_path)
    outputs = [i for r in emu.requests for i in r.body["input"] if i.get("type") == "function_call_output"]
    assert outputs and outputs[0]["output"].startswith("It is sunny in ")
    for request in emu.requests:
        validate("ResponsesRequest", request.body)


def test_constructor_arguments_reach_the_request(emu: Emulator, tmp_path: Path) -> None:
    done = run_program(emu, "constructor.py", tmp_path)
    (request,) = emu.requests  # the refused agents never sent anything
    system = request.body["instructions"]
    for part in (
        "You know geography.",
        "- You are Geo.",
        "- Answer in one sentence.",
        "<expected_output>\nA city and its population.\n</expected_output>",
        "The user lives in Europe.",
        "The current time is ",
    ):
        assert part in system, part
    assert system.index("You know geography.") < system.index("- You are Geo.") < system.index("<expected_output>")
    assert request.body["text"]["format"]["name"] == "answer"
    assert "debug" in done.stderr.lower() and "geo" in done.stderr.lower()  # debug_mode logs the run
    assert (tmp_path / "tmp" / "agents.db").is_file()


def test_sessions_persist_across_processes(emu: Emulator, tmp_path: Path) -> None:
    run_program(emu, "sessions.py", tmp_path, "1")
    assert (tmp_path / "tmp" / "agent.db").is_file()  # the missing directory was created, as agno's cookbooks need
    first = len(emu.requests)
    run_program(emu, "sessions.py", tmp_path, "2")
    # The second process replays the first one's run of the same session as history.
    texts = [i.get("content") for i in emu.requests[first].body["input"] if i.get("role") == "user"]
    assert texts == ["Tell me a new interesting fact about space"] * 2


def test_structured_output_and_structured_input(emu: Emulator, tmp_path: Path) -> None:
    done = run_program(emu, "structured_io.py", tmp_path)
    assert '{"topic":"RAG","focus_areas":["retrieval"]}' in done.stdout and "Print me" in done.stdout
    formats = [r.body.get("text", {}).get("format", {}).get("name") for r in emu.requests]
    assert formats == ["movie_script", None, None, None, None, None]


def test_print_response_off_a_terminal_shows_panels_without_escape_codes(emu: Emulator, tmp_path: Path) -> None:
    done = run_program(emu, "print_tee.py", tmp_path)
    out = done.stdout
    assert "\x1b" not in out
    assert out.splitlines()[0].startswith("╭─ Message") and "Write a short report" in out
    assert out.count("emulator/markdown-20 · tokens") == 2
    assert "Write it again" not in out  # show_message=False
    assert "**" not in out  # markdown rendered, not raw


def test_run_messages_start_with_the_system_message_and_async_session_reads(emu: Emulator, tmp_path: Path) -> None:
    run_program(emu, "async_sessions.py", tmp_path, "1")
    run_program(emu, "async_sessions.py", tmp_path, "2")
    # The system text goes out as `instructions` only: never as an input item, from this run or the history.
    assert len(emu.requests) == 8
    for request in emu.requests:
        assert request.body["instructions"] == "You are a helpful assistant.\n\n- Answer briefly."
        assert not [i for i in request.body["input"] if i.get("role") in ("system", "developer")]
        validate("ResponsesRequest", request.body)
    assert [i.get("role") for i in emu.requests[-1].body["input"]][-1] == "user"


def test_a_paused_run_keeps_its_tool_executions_across_restarts(emu: Emulator, tmp_path: Path) -> None:
    done = run_program(emu, "hitl_restart.py", tmp_path, "start")
    footer = " ".join(done.stdout.split())
    assert "paused: 1 tool call awaits confirmation · openai/gpt-4o" in footer and "PAUSED" not in done.stdout
    assert len(emu.requests) == 1
    run_program(emu, "hitl_restart.py", tmp_path, "resume")
    (rejected,) = [i for i in emu.requests[-1].body["input"] if i.get("type") == "function_call_output"]
    assert rejected["output"] == "Error: the user rejected this call to delete_file: Keep it for now."
    run_program(emu, "hitl_restart.py", tmp_path, "check")
    assert len(emu.requests) == 2  # reading back sends nothing
