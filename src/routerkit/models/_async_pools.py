"""The async side's shared pools: httpx2 clients in shards, on routerkit's asyncio network layer.

httpcore2 scans every connection of a pool each time a request starts or ends, so one pool holding N
connections costs O(N) per request and O(N²) for N concurrent streams (3,000 streams in one pool spend most of
their CPU there and starve their own connects). Each request goes to the first small pool (a shard) with a
free connection, and a new shard opens when all are busy, so the scan stays bounded by `SHARD_CONNECTIONS`
however many streams run, and warm connections in the first shards are reused. There is no limit on shards:
a cap would make the thousandth concurrent stream wait for a slot and fail as if the server were unreachable;
the operating system's descriptor limit is the real bound, and it fails loudly.

The shards' connections run on `_network`'s asyncio backend rather than httpcore2's anyio one, which cost
most of the client's CPU per request; a caller's own `async_http_client=` keeps whatever backend it was built
with. TLS is set up on the first https request, not when a shard is made (`_ByScheme`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx2

from ._network import AsyncioTransport
from ._tls import tls_context

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

__all__ = ["SHARD_CONNECTIONS", "AsyncPools", "AsyncSender"]

#: Connections per shard: small enough that httpcore2's per-request scan stays cheap.
SHARD_CONNECTIONS = 32
_SHARD_LIMITS = httpx2.Limits(
    max_connections=SHARD_CONNECTIONS, max_keepalive_connections=SHARD_CONNECTIONS, keepalive_expiry=15.0
)


class _ByScheme:
    """One pool for plain http and one for https, each made on first use, so the CAs are loaded only when an
    https request is sent. The plain pool's TLS context trusts no CA at all: were it ever given an https URL,
    it would fail the certificate check rather than skip it."""

    __slots__ = ("_limits", "_opening", "_plain", "_secure")

    def __init__(self, limits: httpx2.Limits) -> None:
        self._limits = limits
        self._opening = threading.Lock()
        self._plain: AsyncioTransport | None = None
        self._secure: AsyncioTransport | None = None

    def pick(self, url: httpx2.URL) -> AsyncioTransport:
        """The pool for `url` (any scheme but http goes to the checked one, which refuses what it can't send)."""
        plain = url.scheme == "http"
        transport = self._plain if plain else self._secure
        return transport if transport is not None else self._open(plain)

    def _open(self, plain: bool) -> AsyncioTransport:
        import ssl

        with self._opening:
            if plain:
                if self._plain is None:
                    no_ca = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    self._plain = AsyncioTransport(verify=no_ca, trust_env=False, limits=self._limits)
                return self._plain
            if self._secure is None:
                self._secure = AsyncioTransport(verify=tls_context(), trust_env=False, limits=self._limits)
            return self._secure

    def opened(self) -> list[AsyncioTransport]:
        """The pools made so far, to close."""
        return [t for t in (self._plain, self._secure) if t is not None]


class _AsyncTransport(httpx2.AsyncBaseTransport):
    """A shard's transport: `_ByScheme` over httpx2's transport on routerkit's asyncio network layer."""

    def __init__(self, limits: httpx2.Limits) -> None:
        self._pools = _ByScheme(limits)

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
