"""What tracing costs a caller that does not use it: client CPU per agent run, with OpenTelemetry off.

    python benchmarks/bench_otel.py              # 5 rounds of 300 runs per mode
    python benchmarks/bench_otel.py --quick      # 3 rounds of 100

One `Agent.run` on `emulator/echo` (one model call) per iteration, in a fresh child process per mode and round
(rounds interleaved, so background load hits every mode alike), against one emulator process; the emulator's
CPU is not counted. Modes:

- `off`: the shipped default, OpenTelemetry not imported: the hooks cost a `sys.modules` look-up per call.
- `api`: `opentelemetry` imported by the application but no tracer provider set: still no spans.
- `noop`: `routerkit.instrument()` on the API's default (no-op) provider: spans made and dropped by the API.
- `sdk`: the SDK's tracer provider with an in-memory exporter (for orientation; real tracing has a price).

The whole-run ratios are noisy on a shared machine, so each child also times the hooks a run passes through
on their own (`hooks alone`); `1 + hooks / off` is the overhead they add to an untraced run. The budget
(issue 15): ≤ 1.02 for `off` and `api`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

from _harness import emulator

MODES = ("off", "api", "noop", "sdk")


def worker(mode: str, base_url: str, runs: int) -> dict[str, Any]:
    if mode in ("api", "noop", "sdk"):
        import opentelemetry.trace  # noqa: F401
    if mode == "noop":
        import routerkit

        routerkit.instrument()
    if mode == "sdk":
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        import routerkit

        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
        routerkit.instrument(tracer_provider=provider)
    from routerkit import Agent, OpenRouterResponses

    model = OpenRouterResponses(id="emulator/echo", base_url=base_url, api_key="x", max_retries=0)
    agent = Agent(model=model)
    for _ in range(20):  # warm up: imports, the connection
        agent.run("hi")
    cpu0 = time.process_time()
    for _ in range(runs):
        agent.run("hi")
    cpu_per_run = (time.process_time() - cpu0) / runs
    return {"cpu_per_run": cpu_per_run, "hooks_per_run": _hooks(model, agent)}


def _hooks(model: Any, agent: Any) -> float:
    """CPU seconds of the hooks one run passes through (its model call's scope, the run's scope and end),
    timed alone: steadier than the difference of two whole-run figures on a shared machine."""
    from routerkit.models._observe import agent_run, chat

    call = model._prepare("hi", False, {})
    output = agent.run("hi")
    n = 20_000
    cpu0 = time.process_time()
    for _ in range(n):
        observed = agent_run(agent, output)
        with chat(call):
            pass
        observed.end(output)
    return (time.process_time() - cpu0) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worker", nargs=3, metavar=("MODE", "BASE_URL", "RUNS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, base_url, runs = args.worker
        print(json.dumps(worker(mode, base_url, int(runs))))
        return
    rounds, runs = (3, 100) if args.quick else (5, 300)
    cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
    hooks: dict[str, list[float]] = {mode: [] for mode in MODES}
    with emulator() as base_url:
        for _ in range(rounds):
            for mode in MODES:
                out = subprocess.run(
                    [sys.executable, __file__, "--worker", mode, base_url, str(runs)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(out.stdout.strip().splitlines()[-1])
                cpu[mode].append(result["cpu_per_run"])
                hooks[mode].append(result["hooks_per_run"])
    base = statistics.median(cpu["off"])
    print(f"client CPU per Agent.run (emulator/echo), median of {rounds} rounds × {runs} runs")
    print("| mode | CPU per run | ratio to off | hooks alone per run | 1 + hooks / off |")
    print("|---|---|---|---|---|")
    for mode in MODES:
        value, hook = statistics.median(cpu[mode]), statistics.median(hooks[mode])
        print(f"| {mode} | {value * 1e6:.0f} µs | {value / base:.3f} | {hook * 1e6:.2f} µs | {1 + hook / base:.4f} |")


if __name__ == "__main__":
    main()
