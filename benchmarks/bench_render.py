"""`RunPrinter` alone, no network (`console_render.py`'s measurements, each in a child process):

- a 20 KB markdown answer in 2,000 and 4,000 deltas: CPU seconds (best of reps) and their ratio;
- answer shapes at 150 KB and 300 KB on a virtual 2 ms-a-delta clock: characters rendered (exact), and the
  growth factor when the answer doubles.
"""

from __future__ import annotations

from typing import Any

import console_render
from _harness import child
from _table import Bench, Row, fmt_s, verdict


def worker(side: str, deltas: int, reps: int) -> dict[str, Any]:
    """CPU seconds of the 20 KB answer in `deltas` deltas, best of `reps` (`side` is always routerkit)."""
    doc = console_render.make_document(20_000)
    return {"cpu": min(console_render.run(doc, deltas)[0] for _ in range(reps))}


def shape_worker(shape: str, size: int) -> dict[str, Any]:
    seconds, printer = console_render.run_paced(console_render.SHAPES[shape](size))
    stats = printer.stats
    return {"cpu": seconds, "rendered": stats.rendered_chars, "redraws": stats.tail_renders}


def measure(bench: Bench) -> None:
    reps = 1 if bench.quick else 3
    cpu = {n: child("render", side="routerkit", deltas=n, reps=reps)["cpu"] for n in (2000, 4000)}
    bench.rows.append(
        Row(
            "`RunPrinter` alone (`console_render.py`), 20 KB in 2,000 deltas: CPU",
            fmt_s(cpu[2000]),
            "—",
            f"4000/2000: {cpu[4000] / cpu[2000]:.2f}",
            f"≤ 1 s, ratio ≤ 2.2 {verdict(cpu[2000] <= 1 and cpu[4000] / cpu[2000] <= 2.2)}",
        )
    )
    small, large = console_render.SHAPE_SIZES
    for shape in console_render.SHAPES:
        res = {size: child("shape", shape=shape, size=size) for size in (small, large)}
        growth = res[large]["rendered"] / res[small]["rendered"]
        bench.rows.append(
            Row(
                f"`RunPrinter` alone, {shape}: characters rendered for {small // 1000} KB → {large // 1000} KB "
                f"({console_render.DELTA_CHARS}-character deltas {console_render.PACE_S * 1000:g} ms apart, "
                "virtual clock; CPU in brackets)",
                f"{res[small]['rendered'] / 1e6:.2f} M → {res[large]['rendered'] / 1e6:.2f} M "
                f"({fmt_s(res[small]['cpu'])} → {fmt_s(res[large]['cpu'])})",
                "—",
                f"growth {growth:.2f}×",
                f"≤ 2.2× {verdict(growth <= 2.2)}",
            )
        )
    bench.notes.append(
        "render shapes: the counts are `RunPrinter.stats.rendered_chars`, exact and the same on every machine "
        "(the printer's redraw throttle reads a virtual clock that advances 2 ms a delta); one run each."
    )
