"""Per-call overhead of an MCP tool over stdio, after start-up, against the same function called in-process.

    python benchmarks/bench_mcp.py            # 500 calls each (after 20 warm-up calls)
    python benchmarks/bench_mcp.py --calls 2000

The server is this file run with `--serve` (the official SDK's `MCPServer` on stdio, one tool). Three ways to
call the same `weather(city)` are timed, one call at a time: the plain function; a routerkit function tool
(`function_tool(weather).call(arguments)`: JSON parsing and validation included); and the MCP tool as an agent
calls it (`MCPTools(...).get_tools()[0].call(arguments)`: validation, the hop to the connection's loop thread,
JSON-RPC over the pipe to the server process and back, and the result mapping), sync and async; and, as the
floor of any MCP client, the SDK's own `Client.call_tool` awaited directly on a second server process. It
prints the median wall time per call in µs, the client process's CPU per call, and the MCP tool's ratios to the
local tool and to the SDK alone. First it prints what validating a schema-first tool's arguments costs with
pydantic-core (the path taken when it can express the schema) and with ``jsonschema`` (the fallback).
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path


def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "days": {"type": "integer", "minimum": 1, "maximum": 14},
        "unit": {"enum": ["c", "f"]},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["city", "days"],
    "additionalProperties": False,
}


def validators(calls: int) -> None:
    """Schema-first tools validate with pydantic-core when it can express the schema, else with jsonschema:
    the cost of each, built and per call, on the same schema and arguments."""
    import timeit

    from routerkit.agent._schema_tool import SchemaValidator, _jsonschema_errors

    value = {"city": "Paris", "days": 3, "unit": "c", "tags": ["a", "b"]}
    fast, full = SchemaValidator(SCHEMA, "t").errors, _jsonschema_errors(SCHEMA, "t")
    assert fast(value) is None and full(value) is None
    build_fast = timeit.timeit(lambda: SchemaValidator(SCHEMA, "t"), number=100) / 100
    build_full = timeit.timeit(lambda: _jsonschema_errors(SCHEMA, "t"), number=100) / 100
    call_fast = timeit.timeit(lambda: fast(value), number=calls * 10) / (calls * 10)
    call_full = timeit.timeit(lambda: full(value), number=calls * 10) / (calls * 10)
    print(
        f"validation of a 4-property schema: pydantic-core {call_fast * 1e6:.1f} µs a call (built in "
        f"{build_fast * 1e3:.1f} ms), jsonschema {call_full * 1e6:.1f} µs (built in {build_full * 1e3:.1f} ms): "
        f"{call_full / call_fast:.0f}× faster"
    )


def _serve() -> None:
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("bench", log_level="ERROR")
    server.add_tool(weather)
    server.run("stdio")


def _time(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """Median wall seconds per call, and process CPU seconds per call."""
    for _ in range(20):
        call()
    walls = []
    cpu0 = time.process_time()
    for _ in range(calls):
        t0 = time.perf_counter()
        call()
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls), (time.process_time() - cpu0) / calls


async def _atime(call: Callable[[], Awaitable[object]], calls: int) -> tuple[float, float]:
    """`_time` for a coroutine function, awaited one call at a time."""
    for _ in range(20):
        await call()
    walls = []
    cpu0 = time.process_time()
    for _ in range(calls):
        t0 = time.perf_counter()
        await call()
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls), (time.process_time() - cpu0) / calls


async def _time_sdk(command: str, calls: int) -> tuple[float, float]:
    """The floor: the SDK's own client on its own server process (no routerkit)."""
    from mcp import Client, StdioServerParameters

    argv = shlex.split(command)
    async with Client(StdioServerParameters(command=argv[0], args=argv[1:])) as client:
        return await _atime(lambda: client.call_tool("weather", {"city": "Paris"}), calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve()
        return
    from routerkit.agent.tools import function_tool
    from routerkit.tools.mcp import MCPTools

    validators(args.calls)

    arguments = '{"city": "Paris"}'
    local = function_tool(weather)
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(Path(__file__).resolve()))} --serve"
    started = time.perf_counter()
    with MCPTools(command=command) as server:
        [remote] = server.get_tools()
        start_up = time.perf_counter() - started
        assert remote.call(arguments).output == local.call(arguments).output == weather("Paris")
        rows = {
            "plain function": _time(lambda: weather("Paris"), args.calls),
            "routerkit function tool (.call)": _time(lambda: local.call(arguments), args.calls),
            "MCP tool over stdio (.call)": _time(lambda: remote.call(arguments), args.calls),
        }
        rows["MCP tool over stdio (await .acall)"] = asyncio.run(_atime(lambda: remote.acall(arguments), args.calls))
    rows["mcp SDK alone (await Client.call_tool)"] = asyncio.run(_time_sdk(command, args.calls))
    print(f"start-up (spawn, handshake, list): {start_up:.2f} s; {args.calls} calls each, one at a time")
    print(f"{'':36} {'wall/call':>12} {'CPU/call':>12}")
    for name, (wall, cpu) in rows.items():
        print(f"{name:36} {wall * 1e6:>9.0f} µs {cpu * 1e6:>9.0f} µs")
    base, sdk = rows["routerkit function tool (.call)"][0], rows["mcp SDK alone (await Client.call_tool)"][0]
    for name in ("MCP tool over stdio (.call)", "MCP tool over stdio (await .acall)"):
        wall = rows[name][0]
        print(
            f"{name}: {wall / base:.0f}× the local tool (+{(wall - base) * 1e6:.0f} µs a call); "
            f"{wall / sdk:.2f}× the SDK alone"
        )


if __name__ == "__main__":
    main()
