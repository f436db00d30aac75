"""`routerkit chat --mcp "COMMAND ARGS"` and `ask --mcp-url URL`, in a subprocess against the emulator: the
model gets the server's tools, the calls are shown like any tool call, and the server ends with the command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TEST_KEY = "sk-or-v1-mcp-cli-canary-0f1e2d3c4b5a"


def _run(emu, home: Path, *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "ROUTERKIT_", "OPENAI_"))}
    env |= {"OPENROUTER_BASE_URL": emu.base_url, "OPENROUTER_API_KEY": TEST_KEY, "ROUTERKIT_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "routerkit.cli", *args], input=input, capture_output=True, text=True, env=env,
        timeout=120,
    )  # fmt: skip


def test_chat_with_an_mcp_server_over_stdio(emu, stdio, tmp_path):
    r = _run(emu, tmp_path, "chat", "-m", "emulator/tool", "--mcp", stdio("basic"), input="weather?\n/exit\n")
    assert r.returncode == 0, r.stderr
    assert "weather" in r.stderr  # the tool call, shown on stderr when stdout is not a terminal
    assert "sunny in " in r.stdout  # the model's answer quotes what the tool returned
    [tool] = [t for t in emu.requests[0].body["tools"] if t["name"] == "weather"]
    assert tool["parameters"]["required"] == ["city"]
    assert TEST_KEY not in r.stdout + r.stderr


def test_ask_with_an_mcp_server_over_http(emu, http_url, tmp_path):
    r = _run(emu, tmp_path, "ask", "-m", "emulator/tool", "--mcp-url", http_url, "weather?")
    assert r.returncode == 0, r.stderr
    assert "sunny in " in r.stdout


def test_confirm_without_a_terminal_refuses_every_tool_call(emu, stdio, tmp_path):
    """`--confirm` piped: nobody can be asked, so the call is refused (said on stderr), never run or hung on."""
    r = _run(emu, tmp_path, "ask", "-m", "emulator/tool", "--mcp", stdio("basic"), "--confirm", "weather?", input="y\n")
    assert r.returncode == 0, r.stderr
    assert "there is no terminal to ask on: rejected" in r.stderr
    assert "sunny in " not in r.stdout  # the tool did not run
    [output] = [i for i in emu.requests[-1].body["input"] if i.get("type") == "function_call_output"]
    assert "rejected" in output["output"]


def test_confirm_on_a_terminal_asks_and_runs_the_call_on_yes(emu, stdio, tmp_path):
    from tests.cli._pty import PtyProcess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "ROUTERKIT_", "OPENAI_"))}
    env |= {"OPENROUTER_BASE_URL": emu.base_url, "OPENROUTER_API_KEY": TEST_KEY, "ROUTERKIT_HOME": str(tmp_path)}
    proc = PtyProcess(["chat", "-m", "emulator/tool", "--mcp", stdio("basic"), "--confirm"], env)
    try:
        end = proc.expect(">>> ")
        proc.send("weather in Paris?\r")
        end = proc.expect(r"Run weather\(\{\"city\": \"Paris\"\}\)\? \[y/N\] ", start=end)
        proc.send("y\r")
        end = proc.expect(r"sunny in Paris", start=end)
        proc.expect(">>> ", start=end)
        proc.send("/exit\r")
        assert proc.wait() == 0
    finally:
        proc.close()
    [output] = [i for i in emu.requests[-1].body["input"] if i.get("type") == "function_call_output"]
    assert "sunny in Paris" in output["output"]
