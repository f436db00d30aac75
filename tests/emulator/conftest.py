"""Fixtures for the emulator tests: one emulator per module (reset between tests) and a client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from routerkit.emulator import Emulator

from .helpers import AUTH


@pytest.fixture(scope="module")
def _module_emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emu(_module_emulator: Emulator) -> Iterator[Emulator]:
    _module_emulator.reset()
    yield _module_emulator
    _module_emulator.reset()


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=emu.base_url, headers=AUTH, timeout=30) as c:
        yield c
