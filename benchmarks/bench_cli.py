"""The CLI, whole process (spawn to exit): `routerkit --help`, `routerkit ask` against a local emulator, and
what logging every turn costs (`ask` with and without `--no-log`, interleaved runs).

    python benchmarks/bench_cli.py [--runs N]

Targets: `--help` < 0.1 s, `ask` < 0.3 s, logging ≤ 5 ms. The logging cost is read three ways: the median of
the paired differences (each round runs both commands back to back), which this VM's coarse CPU accounting
leaves ±10 ms wide; the time `ask` spends inside its logging (importing what only it uses, keeping the
conversation, appending the turn to the inbox), timed from inside the process, CPU and wall clock (which adds
the waits for the disk); and, when valgrind is installed, the instructions `ask` and `ask --no-log` execute
(callgrind, once each), the one figure that repeats from run to run, read as a share of `ask`'s CPU.

Three floors are measured in the same runs: the bare interpreter; the smallest program that sends the same
request over a socket with h11, the HTTP/1.1 parser routerkit's sync pool uses (what is above it is routerkit's
own cost, whatever the machine); and the same request with httpx2, the least any httpx2-based client pays.
`llm` (the CLI people compare with) is measured side by side when it is installed (`llm --help`; its `prompt`
needs a real key, so not that).

The runs use a bytecode cache (in a temporary PYTHONPYCACHEPREFIX, filled by the warm-up run), as an
installed package has one: with PYTHONDONTWRITEBYTECODE set in the shell, every run would otherwise compile
each changed module from source again, which no user pays.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from routerkit.cli._inbox import FILE_AFTER, INBOX_FILE
from routerkit.emulator import Emulator

CLI = [sys.executable, "-m", "routerkit.cli"]

#: The floor for routerkit's own transport: the same streamed request over a socket with h11, read to its end,
#: exiting the way `routerkit` does (the heap frozen before exit), so that `ask` − this floor is routerkit's
#: own cost.
BARE_H11 = """
import gc, json, os, socket, h11
from urllib.parse import urlsplit
url = urlsplit(os.environ["OPENROUTER_BASE_URL"] + "/responses")
body = json.dumps({"model": "emulator/echo", "input": "hello", "stream": True}).encode()
sock = socket.create_connection((url.hostname, url.port))
conn = h11.Connection(h11.CLIENT)
head = [("Host", url.netloc), ("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
request = h11.Request(method="POST", target=url.path, headers=head)
sock.sendall(conn.send(request) + conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage()))
while not isinstance(event := conn.next_event(), h11.EndOfMessage):
    if event is h11.NEED_DATA:
        conn.receive_data(sock.recv(65536))
gc.freeze()
"""

#: The floor for any httpx2-based client: import it, stream one answer from the emulator and exit (plain http,
#: so no CA bundle is loaded; the heap frozen before exit).
BARE_HTTPX2 = """
import gc, os, httpx2
url = os.environ["OPENROUTER_BASE_URL"] + "/responses"
body = {"model": "emulator/echo", "input": "hello", "stream": True}
with httpx2.Client(verify=False) as client, client.stream("POST", url, json=body) as response:
    for chunk in response.iter_bytes():
        pass
gc.freeze()
"""


#: `routerkit ask` with the CPU and wall time of its logging summed from inside (time.process_time and
#: time.perf_counter), printed last on stderr: the import of what only logging uses, and the calls that
#: `ask --no-log` skips, wrapped where they are defined before `main` looks them up.
LOGGING_CPU = """
import sys, time
from routerkit.cli import main
import routerkit.cli.ask as ask, routerkit.db.memory  # the agent imports its store with or without logging
cpu, wall = time.process_time(), time.perf_counter()
import routerkit.cli._record as record
spent = [time.process_time() - cpu, time.perf_counter() - wall]
def timed(owner, name):
    call = getattr(owner, name)
    def wrapper(*args, **kwargs):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - cpu
            spent[1] += time.perf_counter() - wall
    setattr(owner, name, wrapper)
timed(record, "record_turn")
timed(ask, "_turn_store")
timed(ask, "_new_runs")
sys.argv = ["routerkit", *sys.argv[1:]]
try:
    main()
finally:
    print(f"logging {spent[0]} {spent[1]}", file=sys.stderr)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `argv`; CPU is the figure that holds on a loaded machine."""
    cpu = _children_cpu()
    started = time.perf_counter()
    r = subprocess.run(argv, env=env, capture_output=True, stdin=subprocess.DEVNULL, check=False)
    took = time.perf_counter() - started
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.decode(errors='replace')}")
    return took, _children_cpu() - cpu


def _logging_time(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU, wall) seconds spent in the logging calls of one `ask`."""
    r = subprocess.run(argv, env=env, capture_output=True, stdin=subprocess.DEVNULL, check=True, text=True)
    cpu, wall = r.stderr.rstrip().rsplit("logging ", 1)[1].split()
    return float(cpu), float(wall)


def _instructions(argv: list[str], env: dict[str, str]) -> int | None:
    """User-space instructions one run executes, counted by valgrind's callgrind (None without valgrind).

    Unlike CPU time, which this VM accounts in coarse samples (the same `ask` reads 150–300 ms), the count
    repeats to within a few thousand of ~450 million, so a difference of a tenth of a millisecond shows.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    with tempfile.TemporaryDirectory() as out:
        r = subprocess.run(
            [valgrind, "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out", *argv],
            env={**env, "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=True,
        )
    found = re.search(r"Collected : (\d+)", r.stderr)
    return int(found.group(1)) if found else None


def _filing_cost(ask: list[str], env: dict[str, str], runs: int) -> tuple[float, float, int]:
    """(wall, CPU) seconds per turn of filing the inbox, and the turns filed at once: `routerkit logs -n 1` with
    FILE_AFTER bytes of turns waiting (the most an `ask` leaves), minus the same with none, paired. The turns are
    copies of one real `ask` line with fresh ids, so each round files new turns."""
    inbox = Path(env["ROUTERKIT_HOME"]) / INBOX_FILE
    logs = [*CLI, "logs", "-n", "1"]
    timed(logs, env)
    timed(ask, env)
    [line] = inbox.read_text(encoding="utf-8").splitlines()
    timed(logs, env)
    turns = FILE_AFTER // (len(line) + 1)
    per_turn: list[tuple[float, float]] = []
    for _ in range(runs):
        copies = []
        for _ in range(turns):
            record = json.loads(line)
            record["uid"] = os.urandom(16).hex()
            for run in record["runs"]:
                run["run_id"] = os.urandom(16).hex()
            copies.append(json.dumps(record) + "\n")
        inbox.write_text("".join(copies), encoding="utf-8")
        full = timed(logs, env)
        empty = timed(logs, env)
        per_turn.append(((full[0] - empty[0]) / turns, (full[1] - empty[1]) / turns))
    return statistics.median(w for w, _ in per_turn), statistics.median(c for _, c in per_turn), turns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (median reported)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as pycache, Emulator() as emu:
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("OPENROUTER_", "ROUTERKIT_")) and k != "PYTHONDONTWRITEBYTECODE"
            },
            "PYTHONPYCACHEPREFIX": pycache,
            "ROUTERKIT_HOME": home,
            "OPENROUTER_BASE_URL": emu.base_url,
            "OPENROUTER_API_KEY": "bench",
        }
        ask = [*CLI, "ask", "-m", "emulator/echo", "hello"]
        commands = {
            "help": [*CLI, "--help"],
            "ask": ask,
            "ask --no-log": [*ask[:-1], "--no-log", "hello"],
            "python": [sys.executable, "-c", "pass"],
            "bare h11": [sys.executable, "-c", BARE_H11],
            "bare httpx2": [sys.executable, "-c", BARE_HTTPX2],
        }
        llm = shutil.which("llm")
        if llm:
            commands["llm --help"] = [llm, "--help"]
        for argv in commands.values():
            timed(argv, env)  # warm the bytecode and page caches, create the stores
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(runs):  # interleaved: load on the machine hits every command alike
            for name, argv in commands.items():
                samples[name].append(timed(argv, env))
        inside = [_logging_time([sys.executable, "-c", LOGGING_CPU, *ask[3:]], env) for _ in range(runs)]
        filing_wall, filing_cpu, filed = _filing_cost(ask, env, runs)
        counted = {name: _instructions(commands[name], env) for name in ("ask", "ask --no-log")}
    wall = {name: statistics.median(w for w, _ in values) for name, values in samples.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in samples.items()}
    rows = [
        ("routerkit --help", "help", "< 0.1 s", 0.1),
        ("routerkit ask (emulator/echo, logged)", "ask", "< 0.3 s", 0.3),
        ("routerkit ask --no-log", "ask --no-log", "—", None),
        ("floor: python -c pass", "python", "—", None),
        ("floor: one request over h11, no routerkit", "bare h11", "—", None),
        ("floor: one httpx2 request, no routerkit", "bare httpx2", "—", None),
    ]
    if llm:
        rows.append(("llm --help", "llm --help", "—", None))
    print(f"whole process, median of {runs} interleaved runs; python {sys.version.split()[0]}, {os.cpu_count()} cpus,")
    print(f"load average {os.getloadavg()[0]:.1f} (wall clock counts the waits for a core; CPU does not)")
    print(f"  {'':<40} {'wall':>9} {'CPU':>9}   target (on CPU)")
    for label, key, target, limit in rows:
        mark = "" if limit is None else (" ✓" if cpu[key] < limit else " ✗ missed")
        print(f"  {label:<40} {wall[key] * 1000:6.1f} ms {cpu[key] * 1000:6.1f} ms   {target}{mark}")
    cost_wall, cost_cpu = (
        statistics.median(a[i] - b[i] for a, b in zip(samples["ask"], samples["ask --no-log"], strict=True))
        for i in (0, 1)
    )
    mark = " ✓" if cost_cpu <= 0.005 else " ✗ missed"
    print(
        f"  {'logging cost (ask − ask --no-log, paired)':<40} {cost_wall * 1000:6.1f} ms {cost_cpu * 1000:6.1f} ms"
        f"   ≤ 5 ms{mark}"
    )
    own_cpu, own_wall = (statistics.median(sample[i] for sample in inside) for i in (0, 1))
    mark = " ✓" if own_cpu <= 0.005 else " ✗ missed"
    print(f"  {'logging calls inside ask':<40} {own_wall * 1000:6.1f} ms {own_cpu * 1000:6.1f} ms   ≤ 5 ms{mark}")
    logged, unlogged = counted["ask"], counted["ask --no-log"]
    if logged is not None and unlogged is not None:
        share = (logged - unlogged) / logged
        cost = share * cpu["ask"]
        mark = " ✓" if cost <= 0.005 else " ✗ missed"
        print(
            f"  {'logging, counted in instructions':<40} {(logged - unlogged) / 1e6:6.2f} M of {logged / 1e6:.0f} M "
            f"({share:.2%}) ≈ {cost * 1000:.1f} ms of ask's CPU   ≤ 5 ms{mark}"
        )
    else:
        print("  valgrind is not installed: no instruction count")
    label = f"filing the inbox, per turn ({filed} at once)"
    print(f"  {label:<40} {filing_wall * 1000:6.1f} ms {filing_cpu * 1000:6.1f} ms   —")
    for floor in ("bare h11", "bare httpx2"):
        label, over_wall, over_cpu = (
            f"routerkit ask − the {floor.split()[1]} floor",
            wall["ask"] - wall[floor],
            cpu["ask"] - cpu[floor],
        )
        print(f"  {label:<40} {over_wall * 1000:6.1f} ms {over_cpu * 1000:6.1f} ms   —")
    if not llm:
        print("  llm is not installed: no side-by-side figure")


if __name__ == "__main__":
    main()
