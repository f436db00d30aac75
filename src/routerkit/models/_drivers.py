"""The four call drivers: sync and async, whole answer and stream. They only move bytes and sleep.

Everything they decide is in `Call` (schedule, deadline, caps, error mapping) and in `wire` (parsing), so
the sync and async versions are the same few lines with and without `await`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol, TypeAlias, TypeVar

from ..wire._errors import APIError
from ..wire._events import ResponseCompleted, StreamEvent, TextDelta
from ..wire._response import ModelResponse
from ._call import Call, translate_errors
from ._http11 import Timeouts
from ._observe import chat

if TYPE_CHECKING:
    import httpx2

    from ._async_pools import AsyncSender
    from ._http11 import Pool

    #: What the sync drivers send through: a caller's own client, or the shared pool.
    SyncSender: TypeAlias = httpx2.Client | Pool

__all__ = ["afetch", "ainvoke", "ainvoke_stream", "fetch", "invoke", "invoke_stream", "read_body", "send"]

T = TypeVar("T")


def invoke(call: Call, client: SyncSender) -> ModelResponse:
    """One call; the finished response."""
    with chat(call):
        return fetch(call, client, call.read_json)


def fetch(call: Call, client: SyncSender, read: Callable[[Mapping[str, str], bytes], T]) -> T:
    """A whole (non-streamed) answer, sent, retried and capped as `call` says; `read` turns the headers and
    body of the 200 into the result (its errors are retried like the transport's)."""
    while True:
        try:
            # Read the body in chunks, not with `post`: a server trickling bytes resets the read timeout on
            # every chunk, and only a check between chunks keeps the call within its deadline and size cap.
            with translate_errors(call), send(call, client) as r:
                body = read_body(call, r)
            call.raise_for_status(r.status_code, r.headers, body)
            return read(r.headers, body)
        except APIError as exc:
            time.sleep(call.backoff(exc))


async def afetch(call: Call, client: AsyncSender, read: Callable[[Mapping[str, str], bytes], T]) -> T:
    """`fetch`, async."""
    while True:
        try:
            with translate_errors(call):
                async with _asend(call, client) as r:
                    body = await aread_body(call, r)
            call.raise_for_status(r.status_code, r.headers, body)
            return read(r.headers, body)
        except APIError as exc:
            await _sleep(call.backoff(exc))


def invoke_stream(prepare: Callable[[], Call], client_of: Callable[[], SyncSender]) -> Iterator[StreamEvent]:
    """One streamed call; events as they arrive. Closing the iterator closes the connection.

    The call is prepared on the first event asked for: a stream that is never iterated does nothing.
    """
    call, client = prepare(), client_of()
    with chat(call):
        while True:
            stream = None
            try:
                with translate_errors(call), send(call, client) as r:
                    if not _is_stream(r.status_code, r.headers):
                        yield from _json_events(call, r.status_code, r.headers, read_body(call, r))
                        return
                    stream = call.new_stream(r.headers)
                    with translate_errors(call, stream):
                        for chunk in r.iter_bytes():
                            events = stream.feed(chunk)
                            call.tell_fallback(stream)  # before the events: the answer may be in this chunk
                            yield from events
                            call.check_deadline(stream)
                        yield from stream.close()
                return
            except APIError as exc:
                time.sleep(call.backoff(exc, stream))


async def ainvoke(call: Call, client: AsyncSender) -> ModelResponse:
    """`invoke`, async."""
    with chat(call):
        return await afetch(call, client, call.read_json)


async def ainvoke_stream(
    prepare: Callable[[], Call], client_of: Callable[[], AsyncSender]
) -> AsyncGenerator[StreamEvent]:
    """`invoke_stream`, async."""
    call, client = prepare(), client_of()
    with chat(call):
        while True:
            stream = None
            try:
                with translate_errors(call):
                    async with _asend(call, client) as r:
                        if not _is_stream(r.status_code, r.headers):
                            for event in _json_events(call, r.status_code, r.headers, await aread_body(call, r)):
                                yield event
                            return
                        stream = call.new_stream(r.headers)
                        with translate_errors(call, stream):
                            async for chunk in r.aiter_bytes():
                                events = stream.feed(chunk)
                                call.tell_fallback(stream)  # before the events: the answer may be in this chunk
                                for event in events:
                                    yield event
                                call.check_deadline(stream)
                            for event in stream.close():
                                yield event
                return
            except APIError as exc:
                await _sleep(call.backoff(exc, stream))


class _Body(Protocol):
    """What `read_body` reads: a response of httpx2's or of the sync pool's."""

    status_code: int

    @property
    def headers(self) -> Mapping[str, str]: ...

    def iter_bytes(self) -> Iterator[bytes]: ...


def read_body(call: Call, r: _Body) -> bytes:
    """The body, within the call's deadline and size caps (see `BodyReader`)."""
    reader = call.body_reader(r.status_code, r.headers)
    for chunk in r.iter_bytes():
        if not reader.add(chunk):
            break
    return reader.body()


async def aread_body(call: Call, r: httpx2.Response) -> bytes:
    """`read_body`, async."""
    reader = call.body_reader(r.status_code, r.headers)
    async for chunk in r.aiter_bytes():
        if not reader.add(chunk):
            break
    return reader.body()


def send(call: Call, client: SyncSender) -> AbstractContextManager[_Body]:
    """The request, with the timeouts left to this attempt; the body is read by the caller."""
    content = call.payload or None
    return client.stream(call.method, call.url, content=content, headers=call.headers, timeout=call.timeout())


def _asend(call: Call, client: AsyncSender) -> AbstractAsyncContextManager[httpx2.Response]:
    content = call.payload or None
    return client.stream(
        call.method, call.url, content=content, headers=call.headers, timeout=_httpx2_timeout(call.timeout())
    )


@lru_cache(maxsize=64)
def _httpx2_timeout(timeouts: Timeouts) -> httpx2.Timeout:
    """httpx2's form of an attempt's timeouts, made once per setting: the async path sends thousands a second."""
    import httpx2

    connect, read, write, pool = timeouts
    return httpx2.Timeout(connect=connect, read=read, write=write, pool=pool)


def _is_stream(status: int, headers: Mapping[str, str]) -> bool:
    """Whether to parse the body as events: a 200 that is not JSON. Errors, redirects and a JSON 200 (an
    error object, or a whole answer from a server that does not stream) are read whole instead."""
    return status < 300 and not headers.get("content-type", "").startswith("application/json")


def _json_events(call: Call, status: int, headers: Mapping[str, str], body: bytes) -> list[StreamEvent]:
    """The events of a whole answer given where a stream was asked for; raises its error if it is one."""
    call.raise_for_status(status, headers, body)
    response = call.read_json(headers, body)
    events: list[StreamEvent] = [TextDelta(response.text)] if response.text else []
    return [*events, ResponseCompleted(response)]


async def _sleep(seconds: float) -> None:
    import asyncio  # imported here: the sync path, and `import routerkit`, never need asyncio

    await asyncio.sleep(seconds)
