"""An agent using MCP servers' tools through `MCPTools`: in-process, over stdio and over streamable HTTP, sync
and async, streamed and not; the model is the emulator's `emulator/tool`, which calls the tools it is given
with schema-valid arguments and then answers with what they returned."""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import sys
import threading
from pathlib import Path

import pytest
from rich.console import Console

from routerkit.agent import Agent, ToolCallCompletedEvent, ToolCallStartedEvent
from routerkit.errors import MCPError, UsageError
from routerkit.run.base import RunStatus
from routerkit.tools.mcp import MCPTools

from ._servers import build


def _outputs(emu) -> list[str]:
    """The function_call_output items the model was sent in the last request."""
    return [i["output"] for i in emu.requests[-1].body["input"] if i.get("type") == "function_call_output"]


def _children() -> set[int]:
    """Our child processes (Linux /proc; the stdio server is one)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found.add(int(stat.parent.name))
    return found


def _mcp_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("routerkit-mcp")]


def test_in_process_server_sync_run(emu, make_model):
    with MCPTools(server=build("basic"), include_tools=["weather"]) as weather:
        agent = Agent(model=make_model("emulator/tool"), tools=[weather])
        out = agent.run("weather in Paris")
        sent = emu.requests[0].body["tools"]
    assert [t["name"] for t in sent] == ["weather"]
    assert sent[0]["parameters"]["required"] == ["city"] and sent[0]["description"] == "The weather in a city."
    [execution] = out.tools
    assert execution.tool_call_error is False
    assert execution.result.startswith("sunny in ")
    assert _outputs(emu) == [execution.result]
    assert execution.result in out.content
    assert _mcp_threads() == []


async def test_in_process_server_async_streamed(emu, make_model):
    async with MCPTools(server=build("basic"), exclude_tools=["refuse", "picture"]) as tools:
        agent = Agent(model=make_model("emulator/tool"), tools=[tools])
        events = [e async for e in agent.arun("use all tools", stream=True, stream_events=True)]
    started = [e.call.name for e in events if isinstance(e, ToolCallStartedEvent)]
    done = {e.call.name: e.result for e in events if isinstance(e, ToolCallCompletedEvent)}
    assert sorted(started) == ["structured", "weather"]
    assert done["weather"].output.startswith("sunny in ")
    # structured content arrives with its JSON text: the model reads the object
    assert '"celsius": 21' in done["structured"].output or '"celsius":21' in done["structured"].output
    assert _mcp_threads() == []


def test_tool_error_and_images_reach_the_model(emu, make_model):
    with MCPTools(server=build("basic"), include_tools=["refuse", "picture"]) as tools:
        out = Agent(model=make_model("emulator/tool"), tools=[tools]).run("call all tools")
    results = {e.tool_name: e for e in out.tools}
    assert results["refuse"].tool_call_error and results["refuse"].result.startswith(
        "Error executing tool refuse: no weather station in "
    )
    assert results["picture"].tool_call_error is False
    assert "a photo of " in results["picture"].result
    assert "[image image/png, 100 bytes: not shown to the model]" in results["picture"].result
    assert out.status == RunStatus.completed
    assert sorted(_outputs(emu)) == sorted(r.result for r in results.values())


def test_fifty_tools_include_exclude_prefix(emu, make_model):
    server = build("many")
    with MCPTools(server=server, tool_name_prefix="srv") as every:
        assert len(every.get_tools()) == 50
        assert every.get_tools()[0].name == "srv_tool_00"
    with MCPTools(server=server, exclude_tools=[f"tool_{i:02d}" for i in range(48)], tool_name_prefix="x") as two:
        out = Agent(model=make_model("emulator/tool"), tools=[two]).run("use all tools")
    assert [t["name"] for t in emu.requests[0].body["tools"]] == ["x_tool_48", "x_tool_49"]
    assert sorted(e.result.split(":")[0] for e in out.tools) == ["48", "49"]
    with pytest.raises(UsageError, match=r"include_tools names tools .* does not have: \['nope'\]"):
        MCPTools(server=server, include_tools=["tool_01", "nope"]).get_tools()
    assert _mcp_threads() == []


def test_a_call_that_never_answers_times_out_and_the_run_goes_on(emu, make_model):
    with MCPTools(server=build("faulty"), include_tools=["hang"], timeout_seconds=0.5) as tools:
        out = Agent(model=make_model("emulator/tool"), tools=[tools]).run("weather")
    [execution] = out.tools
    assert execution.tool_call_error
    assert "tool 'hang' of MCP server (in-process MCPServer) did not answer within 0.5 s" in execution.result
    assert out.status == RunStatus.completed and _outputs(emu) == [execution.result]
    assert _mcp_threads() == []


def test_stdio_subprocess_sync_and_async_and_clean_shutdown(emu, make_model, stdio):
    before = _children()
    tools = MCPTools(command=stdio("basic"), include_tools=["weather"])
    agent = Agent(model=make_model("emulator/tool"), tools=[tools])
    screen = io.StringIO()
    console = Console(file=screen, width=100, force_terminal=False, color_system=None)
    out = agent.print_response("weather", stream=True, console=console)  # connects on first use
    assert out is not None and out.tools[0].result.startswith("sunny in ")
    shown = screen.getvalue()
    # off a terminal print_response draws the same panels as on one (agno branch): ⚙ call, ↳ result
    assert "⚙ weather(" in shown and "↳ weather: sunny in " in shown
    started = _children() - before
    assert len(started) == 1 and len(_mcp_threads()) == 1

    async def again() -> str:
        return (await agent.arun("weather")).tools[0].result

    import asyncio

    assert asyncio.run(again()).startswith("sunny in ")
    tools.shutdown()
    assert _mcp_threads() == []
    assert _children() & started == set()  # the server process ended (and was reaped) with the session


def test_stdio_server_crash_mid_call_is_a_tool_error_then_it_restarts(emu, make_model, stdio):
    with MCPTools(command=stdio("faulty"), include_tools=["crash"]) as tools:
        agent = Agent(model=make_model("emulator/tool"), tools=[tools])
        out = agent.run("weather")
        [execution] = out.tools
        assert execution.tool_call_error
        assert "closed the connection during the call of 'crash' (did it crash?)" in execution.result
        assert out.status == RunStatus.completed and _outputs(emu) == [execution.result]
        out = agent.run("weather again")  # the dead server is started again for the next run (and dies again)
        assert "closed the connection during the call of 'crash'" in out.tools[0].result
    assert _mcp_threads() == []


async def test_streamable_http_async_and_sync(emu, make_model, http_url):
    async with MCPTools(url=http_url, include_tools=["weather"]) as tools:
        agent = Agent(model=make_model("emulator/tool"), tools=[tools])
        out = await agent.arun("weather")
        assert out.tools[0].result.startswith("sunny in ")
    with MCPTools(url=http_url, transport="streamable-http", include_tools=["structured"]) as tools:
        events = list(
            Agent(model=make_model("emulator/tool"), tools=[tools]).run("weather", stream=True, stream_events=True)
        )
    [done] = [e for e in events if isinstance(e, ToolCallCompletedEvent)]
    assert "celsius" in done.result.output
    assert _mcp_threads() == []


def test_sse_transport(emu, make_model, http_url):
    sse_url = http_url.removesuffix("/mcp") + "/sse"
    with MCPTools(url=sse_url, transport="sse", include_tools=["weather"]) as tools:
        out = Agent(model=make_model("emulator/tool"), tools=[tools]).run("weather")
    assert out.tools[0].result.startswith("sunny in ")
    assert _mcp_threads() == []


def test_a_server_that_cannot_start_raises_mcp_error(emu, make_model, tmp_path):
    missing = str(tmp_path / "no-such-server")
    agent = Agent(model=make_model("emulator/tool"), tools=[MCPTools(command=f"{missing} --token secret")])
    with pytest.raises(MCPError) as caught:
        agent.run("weather")
    assert "no-such-server" in str(caught.value) and "secret" not in str(caught.value)
    assert emu.requests == [] and _mcp_threads() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of command=, url= or server="),
        ({"command": "x", "url": "http://h/mcp"}, "exactly one of"),
        ({"command": "x", "transport": "sse"}, "needs url="),
        ({"url": "ftp://h"}, "http:// or https:// URL"),
        ({"url": "http://h/mcp", "transport": "stdio"}, "use transport="),
        ({"command": "   "}, "non-empty string"),
        ({"command": "x", "transport": "websocket"}, "transport must be one of"),
        ({"command": "x", "timeout_seconds": 0}, "timeout_seconds must be a positive number"),
        ({"command": "x", "tool_name_prefix": "a b"}, "tool_name_prefix"),
        ({"command": "x", "include_tools": "weather"}, "include_tools must be a list"),
        ({"command": "x", "env": {"A": 1}}, "env must be a dict"),
    ],
)
def test_bad_arguments_are_usage_errors(kwargs, message):
    with pytest.raises(UsageError, match=message):
        MCPTools(**kwargs)


def test_import_routerkit_does_not_import_mcp():
    import subprocess
    import sys

    code = (
        "import sys, routerkit, routerkit.agent, routerkit.tools.mcp; "
        "from routerkit.tools.mcp import MCPTools; MCPTools(command='x'); "
        "print('mcp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_tools_are_listed_once_per_connection_and_refresh_lists_them_again(emu, make_model):
    server = build("basic")
    with MCPTools(server=server, exclude_tools=["refuse", "picture", "structured"]) as tools:
        agent = Agent(model=make_model("emulator/tool"), tools=[tools])
        listed = tools.get_tools()
        agent.run("weather")
        assert tools.get_tools() is listed  # cached: no new listing per run

        def shout(text: str) -> str:
            return text.upper()

        server.add_tool(shout, name="shout", description="Upper case.")
        agent.run("weather")
        assert [t["name"] for t in emu.requests[-1].body["tools"]] == ["weather"]
        assert [t.name for t in tools.refresh()] == ["weather", "shout"]
        agent.run("weather")
        assert [t["name"] for t in emu.requests[-1].body["tools"]] == ["weather", "shout"]
    assert _mcp_threads() == []


def test_a_server_that_never_answers_the_handshake_is_an_error_not_a_hang(monkeypatch, tmp_path):
    from routerkit.tools import _mcp_connection

    monkeypatch.setattr(_mcp_connection, "START_SECONDS", 3.0)  # the real bound is 60 s, for slow start-ups
    silent = tmp_path / "silent.py"
    silent.write_text("import sys, time\nprint('not json-rpc', flush=True)\ntime.sleep(120)\n")
    before = _children()
    tools = MCPTools(command=f"{shlex.quote(sys.executable)} {shlex.quote(str(silent))}")
    with pytest.raises(MCPError, match=r"did not start and list its tools within 3 s"):
        tools.get_tools()
    assert _mcp_threads() == []
    assert _children() - before == set()  # the silent process was ended, not left behind
