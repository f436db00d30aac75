"""One agent run with one async tool round trip (`emulator/tool`): `Agent.arun` with an async tool against a
bare `httpx2.AsyncClient` doing the same two requests by hand (post, find the function call, await the tool,
post the call and its output back, read the answer). CPU and wall per run, many runs in one process."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from _clients import PROMPT, model_id, rk_model
from _harness import child, headers
from _table import Bench, Row, fmt_s, median, ratio_cell, verdict

RUNS = 200


async def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"Sunny in {city}"


def tool_definition() -> dict[str, Any]:
    """The tool as routerkit sends it, so the floor's first request is routerkit's, byte for byte."""
    from routerkit.agent.tools import function_tool

    return function_tool(get_weather).to_wire()


def _one_run(side: str, base_url: str, body: bytes) -> Callable[[], Awaitable[str]]:
    if side == "routerkit":
        from routerkit.agent import Agent

        agent = Agent(model=rk_model(base_url, model_id(body)), tools=[get_weather])

        async def one() -> str:
            output = await agent.arun(PROMPT)
            return str(output.content)

    elif side == "floor":
        import httpx2

        url = base_url + "/responses"
        sent = headers(False)
        first = json.loads(body)
        clients: list[Any] = []

        async def one() -> str:
            if not clients:  # created in the running loop
                clients.append(httpx2.AsyncClient())
            client = clients[0]
            r = await client.post(url, content=body, headers=sent)
            r.raise_for_status()
            call = next(item for item in json.loads(r.content)["output"] if item["type"] == "function_call")
            result = await get_weather(**json.loads(call["arguments"]))
            returned = {"type": "function_call_output", "call_id": call["call_id"], "output": result}
            payload = {**first, "input": [*first["input"], call, returned]}
            r = await client.post(url, content=json.dumps(payload, separators=(",", ":")).encode(), headers=sent)
            r.raise_for_status()
            answer: str = json.loads(r.content)["output"][-1]["content"][0]["text"]
            return answer

    else:
        raise ValueError(side)
    return one


def worker(side: str, base_url: str, body: bytes, runs: int, reps: int) -> dict[str, Any]:
    one = _one_run(side, base_url, body)

    async def main() -> dict[str, Any]:
        answer = await one()  # warm up: lazy imports, the first connection
        times, cpus = [], []
        for _ in range(reps):
            cpu0, start = time.process_time(), time.perf_counter()
            for _ in range(runs):
                await one()
            times.append((time.perf_counter() - start) / runs)
            cpus.append((time.process_time() - cpu0) / runs)
        return {"seconds": times, "cpu": cpus, "answer": answer}

    return asyncio.run(main())


def measure(bench: Bench) -> None:
    body = bench.body("emulator/tool", stream=False, tools=[tool_definition()])
    reps, inner = (3, 3) if bench.quick else (5, 3)

    def run(side: str) -> dict[str, Any]:
        return child("tool", side=side, base_url=bench.base_url, body=body, runs=RUNS, reps=inner)

    res = bench.interleaved(reps, {s: partial(run, s) for s in ("routerkit", "floor")})
    rk_c, fl_c = median(res["routerkit"], "cpu"), median(res["floor"], "cpu")
    rk, fl = median(res["routerkit"]), median(res["floor"])
    bench.rows.append(
        Row(
            "one `Agent.arun` with one async tool round trip (`emulator/tool`: two requests; floor: the same two "
            f"requests by hand on `httpx2.AsyncClient`): client CPU a run ({RUNS} runs a process)",
            fmt_s(rk_c),
            fmt_s(fl_c),
            ratio_cell(rk_c, fl_c),
            f"≤ 1.2× {verdict(rk_c <= 1.2 * fl_c)}",
        )
    )
    bench.rows.append(Row("— the same: wall a run", fmt_s(rk), fmt_s(fl), ratio_cell(rk, fl), "—"))
    answers = {res[s][-1]["answer"] for s in ("routerkit", "floor")}
    if len(answers) != 1:
        bench.notes.append(f"tool round trip: routerkit and the floor got different answers: {sorted(answers)!r}")
