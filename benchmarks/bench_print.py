"""`print_response(stream=True)` of markdown answers into a terminal-like console (100×40, `force_terminal`,
writing to /dev/null), paced and unpaced, against a bare read of the same stream: CPU, and wall against the
stream's own length (the display must never lag)."""

from __future__ import annotations

import os
import sys
import time
from functools import partial
from typing import Any

from _clients import PROMPT, agno_agent, agno_model, model_id, rk_model
from _harness import child
from _table import Bench, Row, fmt_s, median, ratio_cell, verdict

PEER_TIMEOUT_S = 120
SIZES = ((1000, 2), (2000, 2), (4000, 2), (2000, 0))
"""(deltas, milliseconds between deltas; 0 = unpaced)."""
WARM_UP = "emulator/markdown-200"
"""2,000 characters: the emulator's document holds every kind of markdown block by then."""


def worker(side: str, base_url: str, body: bytes) -> dict[str, Any]:
    from rich.console import Console

    with open(os.devnull, "w", encoding="utf-8") as sink:
        console = Console(file=sink, force_terminal=True, width=100, height=40)
        if side == "routerkit":
            from routerkit.agent import Agent

            # Warm up on a short stream holding every kind of block (heading, list, code, table, quote): the first
            # call imports the console layer and opens a pooled connection, the first code block loads
            # pygments' lexer (~70 ms CPU, once per process).
            warm = Agent(model=rk_model(base_url, WARM_UP), markdown=True)
            warm.print_response("warm up", stream=True, console=console)
            agent = Agent(model=rk_model(base_url, model_id(body)), markdown=True)

            def show() -> None:
                agent.print_response(PROMPT, stream=True, console=console)

        elif side == "agno":
            warm = agno_agent(agno_model(base_url, WARM_UP), markdown=True)
            warm.print_response("warm up", stream=True, console=console)
            agent = agno_agent(agno_model(base_url, model_id(body)), markdown=True)

            def show() -> None:
                agent.print_response(PROMPT, stream=True, console=console)

        else:
            raise ValueError(side)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        show()
        return {"cpu": time.process_time() - cpu0, "seconds": [time.perf_counter() - wall0]}


def _run_print(bench: Bench, side: str, body: bytes, timeout: float = 600) -> dict[str, Any]:
    return child("print", timeout, side=side, base_url=bench.base_url, body=body)


def _run_floor(bench: Bench, body: bytes) -> dict[str, Any]:
    return child("stream", side="floor_lines", base_url=bench.base_url, body=body, reps=1, warmup=0)


def _one_size(bench: Bench, n: int, pace: int) -> float:
    """The rows of one answer size; returns routerkit's CPU seconds."""
    reps = 1 if bench.quick else 3
    mid = f"emulator/markdown-{n}" + (f"@{pace}" if pace else "")
    body = bench.body(mid, stream=True)
    res = bench.interleaved(
        reps, {"routerkit": partial(_run_print, bench, "routerkit", body), "floor": partial(_run_floor, bench, body)}
    )
    c, wall = median(res["routerkit"], "cpu"), median(res["routerkit"])
    fl, fl_c = median(res["floor"]), median(res["floor"], "cpu")
    # agno re-renders the whole answer on every delta (quadratic): one run per size, 1,000 and 2,000 paced
    # deltas only, stopped after PEER_TIMEOUT_S seconds so the suite stays bounded.
    supported = ("agno",) if pace and n <= 2000 else ()
    peer_res: dict[str, list[dict[str, Any]]] = {}
    for p in bench.sides((), supported):
        print(f"  {p} print_response {mid} (once, up to {PEER_TIMEOUT_S} s)", file=sys.stderr, flush=True)
        peer_res |= bench.interleaved(1, {p: partial(_run_print, bench, p, body, PEER_TIMEOUT_S)})
    label = f"`print_response(stream=True)` `{mid}`" + ("" if pace else " unpaced")
    target = f"≤ 1 s CPU {verdict(c <= 1.0)}; ≤ 3× {verdict(c <= 3 * fl_c)}" if n == 2000 and pace else "—"
    bench.rows.append(
        Row(
            f"{label}: CPU (floor: a bare read's CPU{'; agno: one run' if supported else ''})",
            fmt_s(c),
            fmt_s(fl_c),
            ratio_cell(c, fl_c, 1),
            target,
            bench.peer_cells(supported, lambda p: median(peer_res[p], "cpu"), fmt_s, c),
        )
    )
    if pace:
        bench.rows.append(
            Row(
                f"— wall vs the stream's own length ({fmt_s(n * pace / 1000)} nominal; floor: a bare read's wall)",
                fmt_s(wall),
                fmt_s(fl),
                ratio_cell(wall, fl),
                f"≈ 1× (≤ 1.1) {verdict(wall / fl <= 1.1)}",
                bench.peer_cells(supported, lambda p: median(peer_res[p]), fmt_s, wall),
            )
        )
    else:
        bench.rows.append(
            Row("— wall (floor: a bare read's wall)", fmt_s(wall), fmt_s(fl), ratio_cell(wall, fl, 1), "—")
        )
    return c


def measure(bench: Bench) -> None:
    cpu = {(n, pace): _one_size(bench, n, pace) for n, pace in SIZES}
    r = cpu[(4000, 2)] / cpu[(2000, 2)]
    bench.rows.append(
        Row(
            "— CPU of `markdown-4000@2` / `markdown-2000@2`",
            f"{r:.2f}",
            "2.00 (linear)",
            "—",
            f"≤ 2.2 {verdict(r <= 2.2)}",
        )
    )
