"""The process-wide connection pools every model shares, and their lifecycle.

One sync pool for the process, and one set of async pools per event loop (pooled connections belong to the
loop that opened them and cannot move). There is no limit on connections in all: a cap would make the
thousandth concurrent stream wait for a slot and fail as if the server were unreachable; the operating
system's descriptor limit is the real bound, and it fails loudly. Only idle keep-alive connections are capped.

The async side is sharded (`AsyncPools`): httpcore2 scans every connection of a pool each time a request
starts or ends, so one pool holding N connections costs O(N) per request and O(N²) for N concurrent streams
(3,000 streams in one pool spend most of their CPU there and starve their own connects). Each request goes to
the first small pool with a free connection, and a new pool opens when all are busy, so the scan stays
bounded by `SHARD_CONNECTIONS` however many streams run, and warm connections in the first pools are reused.

The shards' connections run on `_network`'s asyncio backend rather than httpcore2's anyio one, which cost
most of the client's CPU per request; a caller's own `http_client=` keeps whatever backend it was built with.

TLS is set up on the first https request, not when a pool is made (`_ByScheme`): loading the CA bundle costs
more CPU than everything else `routerkit ask` does, and a plain-http base URL (a local server, the
emulator) never needs it.

An async pool is closed when its loop closes, however that happens: `asyncio.run` (through
`shutdown_asyncgens`), or a bare `loop.close()` with no shutdown at all, which would otherwise leave
every pooled socket open for the life of the process. A loop whose methods cannot be wrapped (uvloop) has
its pool dropped on the next lookup after it closed.
"""

from __future__ import annotations

import atexit
import sys
import threading
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx2

if TYPE_CHECKING:
    import asyncio
    import ssl

__all__ = ["AsyncPools", "AsyncSender", "shared_async_client", "shared_client"]

#: No cap on open connections (see the module docstring); idle ones beyond this are closed.
LIMITS = httpx2.Limits(max_connections=None, max_keepalive_connections=128, keepalive_expiry=15.0)

#: Connections per async shard: small enough that httpcore2's per-request scan stays cheap.
SHARD_CONNECTIONS = 32
_SHARD_LIMITS = httpx2.Limits(
    max_connections=SHARD_CONNECTIONS, max_keepalive_connections=SHARD_CONNECTIONS, keepalive_expiry=15.0
)


_Transport = TypeVar("_Transport", httpx2.HTTPTransport, httpx2.AsyncHTTPTransport)


class _ByScheme(Generic[_Transport]):
    """One pool for plain http and one for https, each made on first use, so the CA bundle is loaded only
    when an https request is sent. The plain pool's TLS context trusts no CA at all: were it ever given an
    https URL, it would fail the certificate check rather than skip it."""

    __slots__ = ("_limits", "_make", "_opening", "_plain", "_secure")

    def __init__(self, make: type[_Transport], limits: httpx2.Limits) -> None:
        self._make: type[_Transport] = make
        self._limits = limits
        self._opening = threading.Lock()
        self._plain: _Transport | None = None
        self._secure: _Transport | None = None

    def pick(self, url: httpx2.URL) -> _Transport:
        """The pool for `url` (any scheme but http goes to the checked one, which refuses what it can't send)."""
        plain = url.scheme == "http"
        transport = self._plain if plain else self._secure
        return transport if transport is not None else self._open(plain)

    def _open(self, plain: bool) -> _Transport:
        import ssl

        with self._opening:
            if plain:
                if self._plain is None:
                    no_ca = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    self._plain = self._make(verify=no_ca, trust_env=False, limits=self._limits)
                return self._plain
            if self._secure is None:
                self._secure = self._make(verify=_tls(), trust_env=False, limits=self._limits)
            return self._secure

    def opened(self) -> list[_Transport]:
        """The pools made so far, to close."""
        return [t for t in (self._plain, self._secure) if t is not None]


class _SyncTransport(httpx2.BaseTransport):
    """The shared sync pool's transport: `_ByScheme` over `httpx2.HTTPTransport`."""

    def __init__(self, limits: httpx2.Limits) -> None:
        self._pools = _ByScheme(httpx2.HTTPTransport, limits)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._pools.pick(request.url).handle_request(request)

    def close(self) -> None:
        for transport in self._pools.opened():
            transport.close()


class _AsyncTransport(httpx2.AsyncBaseTransport):
    """An async shard's transport: `_ByScheme` over httpx2's transport on routerkit's asyncio network layer."""

    def __init__(self, limits: httpx2.Limits) -> None:
        from ._network import AsyncioTransport  # httpcore2 and asyncio: not for `import routerkit`

        self._pools = _ByScheme(AsyncioTransport, limits)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await self._pools.pick(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._pools.opened():
            await transport.aclose()


@dataclass(slots=True)
class _Shard:
    client: httpx2.AsyncClient
    in_flight: int = 0


class AsyncPools:
    """Async pools that grow by shards; `stream` is `httpx2.AsyncClient.stream` for the drivers."""

    def __init__(self) -> None:
        self._shards: list[_Shard] = []

    def _free_shard(self) -> _Shard:
        for shard in self._shards:
            if shard.in_flight < SHARD_CONNECTIONS:
                return shard
        client = httpx2.AsyncClient(follow_redirects=False, trust_env=False, transport=_AsyncTransport(_SHARD_LIMITS))
        shard = _Shard(client)
        self._shards.append(shard)
        return shard

    def stream(self, method: str, url: str, **kwargs: Any) -> AbstractAsyncContextManager[httpx2.Response]:
        """Send on a shard with a free connection; the connection counts as busy until the response is closed."""
        return _Lease(self, method, url, kwargs)

    async def aclose(self) -> None:
        """Close every shard's connections."""
        shards, self._shards = self._shards, []
        for shard in shards:
            await shard.client.aclose()


class _Lease:
    """`AsyncPools.stream`'s scope. A class, not an `asynccontextmanager`: it runs for every request, and an
    async generator costs a few calls more on entry and exit and a registration with the loop."""

    __slots__ = ("_inner", "_kwargs", "_method", "_pools", "_shard", "_url")

    def __init__(self, pools: AsyncPools, method: str, url: str, kwargs: dict[str, Any]) -> None:
        self._pools, self._method, self._url, self._kwargs = pools, method, url, kwargs

    async def __aenter__(self) -> httpx2.Response:
        shard = self._shard = self._pools._free_shard()
        self._inner = shard.client.stream(self._method, self._url, **self._kwargs)
        shard.in_flight += 1
        try:
            return await self._inner.__aenter__()
        except BaseException:
            shard.in_flight -= 1
            raise

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await self._inner.__aexit__(*exc_info)
        finally:
            self._shard.in_flight -= 1


#: What the async drivers send through: a caller's own client, or the shared pools.
AsyncSender = httpx2.AsyncClient | AsyncPools

_lock = threading.Lock()
_sync_client: httpx2.Client | None = None
_async_clients: dict[asyncio.AbstractEventLoop, AsyncPools] = {}


_tls_context: ssl.SSLContext | None = None


def _tls() -> ssl.SSLContext:
    """The TLS settings every shard shares (certificate checks on, as httpx2's default). A client built without
    one loads the CA bundle anew (tens of ms of CPU and ~0.7 MiB each), and a burst of streams opens shards mid-run."""
    global _tls_context
    with _lock:
        if _tls_context is None:
            _tls_context = httpx2.create_ssl_context(trust_env=False)
        return _tls_context


def shared_client() -> httpx2.Client:
    """The process's sync pool: agents reuse warm connections and no model leaves sockets behind. Closed at exit."""
    global _sync_client
    with _lock:
        if _sync_client is None:
            _sync_client = httpx2.Client(follow_redirects=False, trust_env=False, transport=_SyncTransport(LIMITS))
            atexit.register(_sync_client.close)
        return _sync_client


def shared_async_client() -> AsyncPools:
    """The running loop's async pools, created on first use and closed with the loop."""
    import asyncio  # imported here: the sync path, and `import routerkit`, never need asyncio

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
