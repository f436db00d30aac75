"""3,000 concurrent `Agent.arun(stream=True)` streams of 200 deltas, as a server handling requests would run
them (one model, a new `Agent` per stream), against 3,000 bare streams of the same bytes through one
`httpx2.AsyncClient` whose pool allows them all at once. Wall time, client CPU and whole-process peak RSS.

A stream that fails or does not finish within the deadline is counted, not fatal: the row says how many
succeeded, failed and timed out, and the first error, so a connection cap or a stall shows as a figure.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from _clients import PROMPT, floor_astream, model_id, peak_rss_bytes, peer_stream
from _harness import ChildFailed, child, raise_fd_limit
from _table import PEER_LABELS, Bench, Row, fmt_mib, fmt_s, median, ratio_cell, verdict

STREAMS = 3000
DEADLINE_S = 240.0
"""Streams still open this long after the start are cancelled and counted as timed out."""
FLOOR_TIMEOUT_S = DEADLINE_S
"""Every timeout of both sides. With routerkit's defaults (connect 10 s) the bare client fails itself: httpcore2's
pool does work proportional to the waiting requests for each request it places, so 3,000 streams starting at
once block the loop past 10 s and the connections time out (2,999 of 3,000 did, under load). routerkit's sharded
pools avoid that, but the emulator, on the same two cores, can take over 10 s to accept 3,000 connections, so
both sides get the same generous timeouts and the row compares the clients, not the server's accept queue."""


def _one_stream(side: str, base_url: str, body: bytes, streams: int) -> Callable[[], Awaitable[int]]:
    url = base_url + "/responses"
    mid = model_id(body)
    if side == "routerkit":
        from routerkit.agent import Agent
        from routerkit.models.openrouter import OpenRouterResponses

        model = OpenRouterResponses(
            id=mid,
            base_url=base_url,
            api_key="x",
            max_retries=0,
            connect_timeout=FLOOR_TIMEOUT_S,
            stall_timeout=FLOOR_TIMEOUT_S,
        )

        async def one() -> int:
            n = 0
            async for _ in Agent(model=model).arun(PROMPT, stream=True, stream_events=True):
                n += 1
            return n

    elif side == "floor":
        import httpx2

        clients: list[Any] = []

        async def one() -> int:
            if not clients:  # created in the running loop, with a connection for every stream
                limits = httpx2.Limits(max_connections=streams, max_keepalive_connections=streams)
                clients.append(httpx2.AsyncClient(limits=limits, timeout=FLOOR_TIMEOUT_S))
            return await floor_astream(clients[0], url, body)

    else:
        return peer_stream(side, base_url, mid)
    return one


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}".replace("|", "/").replace("\n", " ")


def worker(side: str, base_url: str, body: bytes, streams: int, deadline: float) -> dict[str, Any]:
    raise_fd_limit()
    one = _one_stream(side, base_url, body, streams)

    async def main() -> dict[str, Any]:
        await one()  # warm up: lazy imports, the first connection
        cpu0, start = time.process_time(), time.perf_counter()
        tasks = [asyncio.ensure_future(one()) for _ in range(streams)]
        done, pending = await asyncio.wait(tasks, timeout=deadline)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        errors = [exc for t in done if (exc := t.exception()) is not None]
        return {
            "seconds": seconds,
            "cpu": cpu,
            "peak_rss": peak_rss_bytes(),
            "ok": len(done) - len(errors),
            "failed": len(errors),
            "timed_out": len(pending),
            "first_error": _describe(errors[0]) if errors else "",
            "events": sum(t.result() for t in done if t.exception() is None),
        }

    return asyncio.run(main())


def _outcome(r: dict[str, Any]) -> str:
    """`ok/total`, with what went wrong when not every stream succeeded."""
    if "error" in r:
        return f"the process failed: {r['error']}"
    total = r["ok"] + r["failed"] + r["timed_out"]
    text = f"{r['ok']:,}/{total:,}"
    if r["failed"]:
        text += f", {r['failed']:,} failed (first: {r['first_error']})"
    if r["timed_out"]:
        text += f", {r['timed_out']:,} unfinished after {DEADLINE_S:.0f} s"
    return text


def measure(bench: Bench) -> None:
    body = bench.body("emulator/markdown-200", stream=True)
    reps = 1 if bench.quick else 3

    def run(side: str) -> dict[str, Any]:
        try:
            return child(
                "many",
                DEADLINE_S + 60,
                side=side,
                base_url=bench.base_url,
                body=body,
                streams=STREAMS,
                deadline=DEADLINE_S,
            )
        except ChildFailed as exc:  # reported in the row, like a failed stream
            return {"error": str(exc)}

    ours = ("routerkit", "floor")
    supported = ("openai", "agno")
    res: dict[str, list[dict[str, Any]]] = {s: [] for s in bench.sides(ours, supported)}
    for rep in range(reps):
        for side in res:
            if side in PEER_LABELS and rep:
                continue  # the peers take minutes here: one run each
            print(f"  {side}: {STREAMS:,} streams", file=sys.stderr, flush=True)
            res[side].append(run(side))
    fine = {s: [r for r in runs if "error" not in r and r["ok"] == STREAMS] for s, runs in res.items()}
    all_ok = {s: len(fine[s]) == len(res[s]) for s in res}
    worst = {s: min(res[s], key=lambda r: r.get("ok", -1)) for s in res}

    def fig(side: str, key: str) -> float:
        """The median over the runs in which every stream succeeded; none → ChildFailed saying so, briefly."""
        if not fine[side]:
            ok = worst[side].get("ok")
            raise ChildFailed(f"{side}: {'no run' if ok is None else f'{ok:,}/{STREAMS:,}'} succeeded")
        return median(fine[side], key)

    bench.rows.append(
        Row(
            f"{STREAMS:,} concurrent `Agent.arun(stream=True)` streams of 200 deltas (`emulator/markdown-200`, one "
            "model, a new `Agent` per stream; floor: one `httpx2.AsyncClient` allowing 3,000 connections; openai "
            "SDK: `AsyncOpenAI`): streams that succeeded (worst run)",
            _outcome(worst["routerkit"]),
            _outcome(worst["floor"]),
            "—",
            f"all succeed {verdict(all_ok['routerkit'])}",
            {p: _outcome(worst[p]) if p in res else "not installed" for p in PEER_LABELS},
        )
    )
    for key, label, fmt, target in (
        ("seconds", "wall time", fmt_s, 1.3),
        ("cpu", "client CPU (the emulator's CPU is not counted)", fmt_s, 1.2),
        ("peak_rss", "whole-process peak RSS", fmt_mib, 1.3),
    ):
        try:
            rk, fl = fig("routerkit", key), fig("floor", key)
        except ChildFailed as exc:  # still show the side that finished, for orientation
            cells = {}
            for side in ours:
                try:
                    cells[side] = fmt(fig(side, key))
                except ChildFailed:
                    cells[side] = "—"
            missed = f"≤ {target}× ✗ not measured ({exc})"
            bench.rows.append(Row(f"— the same: {label}", cells["routerkit"], cells["floor"], "—", missed))
            continue
        bench.rows.append(
            Row(
                f"— the same: {label}",
                fmt(rk),
                fmt(fl),
                ratio_cell(rk, fl),
                f"≤ {target}× {verdict(rk <= target * fl)}",
                bench.peer_cells(supported, partial(fig, key=key), fmt, rk),
            )
        )
    bench.notes.append(
        f"{STREAMS:,} concurrent streams: runs of routerkit and the floor interleaved ({reps} each), the peers once; "
        "figures are medians over the runs in which every stream succeeded; a stream unfinished after "
        f"{DEADLINE_S:.0f} s is cancelled and counted. routerkit uses its shared async pools; both sides' connect and "
        f"stall timeouts are {FLOOR_TIMEOUT_S:.0f} s, since with 10 s the bare client itself fails (httpcore2's pool "
        "places each request with work proportional to all those waiting) and the emulator, on the same two cores, "
        "can take longer than that to accept 3,000 connections."
    )
