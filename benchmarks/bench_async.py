"""200 concurrent async streams of 200 deltas (`ainvoke_stream`, gathered) against bare `httpx2.AsyncClient`
streams of the same bytes, all 200 open at once on both sides: wall time, client CPU, peak RSS growth, and
(separate runs) the tracemalloc peak."""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from _clients import (
    PROMPT,
    ROUTERKIT_TIMEOUTS,
    floor_astream,
    model_id,
    peak_rss_bytes,
    peer_stream,
    rk_model,
    rss_bytes,
)
from _harness import child
from _table import PEER_LABELS, Bench, Row, fmt_mib, fmt_s, median, ratio_cell, verdict

STREAMS = 200
FLOOR_POOL = 32
FLOOR_POOLS = -(-STREAMS // FLOOR_POOL)
"""The floor runs every stream at once, as routerkit and the peers do: 7 pools of 32 connections taken in turn.
One pool of 200 would pay httpcore2's scan of every connection per request (O(N) each, routerkit's pools are
sharded for that reason); httpx2's default pool of 100 would queue half the streams and do less work at once."""


def _one_stream(side: str, base_url: str, body: bytes) -> Callable[[], Awaitable[int]]:
    """A coroutine function reading one whole stream and returning its event count; call it in the loop."""
    url = base_url + "/responses"
    mid = model_id(body)
    if side == "routerkit":
        model = rk_model(base_url, mid)

        async def one() -> int:
            n = 0
            async for _ in model.ainvoke_stream(PROMPT):
                n += 1
            return n

    elif side == "floor":
        import httpx2

        clients: list[Any] = []
        turn = itertools.count()

        async def one() -> int:
            if not clients:  # created in the running loop, on the first stream (the warm-up)
                limits = httpx2.Limits(max_connections=FLOOR_POOL, max_keepalive_connections=FLOOR_POOL)
                timeout = httpx2.Timeout(**ROUTERKIT_TIMEOUTS)
                clients.extend(httpx2.AsyncClient(timeout=timeout, limits=limits) for _ in range(FLOOR_POOLS))
            return await floor_astream(clients[next(turn) % FLOOR_POOLS], url, body)

    else:
        return peer_stream(side, base_url, mid)
    return one


def worker(side: str, base_url: str, body: bytes, streams: int, trace: bool) -> dict[str, Any]:
    one = _one_stream(side, base_url, body)

    async def main() -> dict[str, Any]:
        await one()  # warm up: lazy imports, the first connection
        gc.collect()
        rss0 = rss_bytes()
        if trace:
            import tracemalloc

            tracemalloc.start()
        cpu0, start = time.process_time(), time.perf_counter()
        counts = await asyncio.gather(*(one() for _ in range(streams)))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
        result: dict[str, Any] = {"seconds": [seconds], "cpu": cpu, "events": sum(counts)}
        if trace:
            import tracemalloc

            result["traced_peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        else:
            result["rss_growth"] = max(peak_rss_bytes() - rss0, 0)
            result["peak_rss"] = peak_rss_bytes()
        return result

    return asyncio.run(main())


def measure(bench: Bench) -> None:
    body = bench.body("emulator/markdown-200", stream=True)
    reps = 3 if bench.quick else 5

    def run(side: str, trace: bool = False) -> dict[str, Any]:
        return child("async", side=side, base_url=bench.base_url, body=body, streams=STREAMS, trace=trace)

    supported = ("openai", "agno")
    res = bench.interleaved(reps, {s: partial(run, s) for s in bench.sides(("routerkit", "floor"), supported)})
    traced = bench.interleaved(1 if bench.quick else 3, {s: partial(run, s, True) for s in ("routerkit", "floor")})
    rk, fl = median(res["routerkit"]), median(res["floor"])
    rk_m, fl_m = median(res["routerkit"], "rss_growth"), median(res["floor"], "rss_growth")
    rk_t, fl_t = median(traced["routerkit"], "traced_peak"), median(traced["floor"], "traced_peak")

    def peer(key: str) -> Callable[[str], float]:
        return lambda p: median(res[p], key)

    bench.rows.append(
        Row(
            f"{STREAMS} concurrent async streams of 200 deltas (`ainvoke_stream`, gather; openai SDK: "
            "`AsyncOpenAI`, agno: `Agent.arun(stream=True)`): time",
            fmt_s(rk),
            fmt_s(fl),
            ratio_cell(rk, fl),
            f"≤ 1.5× {verdict(rk / fl <= 1.5)}",
            bench.peer_cells(supported, peer("seconds"), fmt_s, rk),
        )
    )
    rk_c, fl_c = median(res["routerkit"], "cpu"), median(res["floor"], "cpu")
    bench.rows.append(
        Row(
            "— the same: client CPU (robust to other load; the emulator's CPU is not counted)",
            fmt_s(rk_c),
            fmt_s(fl_c),
            ratio_cell(rk_c, fl_c),
            f"≤ 1.5× {verdict(rk_c / fl_c <= 1.5)}",
            bench.peer_cells(supported, peer("cpu"), fmt_s, rk_c),
        )
    )
    bench.rows.append(
        Row(
            "— the same: peak RSS growth during the run",
            fmt_mib(rk_m),
            fmt_mib(fl_m),
            ratio_cell(rk_m, fl_m),
            f"≤ 1.5× {verdict(rk_m <= 1.5 * fl_m)}",
            bench.peer_cells(supported, peer("rss_growth"), fmt_mib, rk_m),
        )
    )
    bench.rows.append(
        Row(
            "— the same: tracemalloc peak (separate runs)",
            fmt_mib(rk_t),
            fmt_mib(fl_t),
            ratio_cell(rk_t, fl_t),
            f"≤ 1.5× {verdict(rk_t <= 1.5 * fl_t)}",
        )
    )
    bench.notes.append(
        f"concurrent streams: whole-process peak RSS {fmt_mib(median(res['routerkit'], 'peak_rss'))} "
        f"(routerkit) vs {fmt_mib(median(res['floor'], 'peak_rss'))} (floor)"
        + "".join(
            f", {fmt_mib(median(res[p], 'peak_rss'))} ({PEER_LABELS[p]})"
            for p in bench.peers
            if "error" not in res[p][-1]
        )
        + f"; every side runs all {STREAMS} streams at once: routerkit on its sharded pools, the floor on "
        f"{FLOOR_POOLS} `httpx2.AsyncClient`s of {FLOOR_POOL} connections taken in turn, the peers on one "
        "`AsyncOpenAI` client (agno: one model, so one client, and a new `Agent` per stream) whose pool allows "
        "1,000 connections; tracemalloc runs are routerkit's and the floor's only."
    )
