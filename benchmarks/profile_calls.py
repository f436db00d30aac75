"""Python calls per run, routerkit against the floor, for the rows whose CPU ratio is the target: a count that
is the same on a loaded machine and a quiet one, so a cut can be judged while others use the cores.

    python benchmarks/profile_calls.py                  # tool, async, seq, stream: calls a run, both sides
    python benchmarks/profile_calls.py --only tool --top 30   # and routerkit's 30 functions with most extra calls

Each side warms up once (lazy imports, the first connection), then runs under cProfile; "extra" is a
function's call count on routerkit's side minus the same function's on the floor's (httpx2, h11, json, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
from collections.abc import Callable
from typing import Any

from _clients import PROMPT, floor_stream, model_id, rk_model
from _harness import emulator, headers
from _table import Bench

Counts = dict[tuple[str, int, str], int]


def _profile(run: Callable[[], object], runs: int) -> tuple[float, float, Counts]:
    """Calls a run in all, calls a run made by routerkit's own code (its functions and the built-ins they
    call: unlike the event loop's and the transport's, these do not vary with timing), and the counts."""
    run()  # warm up
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        run()
    prof.disable()
    stats: Any = pstats.Stats(prof).stats
    counts = {key: value[1] for key, value in stats.items()}
    own = 0
    for (path, _, _), value in stats.items():
        if path == "~":
            own += sum(c[1] for caller, c in value[4].items() if _OURS in caller[0])
        elif _OURS in path:
            own += value[1]
    return sum(counts.values()) / runs, own / runs, counts


_OURS = "/routerkit/"


def _in_loop(make: Callable[[], Any], gather: int = 1) -> Callable[[], object]:
    """Run `gather` coroutines of `make()` concurrently in one event loop kept across runs."""
    loop = asyncio.new_event_loop()
    one = make()

    def run() -> None:
        async def main() -> None:
            await asyncio.gather(*(one() for _ in range(gather)))

        loop.run_until_complete(main())

    return run


def sides(row: str, base_url: str) -> tuple[Callable[[], object], Callable[[], object], int]:
    """routerkit's and the floor's runs of one row, and how many runs to profile."""
    import httpx2

    bench = Bench(base_url, True, [])
    url = base_url + "/responses"
    if row == "tool":
        import bench_tool

        body = bench.body("emulator/tool", stream=False, tools=[bench_tool.tool_definition()])
        return (
            _in_loop(lambda: bench_tool._one_run("routerkit", base_url, body)),
            _in_loop(lambda: bench_tool._one_run("floor", base_url, body)),
            50,
        )
    if row == "async":
        import bench_async

        body = bench.body("emulator/markdown-200", stream=True)
        return (
            _in_loop(lambda: bench_async._one_stream("routerkit", base_url, body), 200),
            _in_loop(lambda: bench_async._one_stream("floor", base_url, body), 200),
            1,
        )
    if row == "seq":
        body = bench.body("emulator/echo", stream=False)
        model = rk_model(base_url, model_id(body))
        client = httpx2.Client()
        sent = headers(False)

        def floor() -> None:
            r = client.post(url, content=body, headers=sent)
            r.raise_for_status()
            r.json()

        return lambda: model.invoke(PROMPT), floor, 50
    if row == "stream":
        body = bench.body("emulator/markdown-5000", stream=True)
        model = rk_model(base_url, model_id(body))
        client = httpx2.Client()
        return lambda: sum(1 for _ in model.invoke_stream(PROMPT)), lambda: floor_stream(client, url, body), 1
    raise ValueError(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="tool,async,seq,stream")
    parser.add_argument("--top", type=int, default=0, help="list routerkit's N functions with most extra calls")
    args = parser.parse_args()
    with emulator() as base_url:
        for row in args.only.split(","):
            rk_run, floor_run, runs = sides(row, base_url)
            rk, own, rk_counts = _profile(rk_run, runs)
            fl, _, fl_counts = _profile(floor_run, runs)
            print(
                f"{row}: routerkit {rk:,.0f} calls a run ({own:,.0f} in routerkit's code), "
                f"floor {fl:,.0f} ({rk / fl:.3f}×)"
            )
            extra = {k: (n - fl_counts.get(k, 0)) / runs for k, n in rk_counts.items()}
            for (path, line, name), n in sorted(extra.items(), key=lambda kv: -kv[1])[: args.top]:
                print(f"  {n:8.1f}  {'/'.join(path.split('/')[-2:])}:{line} {name}")


if __name__ == "__main__":
    main()
