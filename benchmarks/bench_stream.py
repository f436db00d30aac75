"""One stream of 5,000 text deltas (`emulator/markdown-5000`): `invoke_stream` and `Agent.run(stream=True)`
against the faster of two bare parsers, with a bytes-only read to show what the emulator and transport cost."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from _clients import PROMPT, agno_agent, agno_model, floor_stream, model_id, rk_model, time_each
from _harness import child, headers
from _table import PEER_LABELS, Bench, Row, fmt_s, median, ratio_cell, verdict


def _floor_stream_es(client: Any, url: str, body: bytes) -> int:
    import httpx2

    n = 0
    with client.stream("POST", url, content=body, headers=headers(True)) as r:
        r.raise_for_status()
        for sse in httpx2.EventSource(r):
            if sse.data != "[DONE]":
                json.loads(sse.data)
                n += 1
    return n


def _floor_stream_bytes(client: Any, url: str, body: bytes) -> int:
    size = 0
    with client.stream("POST", url, content=body, headers=headers(True)) as r:
        r.raise_for_status()
        for chunk in r.iter_bytes():
            size += len(chunk)
    return size


def worker(side: str, base_url: str, body: bytes, reps: int, warmup: int = 1) -> dict[str, Any]:
    url = base_url + "/responses"
    mid = model_id(body)
    if side in ("routerkit", "agent"):
        model = rk_model(base_url, mid)
        if side == "routerkit":

            def once() -> int:
                return sum(1 for _ in model.invoke_stream(PROMPT))

        else:
            from routerkit.agent import Agent

            def once() -> int:
                return sum(1 for _ in Agent(model=model).run(PROMPT, stream=True))

    elif side.startswith("floor"):
        import httpx2

        client = httpx2.Client()
        parse = {"floor_es": _floor_stream_es, "floor_lines": floor_stream, "floor_bytes": _floor_stream_bytes}
        fn = parse[side]

        def once() -> int:
            return fn(client, url, body)

    elif side == "openai":
        import openai

        oclient = openai.OpenAI(base_url=base_url, api_key="x", max_retries=0)

        def once() -> int:
            return sum(1 for _ in oclient.responses.create(model=mid, input=PROMPT, stream=True))

    elif side == "agno":
        agent = agno_agent(agno_model(base_url, mid))

        def once() -> int:
            return sum(1 for _ in agent.run(PROMPT, stream=True))

    else:
        raise ValueError(side)
    return time_each(once, reps, warmup=warmup)


def measure(bench: Bench) -> None:
    body = bench.body("emulator/markdown-5000", stream=True)
    reps, inner = (3, 5) if bench.quick else (5, 7)

    def run(side: str) -> dict[str, Any]:
        return child("stream", side=side, base_url=bench.base_url, body=body, reps=inner)

    supported = ("openai", "agno")
    ours = ("routerkit", "agent", "floor_es", "floor_lines", "floor_bytes")
    res = bench.interleaved(reps, {s: partial(run, s) for s in bench.sides(ours, supported)})
    med = {s: median(res[s]) for s in ours}
    floor_side = min(("floor_es", "floor_lines"), key=med.__getitem__)
    fl, rk, ag = med[floor_side], med["routerkit"], med["agent"]
    events = res["routerkit"][0]["result"]
    bench.rows.append(
        Row(
            "one stream of 5,000 text deltas (`invoke_stream`, `emulator/markdown-5000`; openai SDK: "
            "`responses.create(stream=True)`, agno: `Agent.run(stream=True)`)",
            fmt_s(rk),
            fmt_s(fl),
            ratio_cell(rk, fl),
            f"≤ 1.5× {verdict(rk / fl <= 1.5)}",
            bench.peer_cells(supported, lambda p: median(res[p]), fmt_s, rk),
        )
    )
    bench.rows.append(
        Row(
            "the same stream through `Agent.run(stream=True)` (floor: `invoke_stream`; agno: `Agent.run`)",
            fmt_s(ag),
            fmt_s(rk),
            ratio_cell(ag, rk),
            f"≤ 1.3× {verdict(ag / rk <= 1.3)}",
            bench.peer_cells(("agno",), lambda p: median(res[p]), fmt_s, ag),
        )
    )
    counts = [f"{PEER_LABELS[p]} {res[p][-1]['result']:,}" for p in bench.peers if "error" not in res[p][-1]]
    if counts:
        bench.notes.append("events seen by the consumer of the 5,000-delta stream: " + ", ".join(counts) + ".")
    bench.notes.append(
        f"5,000-delta stream ({events:,} routerkit events): bare httpx2 + `EventSource` "
        f"{fmt_s(med['floor_es'])}, bare `bytes.split` frame loop {fmt_s(med['floor_lines'])} (the floor is "
        f"the faster), bytes only, no parsing {fmt_s(med['floor_bytes'])}: the emulator and the transport "
        f"take {med['floor_bytes'] / fl:.0%} of the floor"
        + (" — the emulator bounds the floor." if med["floor_bytes"] / fl > 0.8 else ".")
    )
