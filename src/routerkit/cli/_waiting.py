"""Feedback while nothing has arrived yet: a spinner on stderr until the first token, one line per retry
("retrying in 2 s (429 rate limited, attempt 2/3)"), and one when a fallback model takes over
("falling back to X (Y did not answer)").

Only on a terminal, and only on stderr: piped output stays exactly the answer. The spinner runs in a daemon
thread and erases itself before anything else is written, so the answer never starts mid-spinner.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from routerkit.errors import APIError

__all__ = ["Waiting", "retry_line", "waiting"]

_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_CLEAR = "\r\x1b[2K"
_REASONS = {408: "request timeout", 409: "conflict", 429: "rate limited", 502: "bad gateway", 503: "unavailable"}


def retry_line(exc: APIError, delay: float, attempt: int, attempts: int) -> str:
    """What a retry says: the wait, the failure in a few words, and which attempt comes next."""
    from routerkit.errors import APIConnectionError, APITimeoutError

    if isinstance(exc, APITimeoutError):
        why = "timed out"
    elif isinstance(exc, APIConnectionError):
        why = "connection failed"
    elif exc.status:
        why = f"{exc.status} {_REASONS.get(exc.status, 'server error' if exc.status >= 500 else 'error')}"
    else:
        why = "stream broke"
    wait = f"{delay:.1f}".rstrip("0").rstrip(".")
    return f"retrying in {wait} s ({why}, attempt {attempt}/{attempts})"


class Waiting:
    """The spinner and the retry lines of one turn, on `stream` (a terminal)."""

    def __init__(self, label: str, stream: TextIO, *, spin: bool = True) -> None:
        self.label = label
        self.spin = spin
        self.stream = stream
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._spin, name="routerkit-spinner", daemon=True)

    def _spin(self) -> None:
        frame = 0
        while not self.done.wait(0.1 if frame else 0.15):  # nothing for the first 150 ms: fast answers never blink
            with self.lock:
                if self.done.is_set():
                    return
                elapsed = time.monotonic() - self.started
                self.stream.write(f"{_CLEAR}{_FRAMES[frame % len(_FRAMES)]} {self.label} {elapsed:.1f} s")
                self.stream.flush()
            frame += 1

    def retry(self, exc: APIError, delay: float, attempt: int, attempts: int) -> None:
        """A retry is about to wait: say so on its own line; the spinner goes on below it."""
        from ._common import dim

        with self.lock:
            clear = _CLEAR if self.spin else ""
            self.stream.write(f"{clear}{dim(retry_line(exc, delay, attempt, attempts))}\n")
            self.stream.flush()

    def fallback(self, requested: str, served: str) -> None:
        """The stream named a fallback model before the first token: say which one answers instead."""
        from ._common import dim

        with self.lock:
            if self.done.is_set():
                return
            clear = _CLEAR if self.spin else ""
            self.stream.write(f"{clear}{dim(f'falling back to {served} ({requested} did not answer)')}\n")
            self.stream.flush()

    def stop(self) -> None:
        """The first token (or an error) arrived: erase the spinner for good."""
        if self.done.is_set():
            return
        with self.lock:
            self.done.set()
            if self.spin:
                self.stream.write(_CLEAR)
                self.stream.flush()


@contextlib.contextmanager
def waiting(model: str, *, enabled: bool, spin: bool = True) -> Iterator[Waiting | None]:
    """A `Waiting` for `model` on stderr for the duration of a turn when `enabled` (stderr is a terminal),
    with the models layer's retry and fallback notifications routed to it; None otherwise. `spin=False`
    (`--plain`): the retry and fallback lines only, no terminal control sequences."""
    if not enabled:
        yield None
        return
    from routerkit.models._call import on_fallback, on_retry

    state = Waiting(f"waiting for {model}", sys.stderr, spin=spin)
    retry_token = on_retry.set(state.retry)
    fallback_token = on_fallback.set(lambda served: state.fallback(model, served))
    if spin:
        state.thread.start()
    try:
        yield state
    finally:
        state.stop()
        on_fallback.reset(fallback_token)
        on_retry.reset(retry_token)
