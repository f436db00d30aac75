"""`routerkit emulator` in the foreground, `routerkit demo` offline, and the examples shipped in the package."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import httpx2

from routerkit._demo import EXAMPLES

from .conftest import CLI, clean_env

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


def test_examples_match_the_demo_copies():
    assert sorted(p.name for p in EXAMPLES_DIR.glob("*.py")) == sorted(EXAMPLES)
    for name, source in EXAMPLES.items():
        assert (EXAMPLES_DIR / name).read_text(encoding="utf-8") == source, name


def test_emulator_command_prints_its_base_url(home):
    proc = subprocess.Popen(
        [*CLI, "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=clean_env(home),
    )
    try:
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        assert first.startswith("routerkit emulator: OpenRouter API on http://127.0.0.1:"), first
        assert second.startswith("OPENROUTER_BASE_URL=http://127.0.0.1:")
        base_url = second.strip().split("=", 1)[1]
        assert first.strip().endswith(base_url) and base_url.endswith("/api/v1")
        r = httpx2.get(base_url + "/models", headers={"Authorization": "Bearer x"}, timeout=10)
        assert r.status_code == 200 and r.json()["data"]
        r = httpx2.post(
            base_url + "/responses",
            headers={"Authorization": "Bearer x"},
            json={"model": "emulator/fail-402", "input": "hi"},
            timeout=10,
        )
        assert r.status_code == 402
        lines = []
        while len(lines) < 2:  # one line per request, after the banner's hints
            line = proc.stderr.readline()
            assert line, "the emulator stopped logging"
            if re.match(r"\d\d:\d\d:\d\d ", line):
                lines.append(line.strip())
        assert re.fullmatch(r"\S+ GET /api/v1/models - 200 \d+\.\d{3} s", lines[0]), lines
        assert re.fullmatch(r"\S+ POST /api/v1/responses emulator/fail-402 402 \d+\.\d{3} s", lines[1]), lines
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(10)
        finally:
            proc.kill()
            proc.stdout.close()
            proc.stderr.close()
    assert code in (0, 130)


def test_demo_without_a_key_runs_the_examples_on_the_emulator(home):
    started = time.perf_counter()
    r = subprocess.run(
        [*CLI, "demo"],
        capture_output=True,
        text=True,
        env=clean_env(home, OPENROUTER_BASE_URL="http://127.0.0.1:9/api/v1"),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "OPENROUTER_API_KEY is not set" in r.stderr and "local routerkit emulator" in r.stderr
    for name in EXAMPLES:
        assert f"=== examples/{name} ===" in r.stdout
    assert "Write a short poem about the ocean" in r.stdout
    assert "Coding" in r.stdout  # the haiku
    assert len(re.findall(r"^openai/gpt-oss-20b · ", r.stdout, re.M)) == 2  # the first two examples' footers
    assert "openai/gpt-4o · ↪ fallback from openai/gpt-oss-20b" in r.stdout  # the third's first model is down
    assert "takes openai/gpt-oss-20b down" in r.stderr
    assert "error" not in r.stdout.lower()
    assert time.perf_counter() - started < 20
