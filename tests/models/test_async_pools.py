"""The shared async pools grow by small shards (httpcore2 scans a whole pool per request, so one pool of
thousands of connections is quadratic) and give every connection back however a stream ends: finished,
failed, or cancelled half-way. A leaked slot would make the pools grow with every run of a long process."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from routerkit.errors import APIError
from routerkit.models._clients import SHARD_CONNECTIONS, shared_async_client

STREAMS = 40


async def read_all(model: Any) -> int:
    return sum([1 async for _ in model.ainvoke_stream("hi")])


async def cancel_half_way(model: Any) -> None:
    async for _ in model.ainvoke_stream("hi"):
        raise asyncio.CancelledError  # the consumer gives up after the first event


async def test_slots_come_back_after_finished_failed_and_cancelled_streams(make_model: Any) -> None:
    ok = make_model("emulator/markdown-50")
    failing = make_model("emulator/truncate", max_retries=0)
    pools = shared_async_client()
    for _ in range(3):
        results = await asyncio.gather(
            *(read_all(ok) for _ in range(STREAMS)),
            *(read_all(failing) for _ in range(STREAMS // 4)),
            *(asyncio.create_task(cancel_half_way(ok)) for _ in range(STREAMS // 4)),
            return_exceptions=True,
        )
        assert all(n == 51 for n in results[:STREAMS]), results[:STREAMS]
        assert all(isinstance(e, APIError) for e in results[STREAMS : STREAMS + STREAMS // 4])
        assert all(s.in_flight == 0 for s in pools._shards)
    most_at_once = STREAMS + 2 * (STREAMS // 4)
    assert len(pools._shards) <= math.ceil(most_at_once / SHARD_CONNECTIONS)


def test_shards_share_one_tls_context_that_checks_certificates() -> None:
    """Every shard uses one TLS context (a new one per shard reloads the CA bundle, mid-burst): it must still
    verify the server's certificate and host name, as httpx2's own default does."""
    import ssl

    from routerkit.models._clients import _tls

    ctx = _tls()
    assert _tls() is ctx
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname
