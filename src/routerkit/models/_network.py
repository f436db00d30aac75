"""The shared async pools' network layer: httpcore2's `AsyncNetworkBackend` on a plain `asyncio.Protocol`.

httpcore2's default backend goes through anyio, which for every read and write enters a cancel scope, builds
a dict of "extra attributes" on every `get_extra_info` (which the pool asks of every idle connection at every
request start and end) and asks sniffio which event loop runs. That is most of the client's CPU per request
once routerkit's own work is small. Here each connection is one object that is both the protocol asyncio
feeds and the stream httpcore2 reads: data waits in a list of chunks, a read that finds data returns without
suspending, and a timeout is one timer on the loop, armed only when the read has to wait.

It behaves as httpcore2's anyio backend does where a caller can see it: the same exceptions (connect, read and
write timeouts and errors), `b""` at the end of the stream, TCP_NODELAY (asyncio sets it), `socket_options`
and `local_address`, certificate and host checks by the given TLS context, and the same `get_extra_info` keys.
Reading pauses while more than `HIGH_WATER` bytes wait unread, so a server that sends faster than we read
cannot grow memory without bound.

`AsyncioTransport` is `httpx2.AsyncHTTPTransport` (its request/response conversion and exception mapping)
over a pool that uses this backend: httpx2 does not take a `network_backend=`, so the pool it builds is
replaced by one built the same way with the backend; `tests/models/test_network.py` pins that detail.
"""

from __future__ import annotations

import asyncio
import select
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

import httpcore2
import httpx2

if TYPE_CHECKING:
    import ssl

__all__ = ["HIGH_WATER", "AsyncioBackend", "AsyncioStream", "AsyncioTransport"]

#: Unread bytes past which the connection stops reading from the socket (resumed below a quarter of it).
HIGH_WATER = 256 * 1024
_LOW_WATER = HIGH_WATER // 4

#: Delay before racing the next address of a host, as anyio (and RFC 8305) use.
_HAPPY_EYEBALLS_DELAY = 0.25

_SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


def _time_up(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(False)


def _wake(waiter: asyncio.Future[bool] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(True)


class AsyncioStream(asyncio.Protocol, httpcore2.AsyncNetworkStream):
    """One connection: asyncio's protocol callbacks fill it, httpcore2's reads and writes drain it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._poll = select.poll()  # the socket, registered once connected: `is_readable` asks it
        self._chunks: list[bytes] = []
        self._size = 0
        self._eof = False  # the peer will send nothing more
        self._lost = False  # asyncio closed the connection (peer, error or our `aclose`)
        self._error: Exception | None = None
        self._closed = False
        self._reading_paused = False
        self._writing_paused = False
        self._read_waiter: asyncio.Future[bool] | None = None
        self._drain_waiter: asyncio.Future[bool] | None = None

    # asyncio.Protocol: called by the loop

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.bind(transport)

    def bind(self, transport: asyncio.BaseTransport) -> None:
        """Take the connection's transport: from `connection_made`, or from `connect_tcp` on a loop (uvloop)
        whose `create_connection` may return before it calls `connection_made`."""
        if self._transport is None:
            self._transport = cast("asyncio.Transport", transport)  # uvloop's are not registered as one
            self._poll.register(transport.get_extra_info("socket").fileno(), select.POLLIN)

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._size += len(data)
        if self._size > HIGH_WATER and not self._reading_paused and self._transport is not None:
            self._reading_paused = True
            self._transport.pause_reading()
        _wake(self._read_waiter)

    def eof_received(self) -> None:
        self._eof = True
        _wake(self._read_waiter)

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self._error = exc
        _wake(self._read_waiter)
        _wake(self._drain_waiter)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        _wake(self._drain_waiter)

    # httpcore2.AsyncNetworkStream: called by the connection

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._closed:
            raise httpcore2.ReadError("the connection is closed")
        chunks = self._chunks
        if not chunks:
            if not (self._eof or self._lost):
                waiter = self._read_waiter = self._loop.create_future()
                if not await self._wait(waiter, timeout):
                    raise httpcore2.ReadTimeout(f"no data within {timeout:g}s")
            if not chunks:
                if self._closed:  # by another task while this one waited
                    raise httpcore2.ReadError("the connection is closed")
                if self._error is not None:
                    raise httpcore2.ReadError(str(self._error) or type(self._error).__name__) from self._error
                return b""
        chunk = chunks[0]
        if len(chunk) <= max_bytes:
            del chunks[0]
        else:
            chunks[0] = chunk[max_bytes:]
            chunk = chunk[:max_bytes]
        self._size -= len(chunk)
        if self._reading_paused and self._size < _LOW_WATER and not self._lost:
            self._reading_paused = False
            self._transport.resume_reading()  # type: ignore[union-attr]
        return chunk

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._closed or self._lost:
            raise httpcore2.WriteError(str(self._error or "the connection is closed"))
        self._transport.write(buffer)  # type: ignore[union-attr]
        if self._writing_paused and not self._lost:
            waiter = self._drain_waiter = self._loop.create_future()
            if not await self._wait(waiter, timeout):
                raise httpcore2.WriteTimeout(f"could not send within {timeout:g}s")
            if self._lost:
                raise httpcore2.WriteError(str(self._error or "the connection is closed"))

    async def _wait(self, waiter: asyncio.Future[bool], timeout: float | None) -> bool:
        """Wait for the protocol to wake `waiter` (left in its slot once done: waking it again does nothing);
        False if `timeout` passed first. A timer on the loop, not `asyncio.timeout`, which would cancel and
        uncancel the task for every read that waits."""
        if timeout is None:
            return await waiter
        timer = self._loop.call_later(timeout, _time_up, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()

    async def aclose(self) -> None:
        if self._closed or self._transport is None:
            return
        self._closed = True
        self._transport.abort()
        await asyncio.sleep(0)  # the socket is closed by the loop's next callback: let it run, as anyio does

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore2.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                transport = await self._loop.start_tls(
                    self._transport,  # type: ignore[arg-type]
                    self,
                    ssl_context,
                    server_hostname=server_hostname,
                )
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore2.ConnectTimeout(str(exc)) from exc
        except OSError as exc:  # ssl.SSLError (a failed certificate or host check) is one
            await self.aclose()
            raise httpcore2.ConnectError(str(exc)) from exc
        except BaseException:
            await self.aclose()
            raise
        self._transport = transport
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self._is_readable()
        transport = self._transport
        if transport is None:
            return None
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        return None

    def _is_readable(self) -> bool:
        """Whether a read would return at once; for an idle connection that means the server closed it (or
        broke HTTP), so httpcore2 drops it rather than send on it. The socket is polled too, for what arrived
        since the loop last looked, but only while its transport is open (a TLS connection hears of its loss a
        loop turn after the socket closed, and the descriptor may be reused by then)."""
        if self._chunks or self._eof or self._lost or self._closed:
            return True
        transport = self._transport
        return transport is None or transport.is_closing() or bool(self._poll.poll(0))


class AsyncioBackend(httpcore2.AsyncNetworkBackend):
    """Opens `AsyncioStream` connections on the running loop."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        # uvloop's create_connection refuses the argument (MagicStack/uvloop#406) and tries addresses in turn
        racing: dict[str, Any] = {}
        if isinstance(loop, asyncio.BaseEventLoop):
            racing["happy_eyeballs_delay"] = _HAPPY_EYEBALLS_DELAY
        try:
            async with asyncio.timeout(timeout):
                transport, stream = await loop.create_connection(
                    lambda: AsyncioStream(loop),
                    host,
                    port,
                    local_addr=None if local_address is None else (local_address, 0),
                    **racing,
                )
        except TimeoutError as exc:  # before OSError: it is one
            raise httpcore2.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore2.ConnectError(str(exc)) from exc
        stream.bind(transport)
        if socket_options:
            sock = transport.get_extra_info("socket")
            try:
                for option in socket_options:
                    sock.setsockopt(*option)
            except BaseException:
                transport.abort()
                raise
        return stream

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class AsyncioTransport(httpx2.AsyncHTTPTransport):
    """`httpx2.AsyncHTTPTransport` whose connections use `AsyncioBackend`, for the shared pools."""

    def __init__(self, verify: ssl.SSLContext, trust_env: bool, limits: httpx2.Limits) -> None:
        super().__init__(verify=verify, trust_env=trust_env, limits=limits)
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=verify,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=AsyncioBackend(),
        )
