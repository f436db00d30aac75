"""The emulator's ASGI application: routing, recording, scripted replies, and moving bytes.

Serves ``POST /api/v1/responses``, ``GET /api/v1/models`` (and ``/models/user``) and the account endpoints
``GET /generation?id=``, ``/key`` and ``/credits``. Socket-level faults (close, reset) and
the immediate stop act on the request's connection, found through the :class:`~._listener.Listener`
that accepted it; nothing here depends on the server's internals.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from ._account import Account
from ._engine import Engine
from ._faults import STALL_LIMIT_S
from ._framing import KEEPALIVE, Framing, encode_event, framing_from_headers
from ._listener import Listener, close_connection
from ._models import list_models
from ._outcomes import Drop, Hang, HttpReply, Outcome, StreamPlan
from ._request import MAX_BODY_BYTES, too_large
from ._script import Close, Pause, RecordedRequest, Reply, Reset, ScriptedReply, StreamReply

__all__ = ["API_PREFIX", "Conn", "ConnectionsApp", "EmulatorApp"]

API_PREFIX = "/api/v1"
SEND_CHUNK = 32 * 1024
KEEPALIVE_EVERY_S = 1.0

_MODELS_BODY: bytes | None = None
_MODEL = re.compile(rb'"model"\s*:\s*"([^"\\]{1,200})"')
_JSON = [(b"content-type", b"application/json")]


def _models_body() -> bytes:
    global _MODELS_BODY
    if _MODELS_BODY is None:
        _MODELS_BODY = json.dumps(list_models(), separators=(",", ":")).encode()
    return _MODELS_BODY


def _parse(raw: bytes) -> Any:
    """The body as JSON for the record, ``None`` if it is not (hostile nesting included)."""
    try:
        return json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        return None


def _declared_length(headers: dict[str, str]) -> int:
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0


class ConnectionsApp:
    """An ASGI 3 app that knows the connection behind each request in progress, so a stopping server can close
    them (see ``_server.serve_on``). Subclasses answer in ``_route``; ``routerkit serve`` is one too.
    ``listener`` (the socket the server accepts on) is attached before serving starts."""

    def __init__(self) -> None:
        self.listener: Listener | None = None
        self.log: Callable[[str], None] | None = None
        """When set, gets one line per request once it is answered: method, path, model, status, duration."""
        self._open: set[Conn] = set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Answer one HTTP request (other scope types are ignored)."""
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        status = 0

        async def send_noting_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        conn = Conn(self, scope, receive, send_noting_status if self.log is not None else send)
        self._open.add(conn)
        try:
            await self._route(conn, scope, conn.headers)
        finally:
            self._open.discard(conn)
            if self.log is not None:
                took = time.perf_counter() - started
                answered = str(status) if status else "dropped"
                self.log(f"{scope['method']} {scope['path']} {conn.model or '-'} {answered} {took:.3f} s")

    async def _route(self, conn: Conn, scope: dict[str, Any], headers: dict[str, str]) -> None:
        raise NotImplementedError

    def socket_for(self, scope: dict[str, Any]) -> socket.socket | None:
        """The connection's socket (``None`` if unknown or closed)."""
        return self.listener.connection(scope.get("client")) if self.listener is not None else None

    def close_connections(self) -> None:
        """Close every connection with a request in progress (stalled streams, hangs): the server is stopping.

        Call on the server's event loop."""
        for conn in list(self._open):
            close_connection(self.socket_for(conn.scope), reset=False)


class EmulatorApp(ConnectionsApp):
    """The emulator's routes."""

    def __init__(
        self,
        engine: Engine | None = None,
        record: Callable[[RecordedRequest], None] | None = None,
        account: Account | None = None,
        log: Callable[[str], None] | None = None,
    ):
        """`log`, when given, gets one line per request once it is answered: method, path, model, status,
        duration (`routerkit emulator` prints them)."""
        super().__init__()
        self.engine = engine or Engine()
        self.log = log
        self.account = account or Account()
        self.scripted: deque[ScriptedReply] = deque()
        self.record = record

    async def _route(self, conn: Conn, scope: dict[str, Any], headers: dict[str, str]) -> None:
        path, method = scope["path"], scope["method"]
        raw = await conn.read_body(MAX_BODY_BYTES)
        if conn.gone.is_set():  # the client left while sending: nothing to answer
            return
        if self.log is not None and raw:
            found = _MODEL.search(raw[:65536])
            conn.model = found.group(1).decode("utf-8", "replace") if found else None
        if self.record is not None and raw is not None:
            self.record(RecordedRequest(method, path, headers, _parse(raw), raw))
        if raw is None:
            await conn.reply(too_large().reply())
            return
        route = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else None
        if route in ("/responses", "/responses/"):
            if method != "POST":
                await conn.reply(HttpReply(405, _JSON, b'{"error":{"code":405,"message":"Method Not Allowed"}}'))
                return
            scripted = self._next_scripted()
            if scripted is not None:
                await conn.scripted(scripted, headers)
                return
            if (refused := await self.account.admit(raw)) is not None:
                await conn.reply(refused)
                return
            await conn.outcome(self.engine.handle(headers, raw))
        elif route in ("/models", "/models/", "/models/user") and method == "GET":
            await conn.reply(HttpReply(200, _JSON, _models_body()))
        elif route in ("/generation", "/key", "/credits") and method == "GET":
            await conn.reply(self._account_reply(route, headers, scope.get("query_string", b"")))
        else:
            await conn.reply(HttpReply(404, _JSON, b'{"error":{"code":404,"message":"Not Found"}}'))

    def _account_reply(self, route: str, headers: dict[str, str], query: bytes) -> HttpReply:
        """``GET /generation?id=``, ``/key`` and ``/credits``: OpenRouter's ``{"data": …}`` bodies (401 without
        a key, 404 for a generation it does not know)."""
        if not headers.get("authorization", "").startswith("Bearer "):
            return HttpReply(401, _JSON, b'{"error":{"code":401,"message":"No auth credentials found"}}')
        ledger = self.engine.ledger
        if route == "/generation":
            ids = parse_qs(query.decode("latin-1")).get("id", [""])
            record = ledger.generation(ids[0])
            if record is None:
                message = f"Generation {ids[0][:100]} not found"
                return HttpReply(404, _JSON, json.dumps({"error": {"code": 404, "message": message}}).encode())
            data: dict[str, Any] = record
        elif route == "/key":
            data = ledger.key(self.account.limit.requests if self.account.limit else None)
        else:
            data = ledger.credits()
        return HttpReply(200, _JSON, json.dumps({"data": data}).encode())

    def _next_scripted(self) -> ScriptedReply | None:
        try:
            return self.scripted.popleft()
        except IndexError:
            return None


class Conn:
    """One request's response side: sends, waits, and socket-level faults."""

    def __init__(self, app: ConnectionsApp, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.app = app
        self.scope = scope
        self.receive = receive
        self.send = send
        self.headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.gone = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None
        self.model: str | None = None  # for the log line

    # -- disconnect tracking -------------------------------------------------------------------------
    def watch(self) -> None:
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.gone.set()
                return

    async def _wait_gone(self, timeout: float) -> None:
        self.watch()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.gone.wait(), timeout)

    def _stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()

    # -- request body --------------------------------------------------------------------------------
    async def read_body(self, limit: int) -> bytes | None:
        """The whole request body; ``None`` once it is known to exceed ``limit`` bytes (not read further)."""
        if _declared_length(self.headers) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.gone.set()
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    # -- socket faults -------------------------------------------------------------------------------
    async def close(self) -> None:
        """Orderly close (FIN) without finishing the HTTP response."""
        close_connection(self.app.socket_for(self.scope), reset=False)
        await self._wait_gone(2.0)

    async def reset(self) -> None:
        """Abort with a TCP RST (SO_LINGER 0)."""
        close_connection(self.app.socket_for(self.scope), reset=True)
        await self._wait_gone(2.0)

    # -- plain replies -------------------------------------------------------------------------------
    async def reply(self, r: HttpReply) -> None:
        headers = [*r.headers, (b"content-length", str(len(r.body)).encode())]
        await self.send({"type": "http.response.start", "status": r.status, "headers": headers})
        await self.send({"type": "http.response.body", "body": r.body, "more_body": False})

    async def _body(self, data: bytes) -> None:
        await self.send({"type": "http.response.body", "body": data, "more_body": True})

    async def _end(self) -> None:
        await self.send({"type": "http.response.body", "body": b"", "more_body": False})

    # -- engine outcomes -----------------------------------------------------------------------------
    async def outcome(self, outcome: Outcome) -> None:
        try:
            if isinstance(outcome, HttpReply):
                await self.reply(outcome)
            elif isinstance(outcome, StreamPlan):
                await self.stream(outcome)
            elif isinstance(outcome, Hang):
                await self._wait_gone(outcome.seconds)
                await self.close()
            elif isinstance(outcome, Drop):
                await self.close()
        finally:
            self._stop_watching()

    async def stream(self, plan: StreamPlan) -> None:
        await self.send({"type": "http.response.start", "status": 200, "headers": plan.headers})
        self.watch()
        prefix = [KEEPALIVE] if plan.framing == "openrouter" else []
        if plan.pace_ms <= 0:
            await self._send_coalesced(prefix, plan.frames, last=plan.ending == "done")
        else:
            if not await self._send_paced(prefix, plan):
                return
            if plan.ending == "done":
                await self._end()
        if plan.ending == "stall":
            await self._wait_gone(STALL_LIMIT_S)
            await self.close()
        elif plan.ending == "truncate":
            await self.close()

    async def _send_coalesced(self, prefix: list[bytes], frames: list[bytes], last: bool) -> None:
        buf = list(prefix)
        size = sum(map(len, buf))
        for frame in frames:
            buf.append(frame)
            size += len(frame)
            if size >= SEND_CHUNK:
                await self._body(b"".join(buf))
                buf, size = [], 0
        if last:
            await self.send({"type": "http.response.body", "body": b"".join(buf), "more_body": False})
        elif buf:
            await self._body(b"".join(buf))

    async def _send_paced(self, prefix: list[bytes], plan: StreamPlan) -> bool:
        """Send frames on an absolute schedule: the k-th paced frame at start + k * pace. False if the
        client went away."""
        loop = asyncio.get_running_loop()
        pace = plan.pace_ms / 1000.0
        start = loop.time()
        k = 0
        buf = list(prefix)
        size = sum(map(len, buf))
        keepalive = plan.framing == "openrouter"
        for frame, paced in zip(plan.frames, plan.paced, strict=True):
            if paced:
                k += 1
                if buf:
                    await self._body(b"".join(buf))
                    buf, size = [], 0
                deadline = start + k * pace
                while (remaining := deadline - loop.time()) > 0:
                    await self._wait_gone(min(remaining, KEEPALIVE_EVERY_S))
                    if self.gone.is_set():
                        return False
                    if keepalive and deadline - loop.time() > 0.001:
                        await self._body(KEEPALIVE)
            buf.append(frame)
            size += len(frame)
            if size >= SEND_CHUNK:
                await self._body(b"".join(buf))
                buf, size = [], 0
        if buf:
            await self._body(b"".join(buf))
        return not self.gone.is_set()

    # -- scripted replies ----------------------------------------------------------------------------
    async def scripted(self, reply: ScriptedReply, headers: dict[str, str]) -> None:
        try:
            if isinstance(reply, Reset):
                await self.reset()
            elif isinstance(reply, Reply):
                await self._scripted_reply(reply)
            elif isinstance(reply, StreamReply):
                await self._scripted_stream(reply, framing_from_headers(headers))
            else:
                raise TypeError(f"not a scripted reply: {reply!r}")
        finally:
            self._stop_watching()

    async def _scripted_reply(self, reply: Reply) -> None:
        body = reply.body
        if isinstance(body, bytes):
            data, ctype = body, b"text/plain; charset=utf-8"
        elif isinstance(body, str):
            data, ctype = body.encode(), b"text/plain; charset=utf-8"
        elif body is None:
            data, ctype = b"", b"application/json"
        else:
            data, ctype = json.dumps(body, separators=(",", ":")).encode(), b"application/json"
        hdrs = {k.lower(): v for k, v in reply.headers.items()}
        hdrs.setdefault("content-type", ctype.decode())
        await self.reply(HttpReply(reply.status, [(k.encode(), str(v).encode()) for k, v in hdrs.items()], data))

    async def _scripted_stream(self, reply: StreamReply, framing: Framing) -> None:
        hdrs = {k.lower(): v for k, v in reply.headers.items()}
        hdrs.setdefault("content-type", "text/event-stream")
        hdrs.setdefault("cache-control", "no-cache")
        await self.send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [(k.encode(), str(v).encode()) for k, v in hdrs.items()],
            }
        )
        self.watch()
        seq = 0
        for step in reply.steps:
            if isinstance(step, dict):
                event = step if "sequence_number" in step else {**step, "sequence_number": seq}
                seq = int(event["sequence_number"]) + 1
                await self._body(encode_event(event, framing))
            elif isinstance(step, bytes):
                await self._body(step)
            elif isinstance(step, str):
                await self._body(step.encode())
            elif isinstance(step, Pause):
                await self._wait_gone(step.seconds)
                if self.gone.is_set():
                    return
            elif isinstance(step, Close):
                await self.close()
                return
            elif isinstance(step, Reset):
                await self.reset()
                return
            else:
                raise TypeError(f"not a stream step: {step!r}")
        await self._end()
