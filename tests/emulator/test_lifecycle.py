"""Start/stop, shutdown with open stalled streams, concurrency, pacing, and the command line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time

import httpx2
import pytest

from routerkit.emulator import Emulator

from .helpers import AUTH, sse_events, stream


def test_start_stop_many_times_fast() -> None:
    start = time.monotonic()
    for _ in range(10):
        with Emulator() as emu:
            r = httpx2.get(f"{emu.base_url}/models")
            assert r.status_code == 200
    assert time.monotonic() - start < 10  # generous; typically well under a second in total


def test_stop_with_stalled_stream_open() -> None:
    emu = Emulator().start()
    got = threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with (
                httpx2.Client(headers=AUTH, timeout=60) as c,
                c.stream(
                    "POST", f"{emu.base_url}/responses", json={"model": "emulator/stall", "input": "x", "stream": True}
                ) as r,
            ):
                for chunk in r.iter_bytes():
                    if b"delta" in chunk:
                        got.set()
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    assert got.wait(5)
    start = time.monotonic()
    emu.stop()
    assert time.monotonic() - start < 2
    t.join(5)
    assert not t.is_alive()


def test_pacing_absolute_schedule(client: httpx2.Client) -> None:
    n, ms = 10, 30
    start = time.monotonic()
    _, data = stream(client, {"model": f"emulator/markdown-{n}@{ms}", "input": "x"})
    elapsed = time.monotonic() - start
    assert elapsed >= n * ms / 1000 * 0.8
    assert sum(e["type"] == "response.output_text.delta" for e in sse_events(data)) == n
    assert data.endswith(b"data: [DONE]\n\n")


def test_pacing_keepalive_comments(client: httpx2.Client) -> None:
    _, data = stream(client, {"model": "emulator/echo@1200", "input": "one"})
    assert data.count(b": OPENROUTER PROCESSING\n\n") >= 2


def test_paced_stall_and_reasoning(client: httpx2.Client) -> None:
    start = time.monotonic()
    _, data = stream(client, {"model": "emulator/reasoning@5", "input": "two words"})
    events = sse_events(data)
    n = sum(e["type"].endswith(".delta") for e in events)
    assert time.monotonic() - start >= n * 0.005 * 0.8


async def test_concurrent_async_clients(emu: Emulator) -> None:
    async with httpx2.AsyncClient(base_url=emu.base_url, headers=AUTH, timeout=30) as c:

        async def one(i: int) -> str:
            async with c.stream(
                "POST", "/responses", json={"model": "emulator/echo@2", "input": f"n {i}", "stream": True}
            ) as r:
                data = b"".join([chunk async for chunk in r.aiter_bytes()])
            return sse_events(data)[-1]["response"]["output_text"]

        results = await asyncio.gather(*(one(i) for i in range(20)))
    assert results == [f"n {i}" for i in range(20)]


def test_concurrent_threads(emu: Emulator) -> None:
    results: dict[int, str] = {}

    def one(i: int) -> None:
        with httpx2.Client(base_url=emu.base_url, headers=AUTH) as c:
            results[i] = c.post("/responses", json={"model": "emulator/echo", "input": f"t{i}"}).json()["output_text"]

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {i: f"t{i}" for i in range(8)}


def test_large_unpaced_stream_is_coalesced(client: httpx2.Client) -> None:
    sizes = []
    with client.stream(
        "POST", "/responses", json={"model": "emulator/markdown-5000", "input": "x", "stream": True}
    ) as r:
        for chunk in r.iter_raw():
            sizes.append(len(chunk))
    assert sum(sizes) > 5000 * 100
    assert len(sizes) < 5000 / 10  # far fewer reads than events


def test_cli_prints_base_url() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "routerkit.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        _check_cli(proc)


def _check_cli(proc: subprocess.Popen[str]) -> None:
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        url_line = next(line for line in lines if line.startswith("OPENROUTER_BASE_URL="))
        base_url = url_line.strip().split("=", 1)[1]
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api/v1")
        assert httpx2.get(f"{base_url}/models").status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            pytest.fail("emulator did not exit on SIGTERM")
