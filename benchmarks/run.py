"""routerkit's benchmark suite: one command, one emulator, a markdown table of figures and ratios.

    python benchmarks/run.py            # full run
    python benchmarks/run.py --quick    # fewer repetitions
    python benchmarks/run.py --only import,seq,stream,async,many,tool,print,render

Theory of operation
-------------------
The parent process starts ONE emulator as its own process (`python -m routerkit.emulator --port 0`, waits
until `GET /models` answers) and runs every measurement in a fresh child process (`run.py --worker KIND`),
so imports, connection pools and memory peaks never leak from one measurement into the next. Each child
prints one JSON line; the parent interleaves routerkit's children with the floor's (so background load hits
both alike), repeats them, and quotes medians. The emulator's CPU is not counted in any CPU figure.

The *floor* is what a bare client costs over the same bytes: `httpx2` + `json`, no library. For streams it
is the faster of two bare parsers: `httpx2.EventSource` and a `bytes.split` frame loop. A ratio is
routerkit's median over the floor's median from the same run; absolute times are for orientation only,
since the machine is shared. agno and the openai SDK get columns only when importable (they are not
dependencies of routerkit and are never installed by this script: `pip install agno openai` first). Their children
run interleaved with routerkit's and the floor's, against the same emulator, with retries off and agno's telemetry
off; a peer cell holds the peer's median and, in brackets, the peer's figure over routerkit's (above 1× = the peer
costs more). A peer that cannot complete a row says why in its cell. agno's `print_response` re-renders the whole
answer on every delta, so it runs once per size (1,000 and 2,000 paced deltas only), stopped after 120 s.

One module per measurement (`bench_<name>.py`: its child's `worker` and the parent's `measure`); the emulator
and child processes are in `_harness.py`, the clients the children share in `_clients.py`, medians and the
table in `_table.py`.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import json
import sys
import time

from _harness import importable, machine, raise_fd_limit, use_bytecode_cache

STEPS = {
    "import": "bench_import",
    "seq": "bench_seq",
    "stream": "bench_stream",
    "async": "bench_async",
    "many": "bench_many",
    "tool": "bench_tool",
    "print": "bench_print",
    "render": "bench_render",
}
"""`--only` name → the module that measures it, in the order of the table."""

WORKERS = {
    "seq": ("bench_seq", "worker"),
    "stream": ("bench_stream", "worker"),
    "async": ("bench_async", "worker"),
    "many": ("bench_many", "worker"),
    "tool": ("bench_tool", "worker"),
    "print": ("bench_print", "worker"),
    "render": ("bench_render", "worker"),
    "shape": ("bench_render", "shape_worker"),
}
"""Child kind → (module, function); only that module is imported in the child."""


def worker(argv: list[str]) -> None:
    raise_fd_limit()
    kind, spec = argv[0], json.loads(argv[1])
    spec = {k: (v.encode() if k == "body" else v) for k, v in spec.items()}
    module, function = WORKERS[kind]
    fn = getattr(importlib.import_module(module), function)
    print(json.dumps(fn(**spec)), flush=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (noisier medians)")
    parser.add_argument("--only", default=",".join(STEPS), help=f"comma-separated subset of: {', '.join(STEPS)}")
    args = parser.parse_args()
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    unknown = wanted - STEPS.keys()
    if unknown:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}")

    from _harness import ChildFailed, emulator
    from _table import PEER_LABELS, Bench

    use_bytecode_cache()

    peers = [p for p in PEER_LABELS if importable(p)]
    started = time.perf_counter()
    with emulator() as base_url:
        bench = Bench(base_url, args.quick, peers)
        for name, module in STEPS.items():
            if name in wanted:
                print(f"… {name}", file=sys.stderr, flush=True)
                try:
                    importlib.import_module(module).measure(bench)
                except ChildFailed as exc:  # the other measurements still run; the failure is in the notes
                    print(f"  {name} failed: {exc}", file=sys.stderr, flush=True)
                    bench.notes.append(f"**{name} could not be measured**: {exc}")
    print(f"routerkit benchmarks, {_dt.date.today().isoformat()}, {'quick' if args.quick else 'full'} run")
    print(f"machine: {machine()}")
    print()
    print(bench.table())
    print()
    for note in bench.notes:
        print(f"- {note}")
    print(f"\n({time.perf_counter() - started:.0f} s; medians of interleaved runs, each in a fresh process)")


if __name__ == "__main__":
    main()
