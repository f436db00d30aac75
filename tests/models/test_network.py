"""The shared async pools' network layer (`routerkit.models._network`) against raw servers on loopback.

Each failure case runs on httpcore2's stock anyio backend and on routerkit's asyncio one, and both must raise
the same httpx2 exception (routerkit maps those to its typed errors): the new backend is exactly as correct
as the one it replaces. Nothing is mocked; the servers are `asyncio.start_server` in the test's own loop.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path

import httpcore2
import httpx2
import pytest

from routerkit.models._clients import shared_async_client
from routerkit.models._network import HIGH_WATER, AsyncioBackend, AsyncioStream, AsyncioTransport

pytestmark = pytest.mark.timeout(30)

TLS = Path(__file__).parent.parent / "fixtures" / "tls"
BACKENDS = ("anyio", "asyncio")
LIMITS = httpx2.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=15.0)
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serve(handler: Handler, tls: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    """A raw server on 127.0.0.1 running `handler` per connection; yields its port."""
    tasks: list[asyncio.Task[None]] = []

    async def run(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await handler(reader, writer)
        finally:
            writer.transport.abort()

    server = await asyncio.start_server(run, "127.0.0.1", 0, ssl=tls)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def client_on(backend: str, verify: ssl.SSLContext | None = None, **timeouts: float) -> httpx2.AsyncClient:
    verify = verify if verify is not None else httpx2.create_ssl_context(trust_env=False)
    if backend == "asyncio":
        transport: httpx2.AsyncBaseTransport = AsyncioTransport(verify=verify, trust_env=False, limits=LIMITS)
    else:
        transport = httpx2.AsyncHTTPTransport(verify=verify, trust_env=False, limits=LIMITS)
    return httpx2.AsyncClient(transport=transport, timeout=httpx2.Timeout(10.0, **timeouts))


def test_shared_pools_run_on_the_asyncio_backend() -> None:
    """Pins the one private detail relied on: httpx2's transport sends through its `_pool` attribute, which
    `AsyncioTransport` replaces. If httpx2 renames it, the shared pools silently fall back to anyio: this fails."""

    async def main() -> object:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await read_request(reader)
            writer.write(OK)
            await reader.read()

        async with serve(answer) as port, shared_async_client().stream("GET", f"http://127.0.0.1:{port}/") as r:
            await r.aread()
            return r.extensions["network_stream"]

    assert isinstance(asyncio.run(main()), AsyncioStream)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_keep_alive_reuses_one_connection(backend: str) -> None:
    connections = 0

    async def answer_many(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            await read_request(reader)
            writer.write(OK)

    async with serve(answer_many) as port, client_on(backend) as client:
        texts = [(await client.get(f"http://127.0.0.1:{port}/")).text for _ in range(3)]
    assert texts == ["ok"] * 3
    assert connections == 1


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_connection_the_server_closed_while_idle_is_not_reused(backend: str, scheme: str) -> None:
    """The pool asks `is_readable` of idle connections: one the server closed is dropped, not sent on."""
    closed = asyncio.Event()

    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(OK)
        await writer.drain()
        writer.transport.close()
        closed.set()

    tls = _tls_server() if scheme == "https" else None
    localhost = {"sni_hostname": "localhost"}
    async with serve(answer_once, tls) as port, client_on(backend, _trusting_test_ca()) as client:
        first = await client.get(f"{scheme}://127.0.0.1:{port}/", extensions=localhost)
        await closed.wait()
        await asyncio.sleep(0.05)  # the FIN reaches the client's socket
        second = await client.get(f"{scheme}://127.0.0.1:{port}/", extensions=localhost)
    assert (first.text, second.text) == ("ok", "ok")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("backend", BACKENDS)
async def test_refused_is_connect_error(backend: str) -> None:
    async with client_on(backend) as client:
        with pytest.raises(httpx2.ConnectError):
            await client.get(f"http://127.0.0.1:{_free_port()}/")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_full_accept_queue_is_connect_timeout(backend: str) -> None:
    """A listener with a full backlog drops SYNs, so a connect waits: the connect timeout must end it."""
    with full_accept_queue() as port:
        async with client_on(backend, connect=0.2) as client:
            with pytest.raises(httpx2.ConnectTimeout):
                await client.get(f"http://127.0.0.1:{port}/")


@contextmanager
def full_accept_queue() -> Iterator[int]:
    """The port of a `listen(0)` socket that never accepts, connected to until a connect no longer completes."""
    fillers: list[socket.socket] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        try:
            while True:
                filler = socket.socket()
                fillers.append(filler)
                filler.settimeout(0.2)
                try:
                    filler.connect(("127.0.0.1", port))
                except TimeoutError:
                    break
            yield port
        finally:
            for filler in fillers:
                filler.close()


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc (Linux)")
async def test_a_task_cancelled_while_connecting_leaves_no_socket() -> None:
    with full_accept_queue() as port:
        async with client_on("asyncio") as client:
            before = _open_fds()
            task = asyncio.create_task(client.get(f"http://127.0.0.1:{port}/"))
            await asyncio.sleep(0.1)
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            await asyncio.sleep(0)
            assert _open_fds() == before


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_server_that_stalls_is_read_timeout(backend: str) -> None:
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await asyncio.Event().wait()

    async with serve(stall) as port, client_on(backend, read=0.2) as client:
        with pytest.raises(httpx2.ReadTimeout):
            await client.get(f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_server_that_does_not_read_is_write_timeout(backend: str) -> None:
    """A body larger than every socket buffer on the way, to a server that never reads it."""

    async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.Event().wait()

    async with serve(never_read) as port, client_on(backend, write=0.3) as client:
        with pytest.raises(httpx2.WriteTimeout):
            await client.post(f"http://127.0.0.1:{port}/", content=bytes(64 * 1024 * 1024))


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST rather than a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.transport.abort()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_reset_mid_body_is_read_error(backend: str) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"abc")
        await writer.drain()
        _reset(writer)

    async with (
        serve(reset) as port,
        client_on(backend) as client,
        client.stream("GET", f"http://127.0.0.1:{port}/") as response,
    ):
        assert response.status_code == 200
        with pytest.raises(httpx2.ReadError):
            await response.aread()


@pytest.mark.parametrize(
    "reply",
    [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"],
    ids=["before the response", "mid-body"],
)
@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_server_that_closes_early_is_remote_protocol_error(backend: str, reply: bytes) -> None:
    async def close_early(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(reply)
        await writer.drain()

    async with serve(close_early) as port, client_on(backend) as client:
        with pytest.raises(httpx2.RemoteProtocolError):
            await client.get(f"http://127.0.0.1:{port}/")


def _tls_server() -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(TLS / "server.pem", TLS / "server.key")
    return ctx


def _trusting_test_ca() -> ssl.SSLContext:
    ctx = httpx2.create_ssl_context(trust_env=False)
    ctx.load_verify_locations(TLS / "ca.pem")
    return ctx


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK)
    await reader.read()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_tls_with_a_trusted_certificate_and_matching_host(backend: str) -> None:
    async with (
        serve(_answer, tls=_tls_server()) as port,
        client_on(backend, _trusting_test_ca()) as client,
        client.stream("GET", f"https://127.0.0.1:{port}/", extensions={"sni_hostname": "localhost"}) as r,
    ):
        await r.aread()
        ssl_object = r.extensions["network_stream"].get_extra_info("ssl_object")
    assert r.text == "ok"
    assert isinstance(ssl_object, ssl.SSLObject)
    assert ssl_object.getpeercert()["subject"] == ((("commonName", "localhost"),),)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_tls_host_mismatch_is_connect_error(backend: str) -> None:
    """The certificate names localhost only; the URL's host 127.0.0.1 must be refused."""
    async with serve(_answer, tls=_tls_server()) as port, client_on(backend, _trusting_test_ca()) as client:
        with pytest.raises(httpx2.ConnectError, match="mismatch"):
            await client.get(f"https://127.0.0.1:{port}/")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_tls_unknown_issuer_is_connect_error(backend: str) -> None:
    """httpx2's default trust (no test CA): the self-made CA must fail the certificate check."""
    async with serve(_answer, tls=_tls_server()) as port, client_on(backend) as client:
        with pytest.raises(httpx2.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(f"https://127.0.0.1:{port}/", extensions={"sni_hostname": "localhost"})


@pytest.mark.parametrize("backend", BACKENDS)
async def test_tls_handshake_that_stalls_is_connect_timeout(backend: str) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.Event().wait()

    async with serve(silent) as port, client_on(backend, _trusting_test_ca(), connect=0.2) as client:
        with pytest.raises(httpx2.ConnectTimeout):
            await client.get(f"https://127.0.0.1:{port}/", extensions={"sni_hostname": "localhost"})


async def _connect(port: int, **kwargs: object) -> AsyncioStream:
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5.0, **kwargs)  # type: ignore[arg-type]
    assert isinstance(stream, AsyncioStream)
    return stream


async def test_read_returns_what_was_sent_then_empty_at_eof() -> None:
    async def send_and_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello world")
        await writer.drain()

    async with serve(send_and_close) as port:
        stream = await _connect(port)
        got = b""
        while chunk := await stream.read(4, timeout=5.0):
            assert len(chunk) <= 4
            got += chunk
        assert got == b"hello world"
        assert await stream.read(4, timeout=5.0) == b""
        await stream.aclose()
        with pytest.raises(httpcore2.ReadError, match="closed"):
            await stream.read(4)


async def test_closing_while_another_task_reads_fails_that_read() -> None:
    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async with serve(hold) as port:
        stream = await _connect(port)
        reading = asyncio.create_task(stream.read(10, timeout=5.0))
        await asyncio.sleep(0.05)
        await stream.aclose()
        with pytest.raises(httpcore2.ReadError, match="closed"):
            await reading


async def test_socket_facts_options_and_local_address() -> None:
    seen: list[tuple[str, int]] = []

    async def note_peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(writer.get_extra_info("peername"))
        await reader.read()

    async with serve(note_peer) as port:
        options = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
        stream = await _connect(port, local_address="127.0.0.1", socket_options=options)
        try:
            sock = stream.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0  # as anyio sets it
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
            assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
            client_addr = stream.get_extra_info("client_addr")
            assert client_addr[0] == "127.0.0.1"
            assert stream.get_extra_info("ssl_object") is None
            await stream.write(b"x")
            while not seen:
                await asyncio.sleep(0.01)
            assert seen == [client_addr]
        finally:
            await stream.aclose()


async def test_is_readable_once_the_server_sends_or_closes() -> None:
    go = asyncio.Event()

    async def close_on_go(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await go.wait()

    async with serve(close_on_go) as port:
        stream = await _connect(port)
        await asyncio.sleep(0.05)
        assert stream.get_extra_info("is_readable") is False
        go.set()
        for _ in range(200):  # the server's close reaches us within a few loop turns
            if stream.get_extra_info("is_readable"):
                break
            await asyncio.sleep(0.01)
        assert stream.get_extra_info("is_readable") is True
        assert await stream.read(10, timeout=5.0) == b""
        await stream.aclose()


async def test_reading_pauses_while_unread_data_piles_up() -> None:
    """A server sending 64 MiB to a client that reads nothing: the client stops taking it off the socket, so
    the server's own buffer keeps most of it; read later, every byte arrives, in order."""
    size = 64 * 1024 * 1024
    blocked: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(bytes(range(256)) * (size // 256))
        before = -1
        while (pending := writer.transport.get_write_buffer_size()) != before:  # settles once the client stops
            before = pending
            await asyncio.sleep(0.1)
        blocked.set_result(pending)
        await writer.drain()

    async with serve(flood) as port:
        stream = await _connect(port)
        try:
            still_at_server = await blocked
            assert still_at_server > size - 16 * 1024 * 1024  # the kernel's buffers hold a few MiB at most
            assert stream._size <= HIGH_WATER + 256 * 1024  # one socket read past the mark at most
            received = 0
            while chunk := await stream.read(65536, timeout=5.0):
                assert chunk[0] == received % 256
                received += len(chunk)
            assert received == size
        finally:
            await stream.aclose()


async def test_a_task_cancelled_mid_read_leaves_no_socket_and_no_slot() -> None:
    """Through the shared pools: the stream's task is cancelled while it waits for the body; the server
    sees the connection closed and the shard counts no request in flight."""
    headers_sent = asyncio.Event()
    server_saw_close = asyncio.Event()

    async def stall_after_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
        headers_sent.set()
        if await reader.read() == b"":
            server_saw_close.set()

    pools = shared_async_client()

    async def read_body(port: int) -> None:
        async with pools.stream("GET", f"http://127.0.0.1:{port}/") as response:
            await response.aread()

    async with serve(stall_after_headers) as port:
        task = asyncio.create_task(read_body(port))
        await headers_sent.wait()
        await asyncio.sleep(0.05)
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await asyncio.wait_for(server_saw_close.wait(), 5)
    assert all(shard.in_flight == 0 for shard in pools._shards)
    for shard in pools._shards:
        for transport in shard.client._transport._pools.opened():  # type: ignore[attr-defined]
            assert transport._pool.connections == []
