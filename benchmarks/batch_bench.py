"""Batch at scale, against the emulator: throughput, memory, and Ray Data.

    python benchmarks/batch_bench.py                       # all three, a few minutes on 2 cores
    python benchmarks/batch_bench.py --only throughput,memory
    python benchmarks/batch_bench.py --only ray            # needs pip install 'routerkit[ray]' (and aiohttp
                                                           # for Ray Data's own HTTP processor)
    python benchmarks/batch_bench.py --quick               # a check that every row works: 20,000 rows for
                                                           # memory, 500 and 60 for Ray (figures are rougher)

What each figure is
-------------------
- throughput: `routerkit batch` (the CLI, in a child process) over 2,000 rows of `emulator/slow-1000` (1 s
  before each answer) at `--concurrency 100` (`--concurrency N`). The ideal is concurrency / latency; the figure is
  rows/s over the whole command (start-up included) and its ratio to the ideal. Goal ≥ 0.95. `row_s`,
  `slots_busy` and `startup_s` say where the rest went: a slower call, or slots left idle. The floor, in the
  same run: the smallest script a user would write instead (`concurrency` asyncio workers sharing one stock
  `httpx2.AsyncClient`, streaming each answer and writing nothing), timed the same way in its own process.
- memory: peak RSS (`wait4` of the child) of `routerkit batch` over 1,000 and over 100,000 rows
  (`--memory-rows N`) of `emulator/echo`. Rows are streamed, so the ratio should stay ≤ 1.5.
- ray: rows/s of `routerkit.ray.ResponsesMapper` and of Ray Data's `HttpRequestProcessorConfig` (its documented
  processor for OpenAI-compatible endpoints), each on one actor of a local Ray (`num_cpus=2`), over
  `emulator/slow-200`, batches of 64. Ray and actor start-up cancel out: after an untimed 1-row warm-up, each side
  runs a 1-row pipeline and a long one (2,000 rows for the mapper, 150 for Ray's processor), and the rate is the
  extra rows over the extra time. Ray Data's processor needs aiohttp (not a dependency of `ray[data]`).
  Goal: the mapper ≥ 10× Ray's processor.

The emulator runs as its own process (`python -m routerkit.emulator --port 0`), so its CPU never slows the
measured client. The machine is shared: rerun before reading much into one figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KEY = "sk-or-v1-bench-not-a-real-key"


@contextlib.contextmanager
def emulator() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "routerkit.emulator", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("OPENROUTER_BASE_URL="):
                yield line.strip().split("=", 1)[1]
                break
    finally:
        proc.terminate()
        proc.wait(10)


def write_rows(path: Path, n: int) -> None:
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"custom_id": f"row-{i}", "input": f"question number {i}"}) + "\n")


def run_batch(base_url: str, rows: Path, out: Path, *args: str) -> tuple[float, int, dict[str, Any]]:
    """(seconds, peak RSS in KiB, summary) of one `routerkit batch` child process."""
    env = {**os.environ, "OPENROUTER_BASE_URL": base_url, "OPENROUTER_API_KEY": KEY}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "routerkit.cli", "batch", str(rows), "-o", str(out), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    summary = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"routerkit batch failed (status {status})")
    return elapsed, usage.ru_maxrss, json.loads(summary)


#: The floor: what a user would write by hand (agno's advice: a semaphore or workers over one AsyncClient).
BARE_LOOP = """
import asyncio, os, sys, httpx2
url, key = sys.argv[1] + "/responses", os.environ["OPENROUTER_API_KEY"]
rows, concurrency = int(sys.argv[2]), int(sys.argv[3])
async def main():
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(limits=limits, timeout=60) as client:
        todo = iter(range(rows))
        async def worker():
            for i in todo:
                body = {"model": "emulator/slow-1000", "input": f"question number {i}", "stream": True}
                headers = {"authorization": "Bearer " + key}
                async with client.stream("POST", url, json=body, headers=headers) as response:
                    async for _ in response.aiter_bytes():
                        pass
        await asyncio.gather(*(worker() for _ in range(concurrency)))
asyncio.run(main())
"""


def bare_loop(base_url: str, rows: int, concurrency: int) -> float:
    """Seconds of the floor's whole process over the same rows."""
    env = {**os.environ, "OPENROUTER_API_KEY": KEY}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", BARE_LOOP, base_url, str(rows), str(concurrency)], env=env, check=True)
    return time.perf_counter() - started


def throughput(base_url: str, tmp: Path, concurrency: int) -> dict[str, Any]:
    rows, latency = 2000, 1.0
    write_rows(tmp / "t.jsonl", rows)
    floor = bare_loop(base_url, rows, concurrency)
    elapsed, _, summary = run_batch(
        base_url, tmp / "t.jsonl", tmp / "t.out", "-m", "emulator/slow-1000", "--concurrency", str(concurrency)
    )
    assert summary["ok"] == rows, summary
    ideal = concurrency / latency
    # Where the rest goes: `row_s` is a row's own time, send to last byte (latency plus the emulator's and the
    # client's time inside the call); `slots_busy` the share of concurrency x elapsed that rows were in a call
    # (the rest: start-up, the last wave's tail, gaps between one row's end and the next one's send).
    # of_ideal = latency / row_s x slots_busy, exactly.
    durations = [json.loads(line)["duration"] for line in (tmp / "t.out").open()]
    row_s = sum(durations) / len(durations)
    return {
        "rows": rows,
        "concurrency": concurrency,
        "rows_per_s": round(rows / elapsed, 1),
        "ideal": ideal,
        "of_ideal": round(rows / elapsed / ideal, 3),
        "row_s": round(row_s, 4),
        "slots_busy": round(sum(durations) / (concurrency * elapsed), 3),
        "startup_s": round(elapsed - summary["elapsed_s"], 2),  # process start, imports, checking the input
        "floor_of_ideal": round(rows / floor / ideal, 3),
        "routerkit_vs_floor": round(floor / elapsed, 3),  # > 1: the CLI got more rows/s than the bare loop
    }


def memory(base_url: str, tmp: Path, large_n: int) -> dict[str, Any]:
    peaks = {}
    for n in (1_000, large_n):
        write_rows(tmp / f"m{n}.jsonl", n)
        elapsed, peak, summary = run_batch(
            base_url, tmp / f"m{n}.jsonl", tmp / f"m{n}.out", "-m", "emulator/echo", "--concurrency", "64"
        )
        assert summary["ok"] == n, summary
        peaks[n] = (peak, elapsed)
    small, large = peaks[1_000][0], peaks[large_n][0]
    return {
        "peak_rss_mb_1000_rows": round(small / 1024, 1),
        f"peak_rss_mb_{large_n}_rows": round(large / 1024, 1),
        "ratio": round(large / small, 2),
        f"rows_per_s_{large_n}": round(large_n / peaks[large_n][1], 1),
    }


def ray_compare(base_url: str, quick: bool) -> dict[str, Any]:
    import ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        namespace="routerkit-bench",
        runtime_env={"env_vars": {"OPENROUTER_API_KEY": KEY}},
    )
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        mapper = _ray_mapper(ray, base_url, 500 if quick else 2000)
        return {"routerkit_mapper": mapper, "ray_http_processor": _ray_http(ray, base_url, 60 if quick else 150)}
    finally:
        ray.shutdown()


def _rate(pipeline: Any, small: int, large: int) -> float | str:
    """Rows/s with Ray and actor start-up cancelled out: (large - small) rows over the difference in time
    between a pipeline of `large` rows and one of `small` rows (each starts its own actors). An untimed
    `small` run first pays the cluster's one-time warm-up, which once made the small run the slower one."""
    assert pipeline(small).count() == small
    times = []
    for n in (small, large):
        started = time.perf_counter()
        assert pipeline(n).count() == n
        times.append(time.perf_counter() - started)
    if times[1] <= times[0]:
        return f"not measured: {large} rows took {times[1]:.1f} s, {small} took {times[0]:.1f} s (machine too busy)"
    return round((large - small) / (times[1] - times[0]), 2)


def _ray_mapper(ray: Any, base_url: str, rows: int) -> float | str:
    from routerkit.ray import ResponsesMapper

    def pipeline(n: int) -> Any:
        return ray.data.from_items([{"input": f"question {i}"} for i in range(n)]).map_batches(
            ResponsesMapper,
            fn_constructor_kwargs={"model": "emulator/slow-200", "base_url": base_url, "concurrency": 64},
            batch_size=64,
            compute=ray.data.ActorPoolStrategy(size=1),
        )

    return _rate(pipeline, 1, rows)


def _ray_http(ray: Any, base_url: str, rows: int) -> float | str:
    try:
        from ray.data.llm import HttpRequestProcessorConfig, build_processor
    except ImportError as exc:  # aiohttp, in current Ray
        return f"not measured: {exc}"
    config = HttpRequestProcessorConfig(
        url=base_url + "/responses", headers={"Authorization": f"Bearer {KEY}"}, batch_size=64, concurrency=1
    )
    processor = build_processor(
        config,
        preprocess=lambda row: {"payload": {"model": "emulator/slow-200", "input": row["input"]}},
        postprocess=lambda row: {"answer": row["http_response"]["output"][0]["content"][0]["text"]},
    )

    def pipeline(n: int) -> Any:
        return processor(ray.data.from_items([{"input": f"question {i}"} for i in range(n)]))

    return _rate(pipeline, 1, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="throughput,memory,ray", help="comma-separated: throughput,memory,ray")
    parser.add_argument("--concurrency", type=int, default=100, help="for the throughput run (default 100)")
    parser.add_argument("--memory-rows", type=int, default=100_000, help="the large memory run (default 100000)")
    parser.add_argument("--quick", action="store_true", help="fewer rows: checks every row runs, rougher figures")
    args = parser.parse_args()
    if args.quick:
        args.memory_rows = min(args.memory_rows, 20_000)
    wanted = set(args.only.split(","))
    results: dict[str, Any] = {}
    with emulator() as base_url, tempfile.TemporaryDirectory() as tmp:
        if "throughput" in wanted:
            results["throughput"] = throughput(base_url, Path(tmp), args.concurrency)
            print("throughput", results["throughput"], flush=True)
        if "memory" in wanted:
            results["memory"] = memory(base_url, Path(tmp), args.memory_rows)
            print("memory", results["memory"], flush=True)
        if "ray" in wanted:
            try:
                import ray  # noqa: F401
            except ImportError:
                results["ray"] = "not measured: pip install 'routerkit[ray]'"
            else:
                ray_result = ray_compare(base_url, args.quick)
                mapper, http = ray_result["routerkit_mapper"], ray_result["ray_http_processor"]
                if isinstance(mapper, float) and isinstance(http, float):
                    ray_result["ratio"] = round(mapper / http, 1)
                results["ray"] = ray_result
            print("ray", results["ray"], flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
