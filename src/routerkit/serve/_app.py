"""`routerkit serve`'s ASGI app: an agent behind `POST /v1/responses`, `GET /v1/models`, and the chat page.

Built on the emulator's connection handling (`ConnectionsApp`, `Conn`) and SSE framing, so the two servers
share one stack: OpenRouter-style frames (`data:` lines, `: OPENROUTER PROCESSING` keep-alives, `[DONE]`).
Each request runs on a shallow copy of the agent whose `session_id` is the request's conversation, so
requests for different conversations run concurrently on one agent's tools and store.
"""

from __future__ import annotations

import asyncio
import copy
import hmac
import importlib.resources
import json
import re
import uuid
from collections import OrderedDict
from typing import Any

from ..agent import Agent
from ..console import items_text
from ..emulator._app import Conn, ConnectionsApp
from ..emulator._framing import DONE_FRAME, KEEPALIVE, encode_event
from ..emulator._outcomes import HttpReply
from ..emulator._request import MAX_BODY_BYTES
from ..errors import APIError, UsageError
from ._responses import SERVER_LABEL, ResponseBuilder

__all__ = ["ServeApp"]

_JSON = [(b"content-type", b"application/json")]
_SSE = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
_CONVERSATION = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: Response ids remembered for `previous_response_id`, newest last; the oldest are forgotten past this.
_REMEMBERED = 10_000
KEEPALIVE_EVERY_S = 10.0


class ServeApp(ConnectionsApp):
    """The ASGI app; `key`, when set, is required as `Authorization: Bearer <key>` on every `/v1` route."""

    def __init__(self, agent: Agent, *, name: str = "agent", key: str | None = None) -> None:
        super().__init__()
        self.agent = agent
        self.name = name
        self._key = key.encode() if key else None
        self._sessions: OrderedDict[str, str] = OrderedDict()

    async def _route(self, conn: Conn, scope: dict[str, Any], headers: dict[str, str]) -> None:
        path, method = scope["path"], scope["method"]
        raw = await conn.read_body(MAX_BODY_BYTES)
        if conn.gone.is_set():
            return
        if raw is None:
            await conn.reply(_error(413, f"the request body exceeds {MAX_BODY_BYTES:,} bytes"))
            return
        if method == "GET" and path in ("/", "/index.html"):
            await conn.reply(HttpReply(200, [(b"content-type", b"text/html; charset=utf-8")], _page()))
            return
        if not path.startswith("/v1/"):
            await conn.reply(_error(404, "not found"))
            return
        if not self._authorized(headers):
            await conn.reply(_error(401, "missing or wrong API key: send Authorization: Bearer <key>"))
            return
        if path == "/v1/responses" and method == "POST":
            await self._responses(conn, raw)
        elif path == "/v1/models" and method == "GET":
            model = {"id": self.name, "object": "model", "created": 0, "owned_by": SERVER_LABEL}
            await conn.reply(_json(200, {"object": "list", "data": [model]}))
        elif path == "/v1/sessions" and method == "GET":
            await conn.reply(_json(200, {"data": await asyncio.to_thread(self._list_sessions)}))
        elif path.startswith("/v1/sessions/") and method == "GET":
            session = path[len("/v1/sessions/") :]
            if not _CONVERSATION.fullmatch(session):
                await conn.reply(_error(404, "no such session"))
                return
            await conn.reply(_json(200, {"id": session, "runs": await self._runs(session)}))
        else:
            await conn.reply(_error(404, "not found"))

    def _authorized(self, headers: dict[str, str]) -> bool:
        if self._key is None:
            return True
        given = headers.get("authorization", "")
        token = given[7:].strip() if given[:7].lower() == "bearer " else ""
        return hmac.compare_digest(token.encode("utf-8", "surrogateescape"), self._key)

    # POST /v1/responses

    async def _responses(self, conn: Conn, raw: bytes) -> None:
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            await conn.reply(_error(400, "the body is not JSON"))
            return
        request = _parse_request(body, self._sessions)
        if isinstance(request, HttpReply):
            await conn.reply(request)
            return
        conversation, items, stream, continued = request
        agent = copy.copy(self.agent)
        agent.session_id = conversation
        agent.add_history_to_context = agent.add_history_to_context or continued
        builder = ResponseBuilder(agent.model.id, conversation)
        self._remember(builder.id, conversation)
        try:
            events = agent.arun(items, stream=True, stream_events=True)
        except UsageError as exc:
            await conn.reply(_error(400, str(exc), param="input"))
            return
        if stream:
            await self._stream(conn, builder, events)
            return
        try:
            async for event in events:
                builder.events(event)
        except Exception as exc:
            error = builder.error or {"code": "server_error", "message": type(exc).__name__}
            await conn.reply(_json(502 if isinstance(exc, APIError) else 500, {"error": error}))
            return
        await conn.reply(_json(200, builder.response("completed")))

    async def _stream(self, conn: Conn, builder: ResponseBuilder, events: Any) -> None:
        await conn.send({"type": "http.response.start", "status": 200, "headers": _SSE})
        conn.watch()
        await _send(conn, KEEPALIVE + b"".join(encode_event(e) for e in builder.start()))
        iterator = events.__aiter__()
        pending: asyncio.Future[Any] | None = None
        try:
            while not conn.gone.is_set():
                pending = pending or asyncio.ensure_future(iterator.__anext__())
                done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_EVERY_S)
                if not done:
                    await _send(conn, KEEPALIVE)  # a slow tool or model: tell the client the stream is alive
                    continue
                step, pending = pending, None
                try:
                    event = step.result()
                except StopAsyncIteration:
                    break
                except Exception as exc:
                    if builder.error is None:  # raised before the run could report it (its store failed...)
                        await _send(conn, b"".join(encode_event(e) for e in builder.failed(type(exc).__name__)))
                    break
                await _send(conn, b"".join(encode_event(e) for e in builder.events(event)))
            else:
                return  # the client left: the finally below ends the run (it is stored as interrupted)
            await conn.send({"type": "http.response.body", "body": DONE_FRAME, "more_body": False})
        finally:
            if pending is not None:
                pending.cancel()
            await iterator.aclose()

    def _remember(self, response_id: str, conversation: str) -> None:
        self._sessions[response_id] = conversation
        while len(self._sessions) > _REMEMBERED:
            self._sessions.popitem(last=False)

    # Sessions, for the chat page

    def _list_sessions(self) -> list[dict[str, Any]]:
        store = self.agent.db
        assert store is not None  # the agent always has a store (in memory by default)
        return [
            {"id": s.session_id, "title": s.title, "runs": s.runs, "updated_at": s.updated_at, "cost": s.total_cost}
            for s in store.list_sessions()
        ]

    async def _runs(self, session: str) -> list[dict[str, Any]]:
        store = self.agent.db
        assert store is not None
        runs = await store.aget_runs(session, statuses=("completed", "interrupted", "error"))
        return [
            {
                "input": items_text(run.input_items),
                "content": run.content,
                "model": run.model,
                "status": run.status,
                "metrics": run.metrics,
                "tools": [
                    {"name": i.get("name"), "arguments": i.get("arguments")}
                    for i in run.output_items
                    if i.get("type") == "function_call"
                ],
            }
            for run in runs
        ]


def _parse_request(
    body: Any, sessions: OrderedDict[str, str]
) -> tuple[str, str | list[dict[str, Any]], bool, bool] | HttpReply:
    """(conversation, input, stream, continued) of a request, or the 400 answer naming what is wrong."""
    if not isinstance(body, dict):
        return _error(400, "the body must be a JSON object")
    items = body.get("input")
    if isinstance(items, list):
        items = [i for i in items if not (isinstance(i, dict) and i.get("type") == "mcp_call")]
    if not (isinstance(items, str) and items) and not (isinstance(items, list) and items):
        return _error(400, "input must be a non-empty string or a list of input items", param="input")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        return _error(400, "stream must be true or false", param="stream")
    conversation = body.get("conversation")
    if isinstance(conversation, dict):
        conversation = conversation.get("id")
    previous = body.get("previous_response_id")
    if conversation is None and previous is not None:
        conversation = sessions.get(previous) if isinstance(previous, str) else None
        if conversation is None:
            return _error(400, f"previous_response_id {str(previous)[:80]!r} is unknown", param="previous_response_id")
    if conversation is None:
        return (f"conv_{uuid.uuid4().hex}", items, stream, False)
    if not isinstance(conversation, str) or not _CONVERSATION.fullmatch(conversation):
        return _error(400, "conversation must be an id of 1-128 letters, digits and ._:- characters", "conversation")
    return (conversation, items, stream, True)


async def _send(conn: Conn, data: bytes) -> None:
    if data:
        await conn.send({"type": "http.response.body", "body": data, "more_body": True})


def _json(status: int, payload: Any) -> HttpReply:
    return HttpReply(status, _JSON, json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())


def _error(status: int, message: str, param: str | None = None) -> HttpReply:
    kind = "authentication_error" if status == 401 else "invalid_request_error"
    return _json(status, {"error": {"message": message, "type": kind, "param": param, "code": status}})


_PAGE: bytes | None = None


def _page() -> bytes:
    global _PAGE
    if _PAGE is None:
        _PAGE = importlib.resources.files(__package__).joinpath("static/index.html").read_bytes()
    return _PAGE
