"""The shared sync pool: HTTP/1.1 over h11 and the standard library's sockets, without httpx2.

Why not httpx2 here: importing httpx2 (with httpcore2 and anyio) costs more CPU than everything else a
one-shot `routerkit ask` does, and the sync path uses little of it: one request at a time per connection,
a streamed body, keep-alive reuse, per-operation timeouts. h11, the HTTP/1.1 parser httpcore2 itself uses,
does the protocol; this module only moves bytes and keeps connections.

What a caller sees is what the shared httpx2 pool gave: the same exception names for the same failures (so
`translate_errors` words them alike), `gzip` and `deflate` bodies decoded, certificates and host names checked
by the shared TLS context (`_tls`), no proxy or CA settings taken from the environment, no cap on open
connections, and at most `MAX_IDLE` idle ones kept, each for up to `IDLE_EXPIRY` seconds. Two things are
stricter: a response head is capped at `MAX_HEAD` bytes, and a compressed body is inflated at most
`_INFLATE_STEP` bytes at a time, so a small "zip bomb" chunk cannot fill memory before the size cap sees it.
A caller's own `http_client=httpx2.Client(...)` is used as given; the async side stays on httpx2.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
import weakref
import zlib
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import ClassVar
from urllib.parse import urlsplit

import h11

from ._tls import tls_context

__all__ = [
    "IDLE_EXPIRY",
    "MAX_HEAD",
    "MAX_IDLE",
    "ConnectError",
    "ConnectTimeout",
    "DecodingError",
    "HTTPFailure",
    "LocalProtocolError",
    "Pool",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "Reply",
    "Timeouts",
    "WriteError",
    "WriteTimeout",
]

#: Idle keep-alive connections kept in all; more are closed when released.
MAX_IDLE = 128
#: Seconds an idle connection is kept before it is closed instead of reused (servers drop them too).
IDLE_EXPIRY = 15.0
#: The largest response head (status line and headers) accepted, as httpcore2's limit.
MAX_HEAD = 100 * 1024
_READ_SIZE = 64 * 1024
#: Decoded bytes made from a compressed body per step.
_INFLATE_STEP = 64 * 1024

#: (connect, read, write, pool) seconds, as `Call.timeout` gives them; httpx2 takes the same tuple.
Timeouts = tuple[float, float, float, float]

_Origin = tuple[str, str, int]
_DEFAULT_PORTS = {"http": 80, "https": 443}


class HTTPFailure(Exception):
    """A request that failed below HTTP. `kind` says how, for `translate_errors`: "connect-timeout",
    "timeout" (a read or write), "decode", "request" (could not be sent as given) or "transport"."""

    kind: ClassVar[str] = "transport"


class ConnectTimeout(HTTPFailure):
    kind = "connect-timeout"


class ReadTimeout(HTTPFailure):
    kind = "timeout"


class WriteTimeout(HTTPFailure):
    kind = "timeout"


class ConnectError(HTTPFailure):
    pass


class ReadError(HTTPFailure):
    pass


class WriteError(HTTPFailure):
    pass


class RemoteProtocolError(HTTPFailure):
    pass


class LocalProtocolError(HTTPFailure):
    """The request itself is not valid HTTP (a header value with a line break, say). The message never quotes
    it: the header may be the API key."""

    kind = "request"


class DecodingError(HTTPFailure):
    kind = "decode"


class _Connection:
    """One socket and its h11 state; used by one request at a time."""

    __slots__ = ("h11", "idle_since", "origin", "sock")

    def __init__(self, origin: _Origin, sock: socket.socket) -> None:
        self.origin = origin
        self.sock = sock
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.idle_since = 0.0

    def send(self, request: h11.Request, body: bytes | None, timeout: float) -> None:
        try:
            data = self.h11.send(request) or b""
            if body:
                data += self.h11.send(h11.Data(data=body)) or b""
            data += self.h11.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError:
            raise LocalProtocolError("the request could not be sent: it is not valid HTTP") from None
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(data)
        except TimeoutError:
            raise WriteTimeout("timed out sending the request") from None
        except OSError as exc:
            raise WriteError(_os_reason(exc)) from None

    def next_event(self, timeout: float) -> h11.Event:
        """The next event from the server, reading as needed; each read waits at most `timeout` seconds."""
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise RemoteProtocolError(f"the server broke HTTP/1.1: {exc}"[:200]) from None
            if isinstance(event, h11.Event):
                return event
            if event is h11.PAUSED:  # only once a response is complete, which is never read past
                raise RemoteProtocolError("the server sent more than one response")
            self.sock.settimeout(timeout)
            try:
                data = self.sock.recv(_READ_SIZE)
            except TimeoutError:
                raise ReadTimeout("timed out waiting for the server") from None
            except OSError as exc:
                raise ReadError(_os_reason(exc)) from None
            if not data and self.h11.their_state is h11.SEND_RESPONSE:
                raise RemoteProtocolError("the server closed the connection without sending a response")
            self.h11.receive_data(data)

    def reusable(self) -> bool:
        """Whether the exchange ended cleanly and both sides keep the connection open."""
        return self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE

    def still_open(self, now: float) -> bool:
        """An idle connection fit to send on: not expired, and the server has neither closed it nor sent
        anything unasked (either shows as the socket being readable)."""
        if now - self.idle_since >= IDLE_EXPIRY:
            return False
        poll = select.poll()
        poll.register(self.sock, select.POLLIN)
        return not poll.poll(0)

    def close(self) -> None:
        self.sock.close()


class Pool:
    """Keep-alive connections by origin, shared by threads; `stream` is what the sync drivers send through.

    A process forked from one holding the pool starts with no idle connections: the parent's sockets are
    still the parent's, and two processes reading one socket would take each other's answers.
    """

    def __init__(self) -> None:
        self._after_fork()
        pool = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _forked(pool))

    def _after_fork(self) -> None:
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._idle_count = 0
        self._lock = threading.Lock()  # a new one: another thread of the parent may have held the old

    def stream(
        self, method: str, url: str, *, content: bytes | None, headers: Mapping[str, str], timeout: Timeouts
    ) -> Reply:
        """The response to one request, as a context manager: entering sends it and reads the status and
        headers; `iter_bytes` reads the body; leaving keeps the connection if the body was read to its end."""
        return Reply(self, method, url, content, headers, timeout)

    def close(self) -> None:
        """Close every idle connection (ones in use close when their response does)."""
        with self._lock:
            idle = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
            self._idle_count = 0
        for conn in idle:
            conn.close()

    def _take(self, origin: _Origin, connect_timeout: float) -> _Connection:
        now = time.monotonic()
        stale: list[_Connection] = []
        conn = None
        with self._lock:
            idle = self._idle.get(origin)
            while idle and conn is None:
                candidate = idle.pop()
                self._idle_count -= 1
                if candidate.still_open(now):
                    conn = candidate
                else:
                    stale.append(candidate)
        for old in stale:
            old.close()
        return conn if conn is not None else _connect(origin, connect_timeout)

    def _give_back(self, conn: _Connection) -> None:
        if conn.reusable():
            conn.h11.start_next_cycle()
            conn.idle_since = time.monotonic()
            with self._lock:
                if self._idle_count < MAX_IDLE:
                    self._idle.setdefault(conn.origin, []).append(conn)
                    self._idle_count += 1
                    return
        conn.close()


def _forked(pool: weakref.ref[Pool]) -> None:
    alive = pool()
    if alive is not None:
        alive._after_fork()  # the parent's connections are dropped, not closed: closing is the parent's to do


class Reply:
    """One exchange: the status and headers once entered, then the body from `iter_bytes`.

    Header names are lower-cased; a header sent more than once reads as its values joined by ", ".
    """

    __slots__ = (
        "_complete",
        "_conn",
        "_content",
        "_headers_out",
        "_method",
        "_pool",
        "_timeout",
        "_url",
        "headers",
        "status_code",
    )

    def __init__(
        self,
        pool: Pool,
        method: str,
        url: str,
        content: bytes | None,
        headers: Mapping[str, str],
        timeout: Timeouts,
    ) -> None:
        self._pool, self._url, self._content, self._timeout = pool, url, content, timeout
        self._method = method
        self._headers_out = headers
        self._conn: _Connection | None = None
        self._complete = False
        self.status_code = 0
        self.headers: dict[str, str] = {}

    def __enter__(self) -> Reply:
        connect, read, write, _ = self._timeout
        origin, host, target = _parse(self._url)
        try:
            request = h11.Request(method=self._method, target=target, headers=self._head(host))
        except (h11.LocalProtocolError, UnicodeEncodeError):  # h11's message, and the error's object, quote it
            raise LocalProtocolError("the request could not be sent: a header is not valid HTTP") from None
        conn = self._conn = self._pool._take(origin, connect)
        try:
            try:
                conn.send(request, self._content, write)
            except WriteError:
                # A server may answer (413, say) and close before reading the whole body: read its answer if
                # there is one, else report the failed write.
                try:
                    event = conn.next_event(read)
                except HTTPFailure:
                    raise WriteError("the server closed the connection while the request was sent") from None
            else:
                event = conn.next_event(read)
            while isinstance(event, h11.InformationalResponse):
                event = conn.next_event(read)
            if not isinstance(event, h11.Response):
                raise RemoteProtocolError("the server closed the connection without sending a response")
        except BaseException:
            self._conn = None
            conn.close()
            raise
        self.status_code = event.status_code
        self.headers = _header_map(event.headers)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._complete:
            self._pool._give_back(conn)
        else:
            conn.close()

    def iter_bytes(self) -> Iterator[bytes]:
        """The body, decoded, as it arrives; each wait for the server is bounded by the read timeout."""
        conn = self._conn
        if conn is None:
            raise ReadError("the response is closed")
        read = self._timeout[1]
        inflate = _inflater(self.headers.get("content-encoding", ""))
        while True:
            event = conn.next_event(read)
            if isinstance(event, h11.Data):
                if inflate is None:
                    yield bytes(event.data)
                else:
                    yield from inflate.feed(event.data)
            elif isinstance(event, h11.EndOfMessage):
                if inflate is not None:
                    yield from inflate.finish()
                self._complete = True
                return
            else:
                raise RemoteProtocolError("the server closed the connection before the body ended")

    def _head(self, host: str) -> list[tuple[str, str]]:
        head = [("Host", host), *self._headers_out.items()]
        names = {name.lower() for name, _ in head}
        if "accept-encoding" not in names:
            head.append(("Accept-Encoding", "gzip, deflate"))
        if self._content is not None and "content-length" not in names:
            head.append(("Content-Length", str(len(self._content))))
        return head


class _Inflater:
    """A gzip, zlib or raw deflate body, inflated in bounded steps. "deflate" should be zlib-wrapped, but some
    servers send it raw: when the first bytes are not a zlib or gzip header, they are read as raw deflate."""

    __slots__ = ("_head", "_raw_allowed", "_z")

    #: Bytes zlib needs to tell a zlib or gzip header from anything else; fewer are kept until more arrive.
    _HEADER = 2

    def __init__(self, *, raw_allowed: bool) -> None:
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 32)  # either header, told apart by zlib
        self._raw_allowed = raw_allowed
        self._head: bytes | None = b""  # the first bytes, until there are enough to know the format; then None

    def feed(self, data: bytes | bytearray | memoryview) -> Iterator[bytes]:
        try:
            if self._head is None:
                out = self._z.decompress(data, _INFLATE_STEP)
            else:
                self._head += data
                if len(self._head) < self._HEADER:
                    return
                out = self._first()
            while True:
                if out:
                    yield out
                tail = self._z.unconsumed_tail
                if not tail:
                    return
                out = self._z.decompress(tail, _INFLATE_STEP)
        except zlib.error as exc:
            raise DecodingError(f"the compressed body is corrupt ({exc})") from None

    def _first(self) -> bytes:
        data, self._head = self._head or b"", None
        try:
            return self._z.decompress(data, _INFLATE_STEP)
        except zlib.error:
            if not self._raw_allowed:
                raise
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._z.decompress(data, _INFLATE_STEP)

    def finish(self) -> Iterator[bytes]:
        try:
            out = self._first() if self._head else b""  # a body shorter than a header
            out += self._z.flush()
        except zlib.error as exc:
            raise DecodingError(f"the compressed body is corrupt ({exc})") from None
        if out:
            yield out


def _inflater(encoding: str) -> _Inflater | None:
    coding = encoding.strip().lower()
    if coding in ("", "identity"):
        return None
    if coding in ("gzip", "x-gzip", "deflate"):
        return _Inflater(raw_allowed=coding == "deflate")
    raise DecodingError(f"the body's content-encoding {encoding[:40]!r} is not one routerkit decodes")


def _parse(url: str) -> tuple[_Origin, str, str]:
    """(origin, Host header, request target) of an http or https URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise LocalProtocolError(f"only http and https URLs can be sent, not {url[:80]!r}")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise LocalProtocolError(f"the URL's port is not a number: {url[:80]!r}") from None
    host = parts.netloc.rpartition("@")[2]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return (scheme, parts.hostname, port), host, target


def _connect(origin: _Origin, timeout: float) -> _Connection:
    scheme, host, port = origin
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        raise ConnectTimeout(f"timed out connecting to {host}:{port}") from None
    except OSError as exc:
        raise ConnectError(_os_reason(exc)) from None
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if scheme == "https":
            sock = tls_context().wrap_socket(sock, server_hostname=host)  # the handshake, within `timeout`
    except TimeoutError:
        sock.close()
        raise ConnectTimeout(f"timed out in the TLS handshake with {host}:{port}") from None
    except OSError as exc:  # ssl.SSLError (a failed certificate check among them) is an OSError
        sock.close()
        raise ConnectError(_os_reason(exc)) from None
    return _Connection(origin, sock)


def _header_map(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1")  # h11 has lower-cased the names and checked both are valid
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _os_reason(exc: OSError) -> str:
    return (str(exc) or type(exc).__name__)[:200]
