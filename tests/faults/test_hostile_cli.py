"""The `routerkit` CLI against hostile input and a hostile environment, each in a subprocess on the emulator.

Invalid UTF-8 in argv or stdin, a lone surrogate in the answer, a tool call whose `arguments` is a JSON
object, `ROUTERKIT_HOME` that is a file, a closed stdout and a reader that stops early: each ends in the
right output or one clean `routerkit: error:` line with its exit code, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from routerkit.emulator import DONE, Emulator, StreamReply

from ._replies import created, delta, item_added, item_done, message, response

KEY = "sk-or-v1-hostile-cli-canary-77aa"
CLI = [sys.executable, "-m", "routerkit.cli"]


def _env(emu: Emulator, home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "ROUTERKIT_", "NO_COLOR"))}
    env.update(OPENROUTER_BASE_URL=emu.base_url, OPENROUTER_API_KEY=KEY, ROUTERKIT_HOME=str(home))
    env.update(extra)
    return env


def _run(
    emu: Emulator, tmp_path: Path, *args: str | bytes, stdin: bytes = b"", shell_tail: str = "", **env: str
) -> subprocess.CompletedProcess[bytes]:
    """The CLI with raw-byte arguments; `shell_tail` (e.g. `>&-`) runs it through sh instead."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    command = [os.fsencode(a) if isinstance(a, str) else a for a in [*CLI, *args]]
    if shell_tail:
        script = (b'("$@" ' if shell_tail.endswith("head -c1") else b'"$@" ') + shell_tail.encode()
        command = [b"sh", b"-c", script, b"sh", *command]
    return subprocess.run(command, input=stdin, capture_output=True, env=_env(emu, home, **env), timeout=60)


def _clean_failure(result: subprocess.CompletedProcess[bytes]) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert KEY not in err + result.stdout.decode("utf-8", "replace")
    return err


def _answer_events(*deltas: str) -> list[Any]:
    text = "".join(deltas)
    return [
        created(),
        item_added(0, {**message("", status="in_progress"), "content": []}),
        *(delta(d) for d in deltas),
        item_done(0, message(text)),
        {"type": "response.completed", "response": response([message(text)])},
        DONE,
    ]


def test_invalid_utf8_in_argv_is_sent_and_shown_as_replacement_characters(emu, tmp_path, fault_record):
    r = _run(emu, tmp_path, "ask", "-m", "emulator/echo", b"caf\xe9 \xff\xfe ok")
    _clean_failure(r)
    assert r.returncode == 0
    assert r.stdout.decode() == "caf\ufffd \ufffd\ufffd ok\n"
    fault_record.surfaced = True


def test_invalid_utf8_on_stdin_is_read_as_replacement_characters(emu, tmp_path, fault_record):
    r = _run(emu, tmp_path, "ask", "-m", "emulator/echo", stdin=b"ab\xffcd \xed\xa0\x80")
    _clean_failure(r)
    assert r.returncode == 0
    out = r.stdout.decode()
    assert out.startswith("ab\ufffdcd") and "\ufffd" in out[5:]
    r = _run(emu, tmp_path, "chat", "-m", "emulator/echo", stdin=b"chat \xff line\n")
    _clean_failure(r)
    assert r.returncode == 0 and r.stdout.decode() == "chat \ufffd line\n"
    fault_record.surfaced = True


def test_lone_surrogate_in_the_answer_is_written_as_a_replacement_character(emu, tmp_path, fault_record):
    # JSON may escape half of a surrogate pair: it decodes to a lone surrogate that no encoder accepts
    frame = b'data: {"type":"response.output_text.delta","item_id":"msg_1","output_index":0,'
    frame += b'"content_index":0,"delta":"bad \\ud800 half"}\n\n'
    events = _answer_events("before ")
    emu.enqueue(StreamReply([*events[:3], frame, *events[3:]]))
    r = _run(emu, tmp_path, "ask", "-m", "emulator/echo", "hi")
    _clean_failure(r)
    assert r.returncode == 0
    assert r.stdout.decode() == "before bad \ufffd half\n"
    fault_record.surfaced = True


def test_a_tool_call_with_object_arguments_is_shown_as_json_text(emu, tmp_path, fault_record):
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "lookup",
        "arguments": {"city": "Paris"},
        "status": "completed",
    }
    emu.enqueue(
        StreamReply(
            [
                created(),
                item_added(0, call),
                item_done(0, call),
                {"type": "response.completed", "response": response([call])},
                DONE,
            ]
        ),
        StreamReply(_answer_events("done")),
    )
    r = _run(emu, tmp_path, "ask", "-m", "emulator/echo", "hi")
    err = _clean_failure(r)
    assert "TypeError" not in err and "AttributeError" not in err
    assert r.returncode == 0, err
    assert r.stdout.decode() == "done\n"
    assert 'tool call: lookup({"city": "Paris"})' in err
    fault_record.surfaced = True


def test_routerkit_home_that_is_a_file_is_a_usage_error(emu, tmp_path, fault_record):
    home = tmp_path / "a-file"
    home.write_text("not a directory")
    r = _run(emu, tmp_path, "chat", "-m", "emulator/echo", stdin=b"hi\n", ROUTERKIT_HOME=str(home))
    err = _clean_failure(r)
    assert r.returncode == 2
    assert (
        err
        == f"routerkit: error: ROUTERKIT_HOME={home} is a file, not a directory: point ROUTERKIT_HOME at a directory\n"
    )
    fault_record.surfaced = True


def test_closed_stdout_is_a_usage_error_before_any_request(emu, tmp_path, fault_record):
    r = _run(emu, tmp_path, "ask", "-m", "emulator/echo", "hi", shell_tail=">&-")
    err = _clean_failure(r)
    assert r.returncode == 2 and err.startswith("routerkit: error: stdout is closed") and err.count("\n") == 1
    assert emu.requests == []
    fault_record.surfaced = True


@pytest.mark.parametrize("model", ["emulator/markdown-400", "emulator/echo"])
def test_a_reader_that_stops_early_ends_the_command_quietly(emu, tmp_path, fault_record, model):
    r = _run(emu, tmp_path, "ask", "-m", model, "hi there", shell_tail='2>/dev/null; echo "rc=$?" >&2) | head -c1')
    err = _clean_failure(r)
    assert len(r.stdout) == 1
    # the answer was cut short by the reader: 141 (128 + SIGPIPE), as a shell pipeline reports it; or 0 when
    # the whole answer fit in the pipe before the reader left
    assert err in ("rc=141\n", "rc=0\n"), err
    fault_record.surfaced = True
