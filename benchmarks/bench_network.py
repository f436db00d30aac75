"""The shared async pools' network backend: httpcore2's stock anyio backend against routerkit's asyncio one
(`routerkit.models._network`), alternating in ONE process and loop so load on a shared machine hits both
alike. Client CPU per run (min over blocks) of one `Agent.arun` with one async tool round trip
(`emulator/tool`, two requests), and of the bare floor (the same two requests by hand on one
`httpx2.AsyncClient`) on each backend.

    python benchmarks/bench_network.py [BLOCKS] [RUNS_PER_BLOCK]
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable

import bench_tool
import httpx2
from _clients import PROMPT, rk_model
from _harness import emulator

from routerkit.models import _async_pools as pools_module
from routerkit.models import _clients
from routerkit.models._network import AsyncioTransport

Run = Callable[[], Awaitable[str]]


def _stock(limits: httpx2.Limits) -> httpx2.AsyncBaseTransport:
    return httpx2.AsyncHTTPTransport(trust_env=False, limits=limits)


def _ours(limits: httpx2.Limits) -> httpx2.AsyncBaseTransport:
    return AsyncioTransport(verify=httpx2.create_ssl_context(trust_env=False), trust_env=False, limits=limits)


def _pools_on(make: Callable[[httpx2.Limits], httpx2.AsyncBaseTransport]) -> pools_module.AsyncPools:
    """The shared pools with their first shard on the given transport (the tool round trip uses one connection)."""
    pools = pools_module.AsyncPools()
    client = httpx2.AsyncClient(follow_redirects=False, trust_env=False, transport=make(pools_module._SHARD_LIMITS))
    pools._shards.append(pools_module._Shard(client))
    return pools


def _agent_run(base_url: str, body: bytes, pools: pools_module.AsyncPools) -> Run:
    """`Agent.arun` with the loop's shared pools swapped for `pools` for the run."""
    from routerkit.agent import Agent

    agent = Agent(model=rk_model(base_url, bench_tool.model_id(body)), tools=[bench_tool.get_weather])

    async def one() -> str:
        _clients._async_clients[asyncio.get_running_loop()] = pools
        output = await agent.arun(PROMPT)
        return str(output.content)

    return one


def _floor_run(base_url: str, body: bytes, make: Callable[[httpx2.Limits], httpx2.AsyncBaseTransport]) -> Run:
    """bench_tool's floor, its client built on the given transport (it calls `httpx2.AsyncClient()` on first use)."""
    one = bench_tool._one_run("floor", base_url, body)
    made: list[bool] = []

    async def first_on_transport() -> str:
        if made:
            return await one()
        real = httpx2.AsyncClient
        httpx2.AsyncClient = lambda: real(transport=make(httpx2.Limits()))  # type: ignore[assignment,misc]
        try:
            return await one()
        finally:
            httpx2.AsyncClient = real  # type: ignore[misc]
            made.append(True)

    return first_on_transport


async def alternate(base_url: str, body: bytes, blocks: int, runs: int) -> dict[str, float]:
    sides: dict[str, Run] = {
        "agent/anyio": _agent_run(base_url, body, _pools_on(_stock)),
        "agent/asyncio": _agent_run(base_url, body, _pools_on(_ours)),
        "floor/anyio": _floor_run(base_url, body, _stock),
        "floor/asyncio": _floor_run(base_url, body, _ours),
    }
    answers = {name: await one() for name, one in sides.items()}  # warm up: imports, first connections
    assert len(set(answers.values())) == 1, answers
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(blocks):
        for name, one in sides.items():
            cpu = time.process_time()
            for _ in range(runs):
                await one()
            best[name] = min(best[name], (time.process_time() - cpu) / runs)
    return best


def main() -> None:
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    with emulator() as base_url:
        payload = rk_model(base_url, "emulator/tool").request_body(
            PROMPT, stream=False, tools=[bench_tool.tool_definition()]
        )
        import json

        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        best = asyncio.run(alternate(base_url, body, blocks, runs))
    floor = best["floor/anyio"]
    for name, cpu in best.items():
        print(f"{name:14} {cpu * 1000:.3f} ms CPU a run  ({cpu / floor:.2f}x the stock floor)")


if __name__ == "__main__":
    main()
