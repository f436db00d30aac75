"""200 sequential non-streamed calls to `emulator/echo`: routerkit's `invoke` against bare httpx2 + json."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from _clients import PROMPT, agno_agent, agno_model, model_id, rk_model, time_each
from _harness import child, headers
from _table import Bench, Row, fmt_s, median, ratio_cell, verdict

CALLS = 200


def worker(side: str, base_url: str, body: bytes, calls: int, reps: int) -> dict[str, Any]:
    url = base_url + "/responses"
    if side == "routerkit":
        model = rk_model(base_url, model_id(body))

        def once() -> None:
            for _ in range(calls):
                model.invoke(PROMPT)

    elif side == "floor":
        import httpx2

        client = httpx2.Client()
        sent = headers(False)

        def once() -> None:
            for _ in range(calls):
                r = client.post(url, content=body, headers=sent)
                r.raise_for_status()
                json.loads(r.content)

    elif side == "openai":
        import openai

        oclient = openai.OpenAI(base_url=base_url, api_key="x", max_retries=0)
        mid = model_id(body)

        def once() -> None:
            for _ in range(calls):
                oclient.responses.create(model=mid, input=PROMPT)

    elif side == "agno":
        agent = agno_agent(agno_model(base_url, model_id(body)))

        def once() -> None:
            for _ in range(calls):
                agent.run(PROMPT)

    else:
        raise ValueError(side)
    return time_each(once, reps)


def measure(bench: Bench) -> None:
    body = bench.body("emulator/echo", stream=False)
    reps, inner = (3, 3) if bench.quick else (5, 3)

    def run(side: str) -> dict[str, Any]:
        return child("seq", side=side, base_url=bench.base_url, body=body, calls=CALLS, reps=inner)

    supported = ("openai", "agno")
    res = bench.interleaved(reps, {s: partial(run, s) for s in bench.sides(("routerkit", "floor"), supported)})
    rk, fl = median(res["routerkit"]), median(res["floor"])
    bench.rows.append(
        Row(
            f"{CALLS} sequential non-streamed calls (`invoke`, `emulator/echo`; openai SDK: `responses.create`, "
            "agno: `Agent.run`)",
            fmt_s(rk),
            fmt_s(fl),
            ratio_cell(rk, fl),
            f"≤ 1.3× {verdict(rk / fl <= 1.3)}",
            bench.peer_cells(supported, lambda p: median(res[p]), fmt_s, rk),
        )
    )
    bench.notes.append(f"bare httpx2 round trip to the emulator: {fl / CALLS * 1e6:.0f} µs a call.")
