"""What the emulator does for the account before any model answers: its rate limit, and slow models.

OpenRouter limits requests per account, whatever the model: past the limit it answers 429 with
`Retry-After` and `X-RateLimit-*` headers, before any provider is asked. `emulator/slow-MS` answers like
`emulator/echo` after MS milliseconds — a provider's latency, so batch throughput and back-off can be
measured offline.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass

from ._outcomes import HttpReply

__all__ = ["Account", "RateLimit"]

_SLOW = re.compile(rb'"model"\s*:\s*"emulator/slow-(\d{1,6})(?:@\d+)?"')
_TOO_MANY = json.dumps(
    {"error": {"code": 429, "message": "Rate limit exceeded", "metadata": {"error_type": "rate_limit_exceeded"}}}
).encode()


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `requests` requests in any `seconds` window (`routerkit emulator --rpm N`: N per 60 s)."""

    requests: int
    seconds: float = 60.0


class Account:
    """The account-wide checks, run on the server's event loop before the engine sees a request."""

    def __init__(self, limit: RateLimit | None = None) -> None:
        self.limit = limit
        self._admitted: deque[float] = deque()

    async def admit(self, raw: bytes) -> HttpReply | None:
        """A 429 reply when the account is over its limit; otherwise None, after the model's latency."""
        if self.limit is not None:
            refused = self._over_limit(self.limit)
            if refused is not None:
                return refused
        slow = _SLOW.search(raw)
        if slow is not None:
            await asyncio.sleep(int(slow[1]) / 1000)
        return None

    def reset(self) -> None:
        self._admitted.clear()

    def _over_limit(self, limit: RateLimit) -> HttpReply | None:
        now = time.monotonic()
        while self._admitted and self._admitted[0] <= now - limit.seconds:
            self._admitted.popleft()
        if len(self._admitted) < limit.requests:
            self._admitted.append(now)
            return None
        free_at = self._admitted[0] + limit.seconds
        headers = [
            (b"content-type", b"application/json"),
            (b"retry-after", str(max(1, math.ceil(free_at - now))).encode()),
            (b"x-ratelimit-limit", str(limit.requests).encode()),
            (b"x-ratelimit-remaining", b"0"),
            (b"x-ratelimit-reset", str(int((time.time() + free_at - now) * 1000)).encode()),
        ]
        return HttpReply(429, headers, _TOO_MANY)
