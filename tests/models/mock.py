"""A scripted `httpx2.MockTransport` server for the model tests: replies in order, requests recorded."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx2

__all__ = ["Body", "Server", "json_reply", "sse_reply"]

Reply = Callable[[httpx2.Request], httpx2.Response]

# Taken now, so a test that replaces the drivers' sleeps does not also skip the pauses a body makes.
_sleep = time.sleep
_async_sleep = asyncio.sleep


class Body(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A response body sent in `chunks`; optionally pauses before chunk `pause_before`, and raises `error`
    (an httpx2 transport exception) after the last chunk, as a connection that breaks mid-stream does."""

    def __init__(
        self,
        chunks: list[bytes],
        *,
        error: Exception | None = None,
        pause: float = 0.0,
        pause_before: int = 1,
    ) -> None:
        self.chunks = chunks
        self.error = error
        self.pause = pause
        self.pause_before = pause_before
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for i, chunk in enumerate(self.chunks):
            if self.pause and i == self.pause_before:
                _sleep(self.pause)
            self.sent += 1
            yield chunk
        if self.error is not None:
            raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i, chunk in enumerate(self.chunks):
            if self.pause and i == self.pause_before:
                await _async_sleep(self.pause)
            self.sent += 1
            yield chunk
        if self.error is not None:
            raise self.error


def sse_reply(
    body: bytes | list[bytes],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    error: Exception | None = None,
    pause: float = 0.0,
    pause_before: int = 1,
) -> Reply:
    chunks = body if isinstance(body, list) else [body]

    def reply(request: httpx2.Request) -> httpx2.Response:
        stream = Body(list(chunks), error=error, pause=pause, pause_before=pause_before)
        return httpx2.Response(status, headers={"content-type": "text/event-stream", **(headers or {})}, stream=stream)

    return reply


def json_reply(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    def reply(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, headers={"content-type": "application/json", **(headers or {})}, content=raw)

    return reply


def raise_reply(error: Exception) -> Reply:
    def reply(request: httpx2.Request) -> httpx2.Response:
        raise error

    return reply


class Server:
    """Serves `replies` in order (the last one repeats) and records every request it got."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        return reply(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    def async_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self))
