"""Fixtures shared by every test folder: one emulator for the session, and model/agent factories on it.

Tests run offline: the emulator is a real HTTP server on loopback, so everything goes through the real
client code path. `OPENROUTER_*` variables from the developer's shell are removed so no test can reach the
real service by accident.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import settings

from routerkit.emulator import Emulator

# CI explores the same examples every run: a submission must not pass or fail by the luck of the draw.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

TEST_KEY = "sk-or-v1-test-canary-0123456789abcdef"


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emu(emulator: Emulator) -> Iterator[Emulator]:
    """The session's emulator with its recorded requests and scripted replies cleared."""
    emulator.reset()
    yield emulator
    emulator.reset()


@pytest.fixture
def make_model(emu: Emulator) -> Callable[..., Any]:
    """`make_model("emulator/echo", models=[...])`: an OpenRouterResponses pointed at the emulator."""
    from routerkit.models.openrouter import OpenRouterResponses

    def make(id: str = "emulator/echo", **kwargs: Any) -> OpenRouterResponses:
        kwargs.setdefault("timeout", 30.0)
        kwargs.setdefault("stall_timeout", 5.0)
        return OpenRouterResponses(id=id, base_url=emu.base_url, api_key=TEST_KEY, **kwargs)

    return make
