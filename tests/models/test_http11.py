"""The shared sync pool (`routerkit.models._http11`: HTTP/1.1 on h11 and sockets) through real model calls.

Every case goes over real sockets on 127.0.0.1: a small threaded server written here (h11 in the server role
parses each request; the test's handler answers it) or the session's emulator. Covered: keep-alive reuse and
when a kept connection must not be reused (closed by the server, expired), gzip bodies and gzip bombs,
encodings routerkit cannot decode, oversized response heads, an early 413 during an upload, `100 Continue`,
the request as the server sees it, header values that are not HTTP, many threads on one pool, TLS checks, and
that the sync path never imports httpx2.

Nothing is mocked. The one stand-in: TLS cases that must succeed replace the shared TLS context with one that
trusts the test CA in `tests/fixtures/tls`, since no public CA can sign a certificate for a loopback server.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import h11
import pytest

from routerkit.emulator import Emulator
from routerkit.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ResponseTooLargeError,
    StreamInterruptedError,
    UsageError,
)
from routerkit.models import _http11, _tls, list_models
from routerkit.models._http11 import Pool
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.wire._events import ResponseCompleted

from ..conftest import TEST_KEY
from ..faults._replies import MODEL, message, response, text_stream

pytestmark = pytest.mark.timeout(60)

TLS = Path(__file__).parent.parent / "fixtures" / "tls"


# A keep-alive HTTP/1.1 server in a thread.


@dataclass
class Seen:
    """One request as the server parsed it; header names lower-case."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""


class Exchange:
    """The server's side of one request: the handler answers through it."""

    def __init__(self, sock: socket.socket, conn: h11.Connection, request: Seen) -> None:
        self.sock, self.conn, self.request = sock, conn, request

    def send(self, *events: h11.Event) -> None:
        """The events' bytes in one write."""
        data = b"".join(self.conn.send(event) or b"" for event in events)
        if data:
            self.sock.sendall(data)

    def answer(
        self, status: int, body: bytes | Iterable[bytes], headers: Iterable[tuple[str, str]] = (), **more: str
    ) -> None:
        """A whole response: `bytes` with a content-length, in one write (as servers send a small answer: a
        server that closes right after must not lose part of it); an iterable of chunks as a chunked body,
        a write each."""
        head = [*headers, *((name.replace("_", "-"), value) for name, value in more.items())]
        if isinstance(body, bytes):
            head.append(("content-length", str(len(body))))
            self.send(h11.Response(status_code=status, headers=head), h11.Data(data=body), h11.EndOfMessage())
            return
        self.send(h11.Response(status_code=status, headers=head))
        for chunk in body:
            self.send(h11.Data(data=chunk))
        self.send(h11.EndOfMessage())


#: Answers one request; returns whether the server keeps the connection open for the next one.
Handler = Callable[[Exchange], bool]


class H11Server:
    """Serves each connection on 127.0.0.1 with h11 in the server role, one request after another.

    `connections` counts accepted connections; `requests` holds what arrived. With `read_body=False` the
    handler runs as soon as the request head is parsed (the body may still be on its way). With `tls`, each
    accepted socket is wrapped server-side before anything else.
    """

    def __init__(self, handler: Handler, *, tls: ssl.SSLContext | None = None, read_body: bool = True) -> None:
        self.handler, self.tls, self.read_body = handler, tls, read_body
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        self.bytes_received = 0
        self.requests: list[Seen] = []
        self.closes = 0
        """Connections ended, by either side."""
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self.sock.getsockname()[1]
        return port

    def base_url(self, scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}/api/v1"

    def _serve(self) -> None:
        self.sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                sock, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._open.append(sock)
            threading.Thread(target=self._one, args=(sock,), daemon=True).start()

    def _one(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(10)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_side=True)
            conn = h11.Connection(h11.SERVER)
            while (request := self._read_request(sock, conn)) is not None:
                if not self.handler(Exchange(sock, conn, request)):
                    break
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    break
                conn.start_next_cycle()
        except (OSError, h11.ProtocolError):
            pass  # the client gave up or broke off: some cases are about exactly that
        finally:
            sock.close()
            with self._lock:
                self.closes += 1

    def _read_request(self, sock: socket.socket, conn: h11.Connection) -> Seen | None:
        seen: Seen | None = None
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = sock.recv(65536)
                self.bytes_received += len(data)
                conn.receive_data(data)
            elif isinstance(event, h11.Request):
                headers = {name.decode(): value.decode() for name, value in event.headers}
                seen = Seen(event.method.decode(), event.target.decode(), headers)
                if not self.read_body:
                    self.requests.append(seen)
                    return seen
            elif isinstance(event, h11.Data) and seen is not None:
                seen.body += bytes(event.data)
            elif isinstance(event, h11.EndOfMessage) and seen is not None:
                self.requests.append(seen)
                return seen
            else:  # h11.ConnectionClosed, or PAUSED
                return None

    def wait_closes(self, count: int) -> None:
        """Wait (a few seconds at most) until `count` connections have ended."""
        deadline = time.monotonic() + 5
        while self.closes < count:
            assert time.monotonic() < deadline, f"{self.closes} connections ended, not {count}"
            time.sleep(0.01)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()
        with self._lock:
            for sock in self._open:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # wakes a connection thread blocked in recv


@pytest.fixture
def serve() -> Iterator[Callable[..., H11Server]]:
    """`serve(handler, tls=..., read_body=...)`: a started `H11Server`, closed after the test."""
    servers: list[H11Server] = []

    def start(handler: Handler, **options: Any) -> H11Server:
        servers.append(H11Server(handler, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


# Answers and models.


def json_body(text: str) -> bytes:
    return json.dumps(response([message(text)])).encode()


def sse_chunks(text: str) -> list[bytes]:
    """`text` streamed in two deltas, as OpenRouter frames it (`data:` lines, then `[DONE]`)."""
    half = len(text) // 2
    events = text_stream(text[:half], text[half:])
    return [b"data: " + json.dumps(event).encode() + b"\n\n" for event in events] + [b"data: [DONE]\n\n"]


def answer_as_asked(exchange: Exchange, text: str = "kept alive") -> bool:
    """A JSON answer to a JSON request, an SSE stream to a stream request; keeps the connection."""
    if json.loads(exchange.request.body).get("stream"):
        exchange.answer(200, sse_chunks(text), content_type="text/event-stream")
    else:
        exchange.answer(200, json_body(text), content_type="application/json")
    return True


@pytest.fixture
def pool() -> Iterator[Pool]:
    """A fresh pool per test, so no test depends on what the process-wide one holds; closed after."""
    fresh = Pool()
    yield fresh
    fresh.close()


def model_at(base_url: str, pool: Pool, **options: Any) -> OpenRouterResponses:
    """A model on `base_url` sending through `pool`. `http_client` is typed as an httpx2.Client, but the sync
    drivers only call its `stream(...)`, which `Pool` has."""
    settings: dict[str, Any] = {
        "timeout": 10.0,
        "connect_timeout": 2.0,
        "stall_timeout": 5.0,
        "max_retries": 0,
        **options,
    }
    return OpenRouterResponses(id=MODEL, base_url=base_url, api_key=TEST_KEY, http_client=cast(Any, pool), **settings)


def streamed_text(model: OpenRouterResponses, prompt: str = "hi") -> str:
    events = list(model.invoke_stream(prompt))
    last = events[-1]
    assert isinstance(last, ResponseCompleted)
    return last.response.text


def call(model: OpenRouterResponses, mode: str, prompt: str = "hi") -> str:
    return model.invoke(prompt).text if mode == "invoke" else streamed_text(model, prompt)


# Keep-alive, and when a kept connection must not be used.


def test_sequential_calls_reuse_one_connection(serve: Callable[..., H11Server], pool: Pool) -> None:
    """Calls one after another on a model share one kept-alive connection: no new TCP (or TLS) setup each."""
    server = serve(answer_as_asked)
    model = model_at(server.base_url(), pool)
    assert model.invoke("one").text == "kept alive"
    assert streamed_text(model, "two") == "kept alive"
    assert model.invoke("three").text == "kept alive"
    assert len(server.requests) == 3
    assert server.connections == 1
    assert pool._idle_count == 1


def test_a_connection_the_server_closed_while_idle_is_not_reused(serve: Callable[..., H11Server], pool: Pool) -> None:
    """A server that drops a kept-alive connection between calls: the next call opens a new one and succeeds,
    instead of failing on the dead socket."""

    def answer_then_close(exchange: Exchange) -> bool:
        answer_as_asked(exchange, "fresh")
        return False  # answered with keep-alive, then closes the socket while the client holds it idle

    server = serve(answer_then_close)
    model = model_at(server.base_url(), pool)
    assert model.invoke("one").text == "fresh"
    server.wait_closes(1)
    time.sleep(0.05)  # the FIN reaches the client's socket
    assert pool._idle_count == 1  # the dead connection is still in the pool: only the check can skip it
    assert streamed_text(model, "two") == "fresh"
    assert server.connections == 2


def test_an_expired_idle_connection_is_not_reused(
    serve: Callable[..., H11Server], pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An idle connection older than IDLE_EXPIRY is closed instead of sent on (servers drop old ones
    silently); one still fresh is reused."""
    monkeypatch.setattr(_http11, "IDLE_EXPIRY", 0.3)
    server = serve(answer_as_asked)
    model = model_at(server.base_url(), pool)
    assert model.invoke("one").text == "kept alive"
    assert model.invoke("two").text == "kept alive"  # well within 0.3 s: reused
    assert server.connections == 1
    time.sleep(0.4)
    assert model.invoke("three").text == "kept alive"
    assert server.connections == 2
    server.wait_closes(1)  # the client closed the expired connection, not just left it open


# Compressed bodies.


def zlib_compress(data: bytes) -> bytes:
    return zlib.compress(data)


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize("split", ["halves", "bytes"])
@pytest.mark.parametrize("mode", ["invoke", "invoke_stream"])
@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        pytest.param("gzip", gzip.compress, id="gzip"),
        pytest.param("deflate", zlib_compress, id="deflate"),
        pytest.param("deflate", raw_deflate, id="raw-deflate"),  # as some servers send it
    ],
)
def test_a_compressed_answer_is_decoded(
    serve: Callable[..., H11Server],
    pool: Pool,
    mode: str,
    encoding: str,
    compress: Callable[[bytes], bytes],
    split: str,
) -> None:
    """A server (or proxy) that compresses its answer: the text arrives decoded, whole or streamed, however the
    body is cut into chunks (one byte at a time: too few to tell the header from raw deflate at first)."""

    def compressed(exchange: Exchange) -> bool:
        if mode == "invoke":
            body, kind = json_body("squeezed answer text"), "application/json"
        else:
            body, kind = b"".join(sse_chunks("squeezed answer text")), "text/event-stream"
        packed = compress(body)
        if split == "halves":  # split mid-stream: decoded across chunks
            chunks = [packed[: len(packed) // 2], packed[len(packed) // 2 :]]
        else:
            chunks = [packed[i : i + 1] for i in range(len(packed))]
        exchange.answer(200, chunks, content_type=kind, content_encoding=encoding)
        return True

    server = serve(compressed)
    assert call(model_at(server.base_url(), pool), mode) == "squeezed answer text"


BOMB_SIZE = 300 * 1024 * 1024


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """300 MiB of zeros, gzipped (~300 KB), made a MiB at a time so building it costs no memory either."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    parts.append(packer.flush())
    return b"".join(parts)


@pytest.mark.parametrize("mode", ["invoke", "invoke_stream"])
def test_a_gzip_bomb_is_refused_without_filling_memory(
    serve: Callable[..., H11Server], pool: Pool, gzip_bomb: bytes, mode: str
) -> None:
    """A ~300 KB gzip body that inflates to 300 MiB: the size cap refuses it with a typed error, and memory
    never holds more than a small part of it (each piece is inflated in bounded steps before the cap sees it)."""
    assert len(gzip_bomb) < 1024 * 1024

    def bomb(exchange: Exchange) -> bool:
        kind = "application/json" if mode == "invoke" else "text/event-stream"
        exchange.answer(200, gzip_bomb, content_type=kind, content_encoding="gzip")
        return True

    server = serve(bomb)
    model = model_at(server.base_url(), pool, max_response_bytes=1024 * 1024)
    tracemalloc.start()
    try:
        started = time.monotonic()
        # A stream's cap is per event (16 MiB), and a body of zeros is one endless event.
        refused = ResponseTooLargeError if mode == "invoke" else (ResponseTooLargeError, StreamInterruptedError)
        with pytest.raises(refused) as info:
            call(model, mode)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A JSON body stops at max_response_bytes; a stream holds up to one event (16 MiB) while it looks for the
    # event's end. Either way far below the bomb, and below one inflated socket read (~64 MiB) had the
    # inflating not been bounded.
    ceiling = 16 if mode == "invoke" else 48
    assert peak < ceiling * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB while refusing the bomb"
    assert elapsed < 10
    if mode == "invoke":
        assert "max_response_bytes=1,048,576" in info.value.message
    else:
        assert "exceeded" in info.value.message


@pytest.mark.parametrize("mode", ["invoke", "invoke_stream"])
def test_an_encoding_routerkit_cannot_decode_is_a_typed_error(
    serve: Callable[..., H11Server], pool: Pool, mode: str
) -> None:
    """`content-encoding: br` (not one routerkit decodes): a typed error saying so, never compressed bytes
    handed on as if they were the answer."""

    def brotli(exchange: Exchange) -> bool:
        kind = "application/json" if mode == "invoke" else "text/event-stream"
        exchange.answer(200, b"\x1b\x2c\x00\xf8\xa5\x40\x02\x1c\x2b", content_type=kind, content_encoding="br")
        return True

    server = serve(brotli)
    with pytest.raises(StreamInterruptedError) as info:
        call(model_at(server.base_url(), pool), mode)
    assert "could not be decoded" in info.value.message and "br" in info.value.message
    assert info.value.partial_text == ""


# Unusual responses.


def test_a_response_head_over_max_head_is_a_connection_error_at_once(
    serve: Callable[..., H11Server], pool: Pool
) -> None:
    """A response head larger than MAX_HEAD (one 200 KB header): refused as a broken connection as soon as it
    passes the cap, not read into memory without end nor waited on until a timeout."""
    assert _http11.MAX_HEAD < 200_000

    def huge_head(exchange: Exchange) -> bool:
        exchange.answer(200, json_body("never read"), [("x-padding", "a" * 200_000)], content_type="application/json")
        return True

    server = serve(huge_head)
    started = time.monotonic()
    with pytest.raises(APIConnectionError) as info:
        model_at(server.base_url(), pool, stall_timeout=5.0).invoke("hi")
    assert time.monotonic() - started < 2.0
    assert "HTTP/1.1" in info.value.message


def test_a_413_sent_while_the_body_uploads_is_reported_as_the_413(serve: Callable[..., H11Server], pool: Pool) -> None:
    """A server that refuses a too-large request as soon as it reads the head, and closes while the client is
    still sending the body: the user sees the server's 413 (a status error), not a broken pipe."""

    def refuse_at_once(exchange: Exchange) -> bool:
        body = json.dumps({"error": {"code": 413, "message": "Request body too large"}}).encode()
        exchange.answer(413, body, content_type="application/json", connection="close")
        return False  # closes without reading the rest of the upload

    server = serve(refuse_at_once, read_body=False)
    prompt = "x" * (20 * 1024 * 1024)
    with pytest.raises(APIStatusError) as info:
        model_at(server.base_url(), pool).invoke(prompt)
    assert info.value.status == 413
    assert "too large" in info.value.message
    assert server.bytes_received < len(prompt)  # the server really did stop reading mid-upload


def test_a_100_continue_before_the_answer_is_skipped(serve: Callable[..., H11Server], pool: Pool) -> None:
    """Informational responses (`100 Continue`, `103 Early Hints`) before the real one are passed over."""

    def informational_first(exchange: Exchange) -> bool:
        exchange.send(h11.InformationalResponse(status_code=100, headers=[]))
        exchange.send(h11.InformationalResponse(status_code=103, headers=[("link", "</x>; rel=preload")]))
        return answer_as_asked(exchange, "after continue")

    server = serve(informational_first)
    model = model_at(server.base_url(), pool)
    assert model.invoke("hi").text == "after continue"
    assert streamed_text(model) == "after continue"
    assert server.connections == 1


# The request as sent.


def test_the_request_the_server_receives(serve: Callable[..., H11Server], pool: Pool) -> None:
    """A POST carries Host, Content-Length, Accept-Encoding (what the pool decodes), the key and the JSON body;
    a GET (the model list) carries no body at all."""

    def answer(exchange: Exchange) -> bool:
        if exchange.request.method == "GET":
            listing = json.dumps({"data": [{"id": "vendor/listed"}]}).encode()
            exchange.answer(200, listing, content_type="application/json")
            return True
        return answer_as_asked(exchange)

    server = serve(answer)
    model_at(server.base_url(), pool).invoke("what the server sees")
    post = server.requests[0]
    assert (post.method, post.target) == ("POST", "/api/v1/responses")
    assert post.headers["host"] == f"127.0.0.1:{server.port}"
    assert post.headers["content-length"] == str(len(post.body))
    assert "transfer-encoding" not in post.headers
    assert post.headers["accept-encoding"] == "gzip, deflate"
    assert post.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert post.headers["content-type"] == "application/json"
    sent = json.loads(post.body)
    assert sent["model"] == MODEL and "what the server sees" in json.dumps(sent["input"])

    assert [m["id"] for m in list_models(base_url=server.base_url(), api_key=TEST_KEY, timeout=5)] == ["vendor/listed"]
    get = server.requests[1]
    assert (get.method, get.target) == ("GET", "/api/v1/models")
    assert get.headers["host"] == f"127.0.0.1:{server.port}"
    assert get.headers["authorization"] == f"Bearer {TEST_KEY}"  # loopback: the key may go
    assert "content-length" not in get.headers and "transfer-encoding" not in get.headers
    assert get.body == b""


def send_once(pool: Pool, url: str, headers: dict[str, str]) -> None:
    with pool.stream("POST", url, content=b"{}", headers=headers, timeout=(2.0, 2.0, 2.0, 2.0)) as reply:
        b"".join(reply.iter_bytes())


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer sk-secret\r\nX-Injected: y"}, {"Authorization": "Bearer sk-secret\u00e9"}],
    ids=["line-break", "non-latin"],
)
def test_a_header_that_is_not_http_is_refused_unsent_and_unquoted(
    serve: Callable[..., H11Server], pool: Pool, headers: dict[str, str]
) -> None:
    """A header value HTTP cannot carry (a line break would inject a header) is refused before anything is
    sent, with the pool's own error, whose message never quotes the value (it may be the API key)."""
    server = serve(answer_as_asked)
    url = server.base_url() + "/responses"
    with pytest.raises(_http11.LocalProtocolError) as info:
        send_once(pool, url, headers)
    assert "sk-secret" not in str(info.value) and "sk-secret" not in repr(info.value.args)
    time.sleep(0.1)  # anything sent would have arrived by now
    assert server.bytes_received == 0 and server.requests == []


@pytest.mark.parametrize("setting", ["app_title", "app_url"])
@pytest.mark.parametrize("value", ["Café Bot", "Bot\r\nX-Injected: 1"], ids=["non-ascii", "line-break"])
def test_app_attribution_that_cannot_be_a_header_is_refused_before_any_request(setting: str, value: str) -> None:
    """`app_title` and `app_url` travel as headers: a value HTTP cannot carry is refused when the model is
    made, naming the setting, instead of failing later inside the transport."""
    with pytest.raises(UsageError, match=setting):
        OpenRouterResponses(id="emulator/echo", api_key=TEST_KEY, **cast(dict[str, Any], {setting: value}))


# Threads.


def test_threads_sharing_one_pool_each_get_their_own_answer(emu: Emulator, pool: Pool) -> None:
    """16 threads making 5 calls each through one pool: every call gets its own answer (no response crosses
    to another thread's call), and the pool keeps no more idle connections than were ever in use at once."""
    model = OpenRouterResponses(
        id="emulator/echo", base_url=emu.base_url, api_key=TEST_KEY, http_client=cast(Any, pool), max_retries=0
    )
    start = threading.Barrier(16)
    results: dict[tuple[int, int], str] = {}
    failures: list[BaseException] = []

    def worker(thread: int) -> None:
        try:
            start.wait(5)
            for n in range(5):
                prompt = f"thread {thread} call {n}"
                results[thread, n] = model.invoke(prompt).text if n % 2 else streamed_text(model, prompt)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures, failures[0]
    assert results == {(t, n): f"thread {t} call {n}" for t in range(16) for n in range(5)}
    assert 1 <= pool._idle_count <= 16
    pool.close()
    assert pool._idle_count == 0


# TLS.


def tls_server_context() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(TLS / "server.pem", TLS / "server.key")
    return context


@pytest.fixture
def trust_test_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared TLS context replaced by one trusting only the test CA (no public CA can sign for a loopback
    server). Certificate and host-name checks stay on, as in the real one."""
    context = ssl.create_default_context(cafile=str(TLS / "ca.pem"))
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    monkeypatch.setattr(_tls, "_context", context)


@pytest.mark.usefixtures("trust_test_ca")
def test_tls_to_a_trusted_certificate_for_the_host(serve: Callable[..., H11Server], pool: Pool) -> None:
    """https to a server whose certificate is trusted and names the host: the call goes through, and the
    connection (handshake included) is reused for the next."""
    server = serve(answer_as_asked, tls=tls_server_context())
    model = model_at(server.base_url("https", "localhost"), pool)
    assert model.invoke("hi").text == "kept alive"
    assert streamed_text(model) == "kept alive"
    assert server.connections == 1


def test_tls_to_a_certificate_no_system_ca_signed_fails_the_check(
    serve: Callable[..., H11Server], pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real shared context (the system's CAs, made afresh here): a certificate from an unknown CA is
    refused, as a connection error that says it was the certificate."""
    monkeypatch.setattr(_tls, "_context", None)
    server = serve(answer_as_asked, tls=tls_server_context())
    with pytest.raises(APIConnectionError) as info:
        model_at(server.base_url("https", "localhost"), pool).invoke("hi")
    assert "certificate" in info.value.message.lower()
    assert server.requests == []


@pytest.mark.usefixtures("trust_test_ca")
def test_tls_to_a_host_the_certificate_does_not_name_fails_the_check(
    serve: Callable[..., H11Server], pool: Pool
) -> None:
    """The certificate names `localhost` only: the same server reached as 127.0.0.1 is refused."""
    server = serve(answer_as_asked, tls=tls_server_context())
    with pytest.raises(APIConnectionError) as info:
        model_at(server.base_url("https", "127.0.0.1"), pool).invoke("hi")
    assert "mismatch" in info.value.message
    assert server.requests == []


@pytest.mark.usefixtures("trust_test_ca")
def test_a_tls_handshake_that_never_comes_is_a_connect_timeout(pool: Pool) -> None:
    """A server that accepts the TCP connection but never answers the TLS handshake: a timeout error within
    about connect_timeout, not a hang until the stall or total timeout."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel completes TCP; nothing ever answers
        url = f"https://localhost:{silent.getsockname()[1]}/api/v1"
        model = model_at(url, pool, connect_timeout=0.3, stall_timeout=10.0, timeout=20.0)
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as info:
            model.invoke("hi")
        elapsed = time.monotonic() - started
    assert elapsed < 0.3 + 1.0, f"took {elapsed:.1f}s"
    assert "connect_timeout=0.3s" in info.value.message


# The process.


def test_the_sync_path_never_imports_httpx2(emu: Emulator) -> None:
    """A sync call, a sync stream and the model list, in a fresh process, leave httpx2 unimported: importing
    it cost more CPU than the rest of a one-shot `routerkit ask`, which is why the sync pool exists."""
    script = (
        "import sys\n"
        "from routerkit.models import list_models\n"
        "from routerkit.models.openrouter import OpenRouterResponses\n"
        f"m = OpenRouterResponses(id='emulator/echo', base_url={emu.base_url!r}, api_key='x', max_retries=0)\n"
        "assert m.invoke('one two').text == 'one two'\n"
        "assert list(m.invoke_stream('three four'))[-1].response.text == 'three four'\n"
        f"assert list_models(base_url={emu.base_url!r})\n"
        "print('httpx2' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # 3.12+: the test's server
def test_a_forked_child_does_not_share_the_parents_connections(serve: Callable[..., H11Server], pool: Pool) -> None:
    """A program that forks (multiprocessing's default on Linux) after a call: the child's calls open their own
    connection instead of reading from the parent's kept-alive socket, and the parent's connection still works."""
    import os

    server = serve(answer_as_asked)
    model = model_at(server.base_url(), pool)
    assert model.invoke("parent").text == "kept alive"
    child = os.fork()
    if child == 0:  # the child: exit code 0 only if its own call worked on a connection of its own
        ok = pool._idle_count == 0 and model.invoke("child").text == "kept alive"
        os._exit(0 if ok else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert model.invoke("parent again").text == "kept alive"
    assert server.connections == 2  # the parent's, reused; the child's own
