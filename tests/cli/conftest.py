"""Fixtures for the CLI tests: an emulator for this folder, and `run_cli` to run `routerkit` in a subprocess.

Every subprocess gets a clean environment: the emulator's base URL, a test key, and `ROUTERKIT_HOME` in a
temporary directory, so nothing touches the developer's sessions, caches or the real OpenRouter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from routerkit.emulator import Emulator

from ._pty import PtyProcess

TEST_KEY = "sk-or-v1-cli-canary-5e3f9a0c7d21b4e8"
CLI = [sys.executable, "-m", "routerkit.cli"]


@pytest.fixture(scope="module")
def cli_emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emu(cli_emulator: Emulator) -> Iterator[Emulator]:
    cli_emulator.reset()
    yield cli_emulator
    cli_emulator.reset()


def clean_env(home: Path, **extra: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENROUTER_", "ROUTERKIT_", "OPENAI_")) and k not in ("NO_COLOR", "FORCE_COLOR")
    }
    env["ROUTERKIT_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def cli_env(emu: Emulator, home: Path) -> Callable[..., dict[str, str]]:
    def make(**extra: str | None) -> dict[str, str]:
        base: dict[str, str | None] = {"OPENROUTER_BASE_URL": emu.base_url, "OPENROUTER_API_KEY": TEST_KEY}
        base.update(extra)
        return clean_env(home, **base)

    return make


@pytest.fixture
def run_cli(cli_env: Callable[..., dict[str, str]]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_cli("ask", "-m", "emulator/echo", "hi", input="piped text", env={...})`: stdout and stderr are pipes."""

    def run(*args: str, input: str | None = None, env: dict[str, Any] | None = None, timeout: float = 30):
        return subprocess.run(
            [*CLI, *args],
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env=cli_env(**(env or {})),
            timeout=timeout,
        )

    return run


@pytest.fixture
def pty_run(cli_env: Callable[..., dict[str, str]]) -> Iterator[Callable[..., PtyProcess]]:
    """Start `routerkit ARGS` on a pseudo-terminal (with extra environment); every process is closed after."""
    procs: list[PtyProcess] = []

    def start(*args: str, **env: str) -> PtyProcess:
        proc = PtyProcess(list(args), cli_env(**env))
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.close()
