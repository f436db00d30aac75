"""The process-wide connection pools every model shares, and their lifecycle.

One sync pool for the process (`_http11.Pool`: HTTP/1.1 on h11, so a sync call never imports httpx2), and one
set of async pools per event loop (`_async_pools.AsyncPools`, on httpx2: pooled connections belong to the
loop that opened them and cannot move). Neither caps open connections (a cap would make the thousandth
concurrent stream wait for a slot and fail as if the server were unreachable); only idle keep-alive
connections are capped. Both load the CAs on the first https request only (`_tls`).

An async pool is closed when its loop closes, however that happens: `asyncio.run` (through
`shutdown_asyncgens`), or a bare `loop.close()` with no shutdown at all, which would otherwise leave
every pooled socket open for the life of the process. A loop whose methods cannot be wrapped (uvloop) has
its pool dropped on the next lookup after it closed.
"""

from __future__ import annotations

import atexit
import sys
import threading
from typing import TYPE_CHECKING

from ._http11 import Pool

if TYPE_CHECKING:
    import asyncio

    from ._async_pools import AsyncPools

__all__ = ["shared_async_client", "shared_client"]

_lock = threading.Lock()
_sync_client: Pool | None = None
_async_clients: dict[asyncio.AbstractEventLoop, AsyncPools] = {}


def shared_client() -> Pool:
    """The process's sync pool: agents reuse warm connections and no model leaves sockets behind. Closed at exit."""
    global _sync_client
    with _lock:
        if _sync_client is None:
            _sync_client = Pool()
            atexit.register(_sync_client.close)
        return _sync_client


def shared_async_client() -> AsyncPools:
    """The running loop's async pools, created on first use and closed with the loop."""
    import asyncio  # imported here: the sync path, and `import routerkit`, never need asyncio

    from ._async_pools import AsyncPools

    loop = asyncio.get_running_loop()
    with _lock:
        client = _async_clients.get(loop)
        if client is None:
            _forget_closed_loops()
            client = _async_clients[loop] = AsyncPools()
            _close_with_loop(loop, client)
        return client


def _forget_closed_loops() -> None:
    """Drop pools of loops that closed without telling us, so they (and their sockets) can be collected."""
    for loop in [loop for loop in _async_clients if loop.is_closed()]:
        del _async_clients[loop]


def _release(loop: asyncio.AbstractEventLoop, client: AsyncPools) -> bool:
    """Forget the loop's pool; True if it was still registered (so the caller closes it, once)."""
    with _lock:
        if _async_clients.get(loop) is not client:
            return False
        del _async_clients[loop]
        return True


def _close_with_loop(loop: asyncio.AbstractEventLoop, client: AsyncPools) -> None:
    """Close `client` from inside `loop` before the loop finishes, by wrapping its two shutdown paths."""
    original_shutdown = loop.shutdown_asyncgens
    original_close = loop.close

    async def shutdown_asyncgens() -> None:
        if _release(loop, client):
            await client.aclose()
        await original_shutdown()

    def close() -> None:
        # Not while the interpreter shuts down (a loop never closed, collected at exit): the modules the close
        # needs are being torn down, it would print a traceback, and the process's sockets close with it anyway.
        try:
            if not sys.is_finalizing() and not loop.is_running() and not loop.is_closed() and _release(loop, client):
                loop.run_until_complete(client.aclose())
        finally:
            original_close()

    try:
        loop.shutdown_asyncgens = shutdown_asyncgens  # type: ignore[method-assign]
        loop.close = close  # type: ignore[method-assign]
    except (AttributeError, TypeError):
        pass  # a loop type with read-only methods: `_forget_closed_loops` releases its pool later
