"""Process plumbing for the benchmark suite: the emulator process, measuring children, whole-process probes.

Every measurement runs in a fresh child (`run.py --worker KIND SPEC`) so imports, connection pools and memory
peaks never leak from one measurement into the next; the emulator runs as its own process so its CPU is never
counted in a client's figure.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RUN_PY = Path(__file__).resolve().parent / "run.py"


def use_bytecode_cache() -> None:
    """Let every child read compiled bytecode, as an installed package does: with PYTHONDONTWRITEBYTECODE set
    in the shell, routerkit's source (an editable install) would be compiled again in every child, while the
    floor's site-packages keep theirs, and the import rows would charge routerkit for it. The cache is a
    temporary folder, left to the OS's /tmp cleaning; the first run of each import row fills it."""
    import os
    import tempfile

    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None and "PYTHONPYCACHEPREFIX" not in os.environ:
        os.environ["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="routerkit-bench-pyc-")


def raise_fd_limit() -> int:
    """Raise this process's soft limit on open files to the hard limit and return it.

    3,000 concurrent streams need 3,000 sockets in the client and as many in the emulator; children and the
    emulator inherit the limit from the runner, and each child raises it again in case it runs alone."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def headers(stream: bool) -> dict[str, str]:
    """What a bare client sends: the same auth, content type and accept header as routerkit."""
    return {
        "Authorization": "Bearer x",
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
    }


@contextlib.contextmanager
def emulator() -> Iterator[str]:
    """Start `python -m routerkit.emulator --port 0` and yield its base URL once `GET /models` answers."""
    import httpx2

    raise_fd_limit()
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
                    if client.get(base_url + "/models", headers=headers(False)).status_code == 200:
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
    """Run one measurement in a fresh `run.py --worker` process and return the JSON line it prints."""
    spec = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in spec.items()}
    try:
        out = subprocess.run(
            [sys.executable, str(RUN_PY), "--worker", kind, json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"stopped after {timeout:.0f} s") from None
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise ChildFailed(tail[0].strip()[:160])
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


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


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        m = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        if m:
            cpu = m.group(1).strip()
    load = ", load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}{load}"
