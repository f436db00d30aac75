"""routerkit's benchmark suite: one command, one emulator, a markdown table of figures and ratios.

    python benchmarks/run.py            # full run, about 3 minutes on 2 cores
    python benchmarks/run.py --quick    # fewer repetitions, about 1 minute
    python benchmarks/run.py --only import,seq,stream,async,print,render

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
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
PROMPT = "hi"
IMPORT_APP = "from routerkit.agent import Agent; from routerkit.models.openrouter import OpenRouterResponses"
IMPORT_MODEL = "import routerkit.models.openrouter"
IMPORT_FLOOR = "import httpx2, pydantic"
IMPORT_PEERS = {
    "agno": "from agno.agent import Agent; from agno.models.openrouter import OpenRouterResponses",
    "openai": "from openai import OpenAI",
}
PEER_LABELS = {"agno": "agno", "openai": "openai SDK"}
MIB = 1024 * 1024


# ---------------------------------------------------------------------------------------------------------
# Children: one measurement each, result as one JSON line on stdout.
# ---------------------------------------------------------------------------------------------------------


def _rss_bytes() -> int:
    """Current resident set size (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _peak_rss_bytes() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _headers(stream: bool) -> dict[str, str]:
    return {
        "Authorization": "Bearer x",
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
    }


def _rk_model(base_url: str, model_id: str) -> Any:
    from routerkit.models.openrouter import OpenRouterResponses

    return OpenRouterResponses(id=model_id, base_url=base_url, api_key="x", max_retries=0)


def _agno_model(base_url: str, model_id: str) -> Any:
    """agno's OpenRouter Responses model on the emulator, retries off like routerkit's and the openai SDK's."""
    from agno.models.openrouter import OpenRouterResponses

    return OpenRouterResponses(id=model_id, base_url=base_url, api_key="x", max_retries=0)


def _agno_agent(model: Any, **kwargs: Any) -> Any:
    """An agno Agent with telemetry off: by default agno posts every run to os-api.agno.com in the background,
    traffic that has nothing to do with the work measured here."""
    from agno.agent import Agent

    return Agent(model=model, telemetry=False, **kwargs)


def _time_each(fn: Callable[[], Any], reps: int, warmup: int = 1) -> dict[str, Any]:
    """Wall and CPU seconds of `reps` calls of `fn` after `warmup` untimed ones, and the last result."""
    for _ in range(warmup):
        fn()
    times, cpus, result = [], [], None
    for _ in range(reps):
        cpu0, start = time.process_time(), time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu0)
    return {"seconds": times, "cpu": cpus, "result": result}


# Sequential non-streamed calls


def w_seq(side: str, base_url: str, body: bytes, calls: int, reps: int) -> dict[str, Any]:
    url = base_url + "/responses"
    if side == "routerkit":
        model = _rk_model(base_url, json.loads(body)["model"])

        def once() -> None:
            for _ in range(calls):
                model.invoke(PROMPT)

    elif side == "floor":
        import httpx2

        client = httpx2.Client()
        headers = _headers(False)

        def once() -> None:
            for _ in range(calls):
                r = client.post(url, content=body, headers=headers)
                r.raise_for_status()
                json.loads(r.content)

    elif side == "openai":
        import openai

        oclient = openai.OpenAI(base_url=base_url, api_key="x", max_retries=0)
        model_id = json.loads(body)["model"]

        def once() -> None:
            for _ in range(calls):
                oclient.responses.create(model=model_id, input=PROMPT)

    elif side == "agno":
        agent = _agno_agent(_agno_model(base_url, json.loads(body)["model"]))

        def once() -> None:
            for _ in range(calls):
                agent.run(PROMPT)

    else:
        raise ValueError(side)
    return _time_each(once, reps)


# One long stream


def _floor_stream_es(client: Any, url: str, body: bytes) -> int:
    import httpx2

    n = 0
    with client.stream("POST", url, content=body, headers=_headers(True)) as r:
        r.raise_for_status()
        for sse in httpx2.EventSource(r):
            if sse.data != "[DONE]":
                json.loads(sse.data)
                n += 1
    return n


def _floor_stream_lines(client: Any, url: str, body: bytes) -> int:
    n = 0
    rest = b""
    with client.stream("POST", url, content=body, headers=_headers(True)) as r:
        r.raise_for_status()
        for chunk in r.iter_bytes():
            *frames, rest = (rest + chunk).split(b"\n\n")
            for frame in frames:
                if frame.startswith(b"data: {"):
                    json.loads(frame[6:])
                    n += 1
    return n


def _floor_stream_bytes(client: Any, url: str, body: bytes) -> int:
    size = 0
    with client.stream("POST", url, content=body, headers=_headers(True)) as r:
        r.raise_for_status()
        for chunk in r.iter_bytes():
            size += len(chunk)
    return size


def w_stream(side: str, base_url: str, body: bytes, reps: int, warmup: int = 1) -> dict[str, Any]:
    url = base_url + "/responses"
    model_id = json.loads(body)["model"]
    if side in ("routerkit", "agent"):
        model = _rk_model(base_url, model_id)
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
        parse = {"floor_es": _floor_stream_es, "floor_lines": _floor_stream_lines, "floor_bytes": _floor_stream_bytes}
        fn = parse[side]

        def once() -> int:
            return fn(client, url, body)

    elif side == "openai":
        import openai

        oclient = openai.OpenAI(base_url=base_url, api_key="x", max_retries=0)

        def once() -> int:
            return sum(1 for _ in oclient.responses.create(model=model_id, input=PROMPT, stream=True))

    elif side == "agno":
        agent = _agno_agent(_agno_model(base_url, model_id))

        def once() -> int:
            return sum(1 for _ in agent.run(PROMPT, stream=True))

    else:
        raise ValueError(side)
    return _time_each(once, reps, warmup=warmup)


# Many concurrent async streams


def w_async(side: str, base_url: str, body: bytes, streams: int, trace: bool) -> dict[str, Any]:
    import asyncio

    url = base_url + "/responses"
    model_id = json.loads(body)["model"]

    if side == "routerkit":
        model = _rk_model(base_url, model_id)

        async def one() -> int:
            n = 0
            async for _ in model.ainvoke_stream(PROMPT):
                n += 1
            return n

    elif side == "floor":
        import httpx2

        holder: dict[str, Any] = {}

        async def one() -> int:
            client = holder.get("client")
            if client is None:
                client = holder["client"] = httpx2.AsyncClient()
            n = 0
            rest = b""
            async with client.stream("POST", url, content=body, headers=_headers(True)) as r:
                r.raise_for_status()
                async for chunk in r.aiter_bytes():
                    *frames, rest = (rest + chunk).split(b"\n\n")
                    for frame in frames:
                        if frame.startswith(b"data: {"):
                            json.loads(frame[6:])
                            n += 1
            return n

    elif side == "openai":
        import openai

        oclient = openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0)

        async def one() -> int:
            n = 0
            async for _ in await oclient.responses.create(model=model_id, input=PROMPT, stream=True):
                n += 1
            return n

    elif side == "agno":
        shared = _agno_model(base_url, model_id)  # one model, so one AsyncOpenAI client, like routerkit's one model

        async def one() -> int:
            agent = _agno_agent(shared)  # one Agent per stream, as a server handling requests would
            n = 0
            async for _ in agent.arun(PROMPT, stream=True):
                n += 1
            return n

    else:
        raise ValueError(side)

    async def main() -> dict[str, Any]:
        await one()  # warm up: lazy imports, the first connection
        import gc

        gc.collect()
        rss0 = _rss_bytes()
        if trace:
            import tracemalloc

            tracemalloc.start()
        cpu0, start = time.process_time(), time.perf_counter()
        counts = await asyncio.gather(*(one() for _ in range(streams)))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
        result: dict[str, Any] = {"seconds": [seconds], "cpu": cpu, "events": sum(counts)}
        if trace:
            import tracemalloc

            result["traced_peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        else:
            result["rss_growth"] = max(_peak_rss_bytes() - rss0, 0)
            result["peak_rss"] = _peak_rss_bytes()
        return result

    return asyncio.run(main())


# print_response into a terminal-like console


def w_print(side: str, base_url: str, body: bytes) -> dict[str, Any]:
    from rich.console import Console

    model_id = json.loads(body)["model"]
    with open(os.devnull, "w", encoding="utf-8") as sink:
        console = Console(file=sink, force_terminal=True, width=100, height=40)
        if side == "routerkit":
            from routerkit.agent import Agent

            # Warm up on a short stream: the first call imports the console layer and opens a pooled connection.
            warm = Agent(model=_rk_model(base_url, "emulator/markdown-20"), markdown=True)
            warm.print_response("warm up", stream=True, console=console)
            agent = Agent(model=_rk_model(base_url, model_id), markdown=True)

            def show() -> None:
                agent.print_response(PROMPT, stream=True, console=console)

        elif side == "agno":
            warm = _agno_agent(_agno_model(base_url, "emulator/markdown-20"), markdown=True)
            warm.print_response("warm up", stream=True, console=console)
            agent = _agno_agent(_agno_model(base_url, model_id), markdown=True)

            def show() -> None:
                agent.print_response(PROMPT, stream=True, console=console)

        else:
            raise ValueError(side)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        show()
        return {"cpu": time.process_time() - cpu0, "seconds": [time.perf_counter() - wall0]}


def w_render(side: str, deltas: int, reps: int) -> dict[str, Any]:
    """`console_render.py`'s measurement: RunPrinter alone, no network (CPU seconds, best of reps)."""
    sys.path.insert(0, str(HERE.parent))
    import console_render

    doc = console_render.make_document(20_000)
    return {"cpu": min(console_render.run(doc, deltas)[0] for _ in range(reps))}


def worker(argv: list[str]) -> None:
    kind, spec = argv[0], json.loads(argv[1])
    spec = {k: (v.encode() if k == "body" else v) for k, v in spec.items()}
    fn = {"seq": w_seq, "stream": w_stream, "async": w_async, "print": w_print, "render": w_render}[kind]
    print(json.dumps(fn(**spec)), flush=True)


# ---------------------------------------------------------------------------------------------------------
# Parent: emulator, scheduling, table.
# ---------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def emulator() -> Iterator[str]:
    """Start `python -m routerkit.emulator --port 0` and yield its base URL once it answers."""
    import httpx2

    proc = subprocess.Popen(
        [sys.executable, "-m", "routerkit.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base_url = None
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while base_url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"the emulator exited with {proc.wait()}")
            if line.startswith("OPENROUTER_BASE_URL="):
                base_url = line.split("=", 1)[1].strip()
        if base_url is None:
            raise RuntimeError("the emulator did not print its base URL within 30 s")
        with httpx2.Client() as client:
            while True:
                try:
                    if client.get(base_url + "/models", headers=_headers(False)).status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the emulator does not answer GET /models")
                time.sleep(0.05)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ChildFailed(RuntimeError):
    """A measuring child exited with an error or ran past its time limit; the message says why, briefly."""


def child(kind: str, timeout: float = 600, **spec: Any) -> dict[str, Any]:
    spec = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in spec.items()}
    try:
        out = subprocess.run(
            [sys.executable, str(HERE), "--worker", kind, json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"stopped after {timeout:.0f} s") from None
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise ChildFailed(tail[0].strip()[:160])
    return json.loads(out.stdout.strip().splitlines()[-1])


def whole_process(code: str) -> tuple[float, int]:
    """Wall seconds from spawn to exit of `python -c code`, and the child's peak RSS in bytes.

    The peak is the child's own VmHWM, read as its last act: `ru_maxrss` from wait4 would include the
    parent's memory, which the forked child holds until it execs."""
    probe = "\nimport sys; sys.stdout.write(open('/proc/self/status').read())"
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code + probe], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"python -c {code!r} exited with {out.returncode}: {out.stderr.strip()[-200:]}")
    m = re.search(r"^VmHWM:\s*(\d+) kB", out.stdout, re.M)
    return seconds, int(m.group(1)) * 1024 if m else 0


def importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@dataclass
class Row:
    work: str
    routerkit: str
    floor: str
    ratio: str
    target: str
    peers: dict[str, str] = field(default_factory=dict)


def fmt_s(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 0.1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def fmt_mib(size: float) -> str:
    return f"{size / MIB:.1f} MiB"


def fmt_ratio(r: float) -> str:
    return f"{r:.0f}×" if r >= 10 else f"{r:.1f}×"


def verdict(ok: bool) -> str:
    return "✓" if ok else "✗ missed"


class Bench:
    def __init__(self, base_url: str, quick: bool, peers: list[str]) -> None:
        self.base_url = base_url
        self.quick = quick
        self.peers = peers
        self.rows: list[Row] = []
        self.notes: list[str] = []

    def body(self, model_id: str, stream: bool) -> bytes:
        """The exact request body routerkit sends; the floor and the peers send the same model and input."""
        model = _rk_model(self.base_url, model_id)
        payload = model.request_body(PROMPT, stream=stream)
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    def sides(self, ours: tuple[str, ...], supported: tuple[str, ...]) -> tuple[str, ...]:
        """routerkit's and the floor's sides, then the installed peers that have an equivalent of the row."""
        return ours + tuple(p for p in self.peers if p in supported)

    def peer_cells(
        self, supported: tuple[str, ...], value: Callable[[str], float], fmt: Callable[[float], str], ours: float
    ) -> dict[str, str]:
        """Each peer's figure and, in brackets, the peer's figure over routerkit's (above 1× = the peer costs more)."""
        cells = {}
        for peer in PEER_LABELS:
            if peer not in self.peers:
                cells[peer] = "not installed"
            elif peer not in supported:
                cells[peer] = "—"
            else:
                try:
                    v = value(peer)
                except ChildFailed as exc:  # a peer's failure is reported in its cell, not fatal
                    cells[peer] = f"could not run: {str(exc).replace('|', '/')}"
                    continue
                cells[peer] = f"{fmt(v)} ({fmt_ratio(v / ours) if ours else '—'})"
        return cells

    def interleaved(self, reps: int, runs: dict[str, Callable[[], dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        """`reps` rounds of one run of each side in turn. A peer's failure is recorded (and the peer not rerun);
        routerkit's or the floor's is fatal."""
        results: dict[str, list[dict[str, Any]]] = {side: [] for side in runs}
        for _ in range(reps):
            for side, run in runs.items():
                if results[side] and "error" in results[side][-1]:
                    continue
                try:
                    results[side].append(run())
                except ChildFailed as exc:
                    if side not in PEER_LABELS:
                        raise ChildFailed(f"{side}: {exc}") from None
                    print(f"  {side} could not run: {exc}", file=sys.stderr, flush=True)
                    results[side].append({"error": str(exc)})
        return results

    @staticmethod
    def med(results: list[dict[str, Any]], key: str = "seconds") -> float:
        values: list[float] = []
        for r in results:
            if "error" in r:
                raise ChildFailed(r["error"])
            v = r[key]
            values.extend(v if isinstance(v, list) else [v])
        return statistics.median(values)

    # -- measurements --------------------------------------------------------------------------------

    def imports(self) -> None:
        reps = 5 if self.quick else 11
        codes = {"app": IMPORT_APP, "model": IMPORT_MODEL, "floor": IMPORT_FLOOR, "python": "pass"}
        codes.update({p: IMPORT_PEERS[p] for p in self.peers})
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
        self.rows.append(
            Row(
                "import `Agent` + `OpenRouterResponses`, whole process (openai SDK: `from openai import OpenAI`)",
                fmt_s(t["app"]),
                fmt_s(t["floor"]),
                f"{t['app'] / t['floor']:.2f}×",
                f"≤ 0.15 s {verdict(t['app'] <= 0.15)}{vs_agno}",
                self.peer_cells(both, t.__getitem__, fmt_s, t["app"]),
            )
        )
        self.rows.append(
            Row(
                "import `routerkit.models.openrouter` alone, whole process",
                fmt_s(t["model"]),
                fmt_s(t["floor"]),
                f"{t['model'] / t['floor']:.2f}×",
                f"≤ 0.15 s {verdict(t['model'] <= 0.15)}",
            )
        )
        self.rows.append(
            Row(
                "peak RSS after the import (`Agent` + `OpenRouterResponses`)",
                fmt_mib(m["app"]),
                fmt_mib(m["floor"]),
                f"{m['app'] / m['floor']:.2f}×",
                f"≤ 40 MiB {verdict(m['app'] <= 40 * MIB)}",
                self.peer_cells(both, m.__getitem__, fmt_mib, m["app"]),
            )
        )
        self.notes.append(
            f"import floor is `{IMPORT_FLOOR}`; a bare `python -c pass` takes {fmt_s(t['python'])} and "
            f"{fmt_mib(m['python'])} here, included in every whole-process figure ({reps} runs each, median)."
        )

    def sequential(self) -> None:
        calls = 200
        body = self.body("emulator/echo", stream=False)
        reps, inner = (3, 3) if self.quick else (5, 3)

        def run(side: str) -> dict[str, Any]:
            return child("seq", side=side, base_url=self.base_url, body=body, calls=calls, reps=inner)

        supported = ("openai", "agno")
        res = self.interleaved(reps, {s: (lambda s=s: run(s)) for s in self.sides(("routerkit", "floor"), supported)})
        rk, fl = self.med(res["routerkit"]), self.med(res["floor"])
        self.rows.append(
            Row(
                f"{calls} sequential non-streamed calls (`invoke`, `emulator/echo`; openai SDK: `responses.create`, "
                "agno: `Agent.run`)",
                fmt_s(rk),
                fmt_s(fl),
                f"{rk / fl:.2f}×",
                f"≤ 1.3× {verdict(rk / fl <= 1.3)}",
                self.peer_cells(supported, lambda p: self.med(res[p]), fmt_s, rk),
            )
        )
        self.notes.append(f"bare httpx2 round trip to the emulator: {fl / calls * 1e6:.0f} µs a call.")

    def stream(self) -> None:
        body = self.body("emulator/markdown-5000", stream=True)
        reps, inner = (3, 5) if self.quick else (5, 7)

        def run(side: str) -> dict[str, Any]:
            return child("stream", side=side, base_url=self.base_url, body=body, reps=inner)

        supported = ("openai", "agno")
        ours = ("routerkit", "agent", "floor_es", "floor_lines", "floor_bytes")
        res = self.interleaved(reps, {s: (lambda s=s: run(s)) for s in self.sides(ours, supported)})
        med = {s: self.med(res[s]) for s in ours}
        floor_side = min(("floor_es", "floor_lines"), key=med.__getitem__)
        fl, rk, ag = med[floor_side], med["routerkit"], med["agent"]
        events = res["routerkit"][0]["result"]
        self.rows.append(
            Row(
                "one stream of 5,000 text deltas (`invoke_stream`, `emulator/markdown-5000`; openai SDK: "
                "`responses.create(stream=True)`, agno: `Agent.run(stream=True)`)",
                fmt_s(rk),
                fmt_s(fl),
                f"{rk / fl:.2f}×",
                f"≤ 1.5× {verdict(rk / fl <= 1.5)}",
                self.peer_cells(supported, lambda p: self.med(res[p]), fmt_s, rk),
            )
        )
        self.rows.append(
            Row(
                "the same stream through `Agent.run(stream=True)` (floor: `invoke_stream`; agno: `Agent.run`)",
                fmt_s(ag),
                fmt_s(rk),
                f"{ag / rk:.2f}×",
                f"≤ 1.3× {verdict(ag / rk <= 1.3)}",
                self.peer_cells(("agno",), lambda p: self.med(res[p]), fmt_s, ag),
            )
        )
        counts = [f"{PEER_LABELS[p]} {res[p][-1]['result']:,}" for p in self.peers if "error" not in res[p][-1]]
        if counts:
            self.notes.append("events seen by the consumer of the 5,000-delta stream: " + ", ".join(counts) + ".")
        self.notes.append(
            f"5,000-delta stream ({events:,} routerkit events): bare httpx2 + `EventSource` "
            f"{fmt_s(med['floor_es'])}, bare `bytes.split` frame loop {fmt_s(med['floor_lines'])} (the floor is "
            f"the faster), bytes only, no parsing {fmt_s(med['floor_bytes'])}: the emulator and the transport "
            f"take {med['floor_bytes'] / fl:.0%} of the floor"
            + (" — the emulator bounds the floor." if med["floor_bytes"] / fl > 0.8 else ".")
        )

    def concurrent(self) -> None:
        streams = 200
        body = self.body("emulator/markdown-200", stream=True)
        reps = 3 if self.quick else 5

        def run(side: str, trace: bool = False) -> dict[str, Any]:
            return child("async", side=side, base_url=self.base_url, body=body, streams=streams, trace=trace)

        supported = ("openai", "agno")
        res = self.interleaved(reps, {s: (lambda s=s: run(s)) for s in self.sides(("routerkit", "floor"), supported)})
        traced = self.interleaved(
            1 if self.quick else 3, {s: (lambda s=s: run(s, True)) for s in ("routerkit", "floor")}
        )
        rk, fl = self.med(res["routerkit"]), self.med(res["floor"])
        rk_m, fl_m = self.med(res["routerkit"], "rss_growth"), self.med(res["floor"], "rss_growth")
        rk_t, fl_t = self.med(traced["routerkit"], "traced_peak"), self.med(traced["floor"], "traced_peak")

        def peer(key: str) -> Callable[[str], float]:
            return lambda p: self.med(res[p], key)

        self.rows.append(
            Row(
                f"{streams} concurrent async streams of 200 deltas (`ainvoke_stream`, gather; openai SDK: "
                "`AsyncOpenAI`, agno: `Agent.arun(stream=True)`): time",
                fmt_s(rk),
                fmt_s(fl),
                f"{rk / fl:.2f}×",
                f"≤ 1.5× {verdict(rk / fl <= 1.5)}",
                self.peer_cells(supported, peer("seconds"), fmt_s, rk),
            )
        )
        rk_c, fl_c = self.med(res["routerkit"], "cpu"), self.med(res["floor"], "cpu")
        self.rows.append(
            Row(
                "— the same: client CPU (robust to other load; the emulator's CPU is not counted)",
                fmt_s(rk_c),
                fmt_s(fl_c),
                f"{rk_c / fl_c:.2f}×",
                f"≤ 1.5× {verdict(rk_c / fl_c <= 1.5)}",
                self.peer_cells(supported, peer("cpu"), fmt_s, rk_c),
            )
        )
        self.rows.append(
            Row(
                "— the same: peak RSS growth during the run",
                fmt_mib(rk_m),
                fmt_mib(fl_m),
                f"{rk_m / fl_m:.2f}×" if fl_m else "—",
                f"≤ 1.5× {verdict(rk_m <= 1.5 * fl_m)}",
                self.peer_cells(supported, peer("rss_growth"), fmt_mib, rk_m),
            )
        )
        self.rows.append(
            Row(
                "— the same: tracemalloc peak (separate runs)",
                fmt_mib(rk_t),
                fmt_mib(fl_t),
                f"{rk_t / fl_t:.2f}×",
                f"≤ 1.5× {verdict(rk_t <= 1.5 * fl_t)}",
            )
        )
        self.notes.append(
            f"concurrent streams: whole-process peak RSS {fmt_mib(self.med(res['routerkit'], 'peak_rss'))} "
            f"(routerkit) vs {fmt_mib(self.med(res['floor'], 'peak_rss'))} (floor)"
            + "".join(
                f", {fmt_mib(self.med(res[p], 'peak_rss'))} ({PEER_LABELS[p]})"
                for p in self.peers
                if "error" not in res[p][-1]
            )
            + "; routerkit and the floor use httpx2's default pool (100 connections), so half the streams queue for "
            "a connection in either case. The peers use one `AsyncOpenAI` client (agno: one model, so one client, and "
            "a new `Agent` per stream), whose pool allows 1,000 connections, so all 200 streams run at once; "
            "tracemalloc runs are routerkit's and the floor's only."
        )

    def printing(self) -> None:
        reps = 1 if self.quick else 3
        cpu: dict[str, float] = {}
        peer_timeout = 120
        for n, pace in ((1000, 2), (2000, 2), (4000, 2), (2000, 0)):
            model_id = f"emulator/markdown-{n}" + (f"@{pace}" if pace else "")
            body = self.body(model_id, stream=True)

            def run_print(side: str, body: bytes = body, timeout: float = 600) -> dict[str, Any]:
                return child("print", timeout, side=side, base_url=self.base_url, body=body)

            def run_floor(body: bytes = body) -> dict[str, Any]:
                return child("stream", side="floor_lines", base_url=self.base_url, body=body, reps=1, warmup=0)

            res = self.interleaved(reps, {"routerkit": lambda: run_print("routerkit"), "floor": run_floor})
            c, wall = self.med(res["routerkit"], "cpu"), self.med(res["routerkit"])
            fl, fl_c = self.med(res["floor"]), self.med(res["floor"], "cpu")
            # agno re-renders the whole answer on every delta (quadratic): one run per size, 1,000 and 2,000 paced
            # deltas only, stopped after `peer_timeout` seconds so the suite stays bounded.
            supported = ("agno",) if pace and n <= 2000 else ()
            peer_res: dict[str, list[dict[str, Any]]] = {}
            for p in self.sides((), supported):
                print(f"  {p} print_response {model_id} (once, up to {peer_timeout} s)", file=sys.stderr, flush=True)
                peer_res |= self.interleaved(1, {p: lambda p=p: run_print(p, timeout=peer_timeout)})
            cpu[model_id] = c
            label = f"`print_response(stream=True)` `{model_id}`" + ("" if pace else " unpaced")
            target = f"≤ 1 s CPU {verdict(c <= 1.0)}" if n == 2000 and pace else "—"
            self.rows.append(
                Row(
                    f"{label}: CPU (floor: a bare read's CPU{'; agno: one run' if supported else ''})",
                    fmt_s(c),
                    fmt_s(fl_c),
                    f"{c / fl_c:.1f}×",
                    target,
                    self.peer_cells(supported, lambda p, r=peer_res: self.med(r[p], "cpu"), fmt_s, c),
                )
            )
            if pace:
                length = n * pace / 1000
                self.rows.append(
                    Row(
                        f"— wall vs the stream's own length ({fmt_s(length)} nominal; floor: a bare read's wall)",
                        fmt_s(wall),
                        fmt_s(fl),
                        f"{wall / fl:.2f}×",
                        f"≈ 1× (≤ 1.1) {verdict(wall / fl <= 1.1)}",
                        self.peer_cells(supported, lambda p, r=peer_res: self.med(r[p]), fmt_s, wall),
                    )
                )
            else:
                self.rows.append(
                    Row("— wall (floor: a bare read's wall)", fmt_s(wall), fmt_s(fl), f"{wall / fl:.1f}×", "—")
                )
        r = cpu["emulator/markdown-4000@2"] / cpu["emulator/markdown-2000@2"]
        self.rows.append(
            Row(
                "— CPU of `markdown-4000@2` / `markdown-2000@2`",
                f"{r:.2f}",
                "2.00 (linear)",
                "—",
                f"≤ 2.2 {verdict(r <= 2.2)}",
            )
        )

    def render(self) -> None:
        reps = 1 if self.quick else 3
        cpu = {n: child("render", side="routerkit", deltas=n, reps=reps)["cpu"] for n in (2000, 4000)}
        self.rows.append(
            Row(
                "`RunPrinter` alone (`console_render.py`), 20 KB in 2,000 deltas: CPU",
                fmt_s(cpu[2000]),
                "—",
                f"4000/2000: {cpu[4000] / cpu[2000]:.2f}",
                f"≤ 1 s, ratio ≤ 2.2 {verdict(cpu[2000] <= 1 and cpu[4000] / cpu[2000] <= 2.2)}",
            )
        )

    # -- output --------------------------------------------------------------------------------------

    def table(self) -> str:
        head = ["work", "routerkit", "floor", "ratio", "target"] + [
            f"{PEER_LABELS[p]} (÷ routerkit)" for p in PEER_LABELS
        ]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
        for row in self.rows:
            peers = [row.peers.get(p, "—") for p in PEER_LABELS]
            lines.append("| " + " | ".join([row.work, row.routerkit, row.floor, row.ratio, row.target, *peers]) + " |")
        return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        m = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        if m:
            cpu = m.group(1).strip()
    load = ", load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}{load}"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (noisier medians)")
    parser.add_argument(
        "--only",
        default="import,seq,stream,async,print,render",
        help="comma-separated subset of: import, seq, stream, async, print, render",
    )
    args = parser.parse_args()
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    peers = [p for p in PEER_LABELS if importable(p)]
    started = time.perf_counter()
    with emulator() as base_url:
        bench = Bench(base_url, args.quick, peers)
        steps = {
            "import": bench.imports,
            "seq": bench.sequential,
            "stream": bench.stream,
            "async": bench.concurrent,
            "print": bench.printing,
            "render": bench.render,
        }
        for name, step in steps.items():
            if name in wanted:
                print(f"… {name}", file=sys.stderr, flush=True)
                step()
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
