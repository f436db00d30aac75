"""The fault suite's bookkeeping: every case records whether its failure surfaced correctly, whether it ran
past its time bound (a hang) and how many conversation turns it lost, and the session ends with one line:

    fault suite: N cases run, N surfaced correctly, 0 hangs, 0 lost turns
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest


@dataclass
class CaseRecord:
    name: str
    surfaced: bool = False
    hang: bool = False
    lost_turns: int = 0


@dataclass
class FaultTally:
    records: list[CaseRecord] = field(default_factory=list)

    def start(self, name: str) -> CaseRecord:
        record = CaseRecord(name)
        self.records.append(record)
        return record

    def summary(self) -> str:
        n = len(self.records)
        ok = sum(r.surfaced for r in self.records)
        hangs = sum(r.hang for r in self.records)
        lost = sum(r.lost_turns for r in self.records)
        return f"fault suite: {n} cases run, {ok} surfaced correctly, {hangs} hangs, {lost} lost turns"


_TALLY_KEY = pytest.StashKey[FaultTally]()


def _tally(config: pytest.Config) -> FaultTally:
    tally = config.stash.get(_TALLY_KEY, None)
    if tally is None:
        tally = config.stash[_TALLY_KEY] = FaultTally()
    return tally


@pytest.fixture
def fault_record(request: pytest.FixtureRequest) -> CaseRecord:
    """A record for this case in the session's tally; the test sets `surfaced`, `hang` and `lost_turns`."""
    return _tally(request.config).start(request.node.nodeid.split("::", 1)[-1])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    tally = config.stash.get(_TALLY_KEY, None)
    if tally is not None and tally.records:
        terminalreporter.write_line(tally.summary())


def fd_count() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:  # not Linux: no cheap way without psutil; the checks become no-ops
        return 0


def settle_threads(limit: int, wait: float = 2.0) -> int:
    """The thread count once it drops to `limit` (threads finishing on their own), or after `wait` seconds."""
    deadline = time.monotonic() + wait
    while threading.active_count() > limit and time.monotonic() < deadline:
        time.sleep(0.02)
    return threading.active_count()


@pytest.fixture(scope="module")
def leak_guard(emulator) -> Iterator[None]:
    """Over a whole module of cases: no thread left behind and no file descriptors accumulating.

    Pooled keep-alive connections legitimately stay open (client and emulator side, both in this process), so
    the descriptor check allows a small constant; a leak per case would exceed it many times over.
    """
    threads, fds = threading.active_count(), fd_count()
    yield
    import gc

    gc.collect()
    assert settle_threads(threads) <= threads, [t.name for t in threading.enumerate()]
    deadline = time.monotonic() + 2.0
    while fd_count() > fds + 16 and time.monotonic() < deadline:
        time.sleep(0.05)
        gc.collect()
    assert fd_count() <= fds + 16, f"file descriptors grew from {fds} to {fd_count()}"
