"""`routerkit serve module:agent` as a user runs it: a subprocess serving an agent module from the current directory,
answering a Responses request; and the refusals (an open host without a key, a spec that is not an agent)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2

from tests.conftest import TEST_KEY

CLI = [sys.executable, "-m", "routerkit.cli", "serve"]

AGENT_MODULE = """
from routerkit import Agent, OpenRouterResponses

def get_weather(city: str) -> str:
    '''The weather in a city.'''
    return f"sunny in {city}"

agent = Agent(model=OpenRouterResponses(id="emulator/tool"), tools=[get_weather])
not_an_agent = 42
"""


def _env(emu: Any, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "ROUTERKIT_"))}
    env.update(OPENROUTER_BASE_URL=emu.base_url, OPENROUTER_API_KEY=TEST_KEY, PYTHONUNBUFFERED="1", **extra)
    return env


def test_serve_answers_a_responses_request(emu: Any, tmp_path: Path) -> None:
    (tmp_path / "weather_app.py").write_text(AGENT_MODULE)
    with subprocess.Popen(
        [*CLI, "weather_app:agent", "--port", "0"],
        cwd=tmp_path,
        env=_env(emu),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("routerkit serve: weather_app:agent on http://127.0.0.1:"), line
            base_url = line.split(" on ", 1)[1].split()[0]
            r = httpx2.post(base_url + "/responses", json={"model": "agent", "input": "weather?"}, timeout=30)
            assert r.status_code == 200
            assert "get_weather: sunny in example city" in r.json()["output"][-1]["content"][0]["text"]
            assert httpx2.get(base_url + "/models").json()["data"][0]["id"] == "agent"
        finally:
            proc.terminate()


def _refused(tmp_path: Path, emu: Any, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "weather_app.py").write_text(AGENT_MODULE)
    return subprocess.run([*CLI, *args], cwd=tmp_path, env=_env(emu, **env), capture_output=True, text=True, timeout=60)


def test_an_open_host_needs_a_key(emu: Any, tmp_path: Path) -> None:
    out = _refused(tmp_path, emu, "weather_app:agent", "--host", "0.0.0.0", "--port", "0")
    assert out.returncode == 2
    assert "a key is required (--key or ROUTERKIT_SERVE_KEY)" in out.stderr


def test_the_spec_must_name_an_agent(emu: Any, tmp_path: Path) -> None:
    out = _refused(tmp_path, emu, "weather_app:not_an_agent")
    assert out.returncode == 2 and "weather_app:not_an_agent must be a routerkit Agent, found a int" in out.stderr
    out = _refused(tmp_path, emu, "weather_app")
    assert out.returncode == 2 and "module:attribute" in out.stderr
