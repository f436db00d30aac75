"""How fast a batch may go: the account's pace (rpm, tpm, cool-downs) and the process's concurrency.

OpenRouter limits the account, not the machine, so the pace lives in `Pace`, a clock-only object that
answers "how long must this request wait?" and never sleeps itself: a batch in one process calls it
directly (`LocalPace`), and Ray actors share one through a named actor (`routerkit.ray`). How many calls one
process keeps in flight is `Concurrency`: it halves on a rate-limit answer and grows back by one per
window of successes (additive increase, multiplicative decrease), so a 429 storm slows every row at once
instead of each row hammering the server on its own schedule.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Concurrency", "LocalPace", "Pace", "PaceGate"]

#: Cool-down after a 429 that carried no Retry-After: OpenRouter's usual answer is one second.
DEFAULT_COOL_DOWN = 1.0


class Pace:
    """Spacing of requests and tokens over time (GCRA without bursts): request k of an `rpm` limit may start
    at k·60/rpm seconds, so no 60-second window ever holds more than `rpm` of them.

    Tokens are charged when known (estimated input before the call, the rest after it) and push the next
    start later in the same way. `cool_down(s)` holds every start for `s` seconds: a 429's Retry-After.
    """

    def __init__(
        self, rpm: float | None = None, tpm: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.request_gap = 60.0 / rpm if rpm else 0.0
        self.token_gap = 60.0 / tpm if tpm else 0.0
        self.clock = clock
        self._next_request = 0.0
        self._next_token = 0.0
        self._paused_until = 0.0

    def reserve(self, tokens: int = 0) -> float:
        """Book a start for a request of about `tokens` input tokens; returns the seconds to wait for it."""
        now = self.clock()
        start = max(now, self._next_request, self._next_token, self._paused_until)
        self._next_request = start + self.request_gap
        self._next_token = max(self._next_token, now) + tokens * self.token_gap
        return start - now

    def charge(self, tokens: int) -> None:
        """Count tokens learnt after the call (its output): later starts move back by their share of tpm."""
        if self.token_gap and tokens > 0:
            self._next_token = max(self._next_token, self.clock()) + tokens * self.token_gap

    def cool_down(self, seconds: float | None) -> None:
        """Hold every start for `seconds` (a 429's Retry-After; one second when the server gave none)."""
        wait = seconds if seconds is not None and math.isfinite(seconds) and seconds > 0 else DEFAULT_COOL_DOWN
        self._paused_until = max(self._paused_until, self.clock() + wait)


class PaceGate(Protocol):
    """What the batch core needs from a pace, wherever it lives (this process, or a shared Ray actor)."""

    async def wait(self, tokens: int) -> None: ...
    async def charge(self, tokens: int) -> None: ...
    async def cool_down(self, seconds: float | None) -> None: ...


class LocalPace:
    """A `Pace` shared by the rows of one process."""

    def __init__(self, pace: Pace) -> None:
        self.pace = pace

    async def wait(self, tokens: int) -> None:
        delay = self.pace.reserve(tokens)
        if delay > 0:
            await asyncio.sleep(delay)

    async def charge(self, tokens: int) -> None:
        self.pace.charge(tokens)

    async def cool_down(self, seconds: float | None) -> None:
        self.pace.cool_down(seconds)


class Concurrency:
    """A semaphore whose size adapts: halved on a rate limit, +1 per `limit` successes, up to `maximum`.

    One 429 storm halves it once: answers to requests sent before the last cut do not cut it again.
    A free slot is taken without the condition's lock (nothing awaits between the check and the count), and a
    release only notifies when a row waits: the lock hops cost ~20 calls a row in the common case of no waiting.
    """

    def __init__(self, maximum: int, limit: float | None = None) -> None:
        self.maximum = maximum
        self.limit = float(maximum) if limit is None else max(1.0, min(limit, maximum))
        self.active = 0
        self.cuts = 0
        self._epoch = 0
        self._waiting = 0
        self._changed = asyncio.Condition()

    async def acquire(self) -> int:
        """Wait for a free slot; returns the epoch to hand back to `rate_limited`."""
        if self.active >= int(self.limit):
            async with self._changed:
                self._waiting += 1
                try:
                    await self._changed.wait_for(lambda: self.active < int(self.limit))
                finally:
                    self._waiting -= 1
        self.active += 1
        return self._epoch

    async def release(self) -> None:
        self.active -= 1
        if self._waiting:
            async with self._changed:
                self._changed.notify_all()

    def succeeded(self) -> None:
        if self.limit < self.maximum:
            self.limit = min(self.maximum, self.limit + 1 / self.limit)

    def rate_limited(self, epoch: int) -> None:
        if epoch == self._epoch:
            self._epoch += 1
            self.cuts += 1
            self.limit = max(1.0, self.limit / 2)
