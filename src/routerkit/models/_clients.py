"""The process-wide connection pools every model shares, and their lifecycle.

One sync pool for the process, and one async pool per event loop (pooled connections belong to the loop
that opened them and cannot move). Pools have no connection limit: a cap would make the thousandth
concurrent stream wait for a slot and fail as if the server were unreachable; the operating system's
descriptor limit is the real bound, and it fails loudly. Only idle keep-alive connections are capped.

An async pool is closed when its loop closes, however that happens: `asyncio.run` (through
`shutdown_asyncgens`), or a bare `loop.close()` with no shutdown at all, which would otherwise leave
every pooled socket open for the life of the process. A loop whose methods cannot be wrapped (uvloop) has
its pool dropped on the next lookup after it closed.
"""

from __future__ import annotations

import atexit
import threading
from typing import TYPE_CHECKING

import httpx2

if TYPE_CHECKING:
    import asyncio

__all__ = ["shared_async_client", "shared_client"]

#: No cap on open connections (see the module docstring); idle ones beyond this are closed.
LIMITS = httpx2.Limits(max_connections=None, max_keepalive_connections=128, keepalive_expiry=15.0)

_lock = threading.Lock()
_sync_client: httpx2.Client | None = None
_async_clients: dict[asyncio.AbstractEventLoop, httpx2.AsyncClient] = {}


def shared_client() -> httpx2.Client:
    """The process's sync pool: agents reuse warm connections and no model leaves sockets behind. Closed at exit."""
    global _sync_client
    with _lock:
        if _sync_client is None:
            _sync_client = httpx2.Client(follow_redirects=False, trust_env=False, limits=LIMITS)
            atexit.register(_sync_client.close)
        return _sync_client


def shared_async_client() -> httpx2.AsyncClient:
    """The running loop's async pool, created on first use and closed with the loop."""
    import asyncio  # imported here: the sync path, and `import routerkit`, never need asyncio

    loop = asyncio.get_running_loop()
    with _lock:
        client = _async_clients.get(loop)
        if client is None:
            _forget_closed_loops()
            client = _async_clients[loop] = httpx2.AsyncClient(follow_redirects=False, trust_env=False, limits=LIMITS)
            _close_with_loop(loop, client)
        return client


def _forget_closed_loops() -> None:
    """Drop pools of loops that closed without telling us, so they (and their sockets) can be collected."""
    for loop in [loop for loop in _async_clients if loop.is_closed()]:
        del _async_clients[loop]


def _release(loop: asyncio.AbstractEventLoop, client: httpx2.AsyncClient) -> bool:
    """Forget the loop's pool; True if it was still registered (so the caller closes it, once)."""
    with _lock:
        if _async_clients.get(loop) is not client:
            return False
        del _async_clients[loop]
        return True


def _close_with_loop(loop: asyncio.AbstractEventLoop, client: httpx2.AsyncClient) -> None:
    """Close `client` from inside `loop` before the loop finishes, by wrapping its two shutdown paths."""
    original_shutdown = loop.shutdown_asyncgens
    original_close = loop.close

    async def shutdown_asyncgens() -> None:
        if _release(loop, client):
            await client.aclose()
        await original_shutdown()

    def close() -> None:
        try:
            if not loop.is_running() and not loop.is_closed() and _release(loop, client):
                loop.run_until_complete(client.aclose())
        finally:
            original_close()

    try:
        loop.shutdown_asyncgens = shutdown_asyncgens  # type: ignore[method-assign]
        loop.close = close  # type: ignore[method-assign]
    except (AttributeError, TypeError):
        pass  # a loop type with read-only methods: `_forget_closed_loops` releases its pool later
