"""Import time and memory, whole process (`python -c "<import>"` from spawn to exit), against
`import httpx2, pydantic`: what any client of this API imports anyway."""

from __future__ import annotations

import statistics

from _harness import whole_process
from _table import MIB, Bench, Row, fmt_mib, fmt_s, ratio_cell, verdict

IMPORT_APP = "from routerkit.agent import Agent; from routerkit.models.openrouter import OpenRouterResponses"
IMPORT_MODEL = "import routerkit.models.openrouter"
IMPORT_PACKAGE = "import routerkit"
IMPORT_FLOOR = "import httpx2, pydantic"
IMPORT_PEERS = {
    "agno": "from agno.agent import Agent; from agno.models.openrouter import OpenRouterResponses",
    "openai": "from openai import OpenAI",
}


def measure(bench: Bench) -> None:
    reps = 5 if bench.quick else 11
    codes = {"app": IMPORT_APP, "model": IMPORT_MODEL, "package": IMPORT_PACKAGE, "floor": IMPORT_FLOOR}
    codes["python"] = "pass"
    codes.update({p: IMPORT_PEERS[p] for p in bench.peers})
    for code in codes.values():
        whole_process(code)  # warm the bytecode cache and the page cache
    samples: dict[str, list[tuple[float, int]]] = {k: [] for k in codes}
    for _ in range(reps):
        for key, code in codes.items():
            samples[key].append(whole_process(code))
    t = {k: statistics.median(s for s, _ in v) for k, v in samples.items()}
    m = {k: statistics.median(r for _, r in v) for k, v in samples.items()}
    both = ("agno", "openai")
    vs_agno = f"; ≤ 1/5 of agno {verdict(t['app'] <= t['agno'] / 5)}" if "agno" in t else "; ≤ 1/5 of agno: n/a"
    bench.rows.append(
        Row(
            "import `Agent` + `OpenRouterResponses`, whole process (openai SDK: `from openai import OpenAI`)",
            fmt_s(t["app"]),
            fmt_s(t["floor"]),
            ratio_cell(t["app"], t["floor"]),
            f"≤ 0.15 s {verdict(t['app'] <= 0.15)}{vs_agno}",
            bench.peer_cells(both, t.__getitem__, fmt_s, t["app"]),
        )
    )
    model_ratio = t["model"] / t["floor"]
    bench.rows.append(
        Row(
            "import `routerkit.models.openrouter` alone, whole process",
            fmt_s(t["model"]),
            fmt_s(t["floor"]),
            ratio_cell(t["model"], t["floor"]),
            f"≤ 0.15 s {verdict(t['model'] <= 0.15)}; ≤ 1.1× {verdict(model_ratio <= 1.1)}",
        )
    )
    bench.rows.append(
        Row(
            "import `routerkit` (the package alone), whole process",
            fmt_s(t["package"]),
            fmt_s(t["floor"]),
            ratio_cell(t["package"], t["floor"]),
            "—",
        )
    )
    bench.rows.append(
        Row(
            "peak RSS after the import (`Agent` + `OpenRouterResponses`)",
            fmt_mib(m["app"]),
            fmt_mib(m["floor"]),
            ratio_cell(m["app"], m["floor"]),
            f"≤ 40 MiB {verdict(m['app'] <= 40 * MIB)}",
            bench.peer_cells(both, m.__getitem__, fmt_mib, m["app"]),
        )
    )
    bench.notes.append(
        f"import floor is `{IMPORT_FLOOR}`; a bare `python -c pass` takes {fmt_s(t['python'])} and "
        f"{fmt_mib(m['python'])} here, included in every whole-process figure ({reps} runs each, median); "
        f"`import routerkit` alone takes {fmt_s(t['package'])} and {fmt_mib(m['package'])}."
    )
