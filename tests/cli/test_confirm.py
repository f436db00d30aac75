"""Human in the loop in the CLI's renderer: a run that pauses for a tool call's confirmation is asked about on
the terminal ("Run tool({...})? [y/N]"), and rejected with a clear line when there is no terminal to ask on,
never left waiting. The run goes on after the answer and ends as usual (its footer, the model's answer)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from routerkit.emulator import Emulator

from ._pty import PtyProcess

PROGRAM = str(Path(__file__).with_name("_confirm_program.py"))


def test_the_terminal_is_asked_and_yes_runs_the_call(emu: Emulator, cli_env: Callable[..., dict[str, str]]) -> None:
    proc = PtyProcess([], cli_env(), python_args=PROGRAM)
    try:
        end = proc.expect(r"Run delete_file\(\{\"path\": \"[^\"]*\"\}\)\? \[y/N\] ")
        proc.send("y\r")
        proc.expect(r"status=COMPLETED deleted=1 confirmed=True", start=end)
        assert proc.wait() == 0
    finally:
        proc.close()
    sent = emu.requests[-1].body["input"]
    (call,) = [i for i in sent if i.get("type") == "function_call"]
    (output,) = [i for i in sent if i.get("type") == "function_call_output"]
    assert output["output"] == f"deleted {json.loads(call['arguments'])['path']}"


def test_anything_but_yes_rejects_the_call(emu: Emulator, cli_env: Callable[..., dict[str, str]]) -> None:
    proc = PtyProcess([], cli_env(), python_args=PROGRAM)
    try:
        end = proc.expect(r"\[y/N\] ")
        proc.send("\r")  # the default is no
        proc.expect(r"status=COMPLETED deleted=0 confirmed=False", start=end)
        assert proc.wait() == 0
    finally:
        proc.close()
    (output,) = [i for i in emu.requests[-1].body["input"] if i.get("type") == "function_call_output"]
    assert output["output"] == "Error: the user rejected this call to delete_file: The user declined the call."


def test_without_a_terminal_the_call_is_rejected_and_said_so(
    emu: Emulator, cli_env: Callable[..., dict[str, str]]
) -> None:
    done = subprocess.run(
        [sys.executable, PROGRAM], input="y\n", capture_output=True, text=True, env=cli_env(), timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert (
        "delete_file(" in done.stderr
        and "needs confirmation and there is no terminal to ask on: rejected" in done.stderr
    )
    assert "[y/N]" not in done.stderr + done.stdout  # nobody was asked, even though stdin had a "y"
    assert done.stdout.splitlines()[-1] == "status=COMPLETED deleted=0 confirmed=False"
    (output,) = [i for i in emu.requests[-1].body["input"] if i.get("type") == "function_call_output"]
    assert "There was no terminal to ask the user on" in output["output"]
