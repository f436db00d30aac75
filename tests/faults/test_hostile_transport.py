"""A hostile server, byte by byte: endless and trickled bodies, corrupt encodings, hostile JSON, stalls,
thousands of streams, closed event loops. Each case goes through the real client over loopback (the
emulator's scripted replies, or a tiny raw-socket server for what the emulator cannot send) and must end in
the right answer or a typed `routerkit.errors` error with its facts, within its time budget.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from routerkit.emulator import DONE, Pause, Reply, StreamReply
from routerkit.errors import (
    APIError,
    APITimeoutError,
    MalformedResponseError,
    ResponseFailedError,
    ResponseTooLargeError,
    ServerError,
    StreamInterruptedError,
)
from routerkit.models import list_models
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.wire._events import ResponseCompleted, TextDelta

from ..conftest import TEST_KEY
from ._replies import MODEL, created, delta, item_added, item_done, message, response
from .conftest import CaseRecord, fd_count

pytestmark = pytest.mark.timeout(60)

MODES = ("invoke", "invoke_stream", "ainvoke", "ainvoke_stream")
STREAMED = ("invoke_stream", "ainvoke_stream")
SLACK = 2.0  # seconds on top of a case's budget before it counts as a hang


def run(model: OpenRouterResponses, mode: str, prompt: Any = "hostile") -> tuple[list[Any], Any]:
    """(events, response) from one call in `mode`; raises what the call raises."""
    if mode == "invoke":
        return [], model.invoke(prompt)
    if mode == "ainvoke":
        return [], asyncio.run(model.ainvoke(prompt))
    if mode == "invoke_stream":
        events = list(model.invoke_stream(prompt))
    else:

        async def collect() -> list[Any]:
            return [e async for e in model.ainvoke_stream(prompt)]

        events = asyncio.run(collect())
    assert isinstance(events[-1], ResponseCompleted)
    return events, events[-1].response


def expect(record: CaseRecord, budget: float, call: Callable[[], Any], error: type[APIError] | None = None) -> Any:
    """Run `call`; it must raise `error` (or return, when None) within `budget` seconds."""
    record.hang = True  # until the call returns: a case killed by pytest-timeout counts as a hang
    started = time.monotonic()
    try:
        if error is None:
            result = call()
        else:
            with pytest.raises(error) as info:
                call()
            result = info.value
    finally:
        elapsed = time.monotonic() - started
        record.hang = elapsed > budget + SLACK
    assert not record.hang, f"took {elapsed:.1f}s; budget {budget}s"
    record.surfaced = True
    return result


class RawServer:
    """Serves every connection on 127.0.0.1 with `handler(conn)` after reading the request head and body."""

    def __init__(self, handler: Callable[[socket.socket], None]) -> None:
        self.handler = handler
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/api/v1"

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            try:
                _read_request(conn)
                self.handler(conn)
            except OSError:
                pass  # the client gave up: that is the point of most cases

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(v) for k, _, v in (h.partition(b":") for h in head.split(b"\r\n")) if k.lower() == b"content-length"), 0
    )
    while len(body) < length:
        body += conn.recv(65536)


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Callable[[socket.socket], None]) -> RawServer:
        servers.append(RawServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def model_at(base_url: str, **options: Any) -> OpenRouterResponses:
    settings = {"timeout": 5.0, "connect_timeout": 2.0, "stall_timeout": 2.0, "max_retries": 0, **options}
    return OpenRouterResponses(id=MODEL, base_url=base_url, api_key=TEST_KEY, **settings)


def endless_chunks(status: str, content_type: str, chunk: bytes) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        conn.sendall(
            f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\n\r\n".encode()
        )
        frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        while True:
            conn.sendall(frame)

    return handler


def fixed(
    status: str, body: bytes, headers: str = "content-type: application/json\r\n"
) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        conn.sendall(f"HTTP/1.1 {status}\r\n{headers}content-length: {len(body)}\r\n\r\n".encode() + body)

    return handler


# Bodies: capped, and read within the deadline.


@pytest.mark.parametrize("mode", MODES)
def test_endless_error_body_is_capped(mode: str, raw_server: Any, fault_record: CaseRecord) -> None:
    server = raw_server(endless_chunks("500 Internal Server Error", "text/plain", b"x" * 65536))
    exc = expect(fault_record, 5.0, lambda: run(model_at(server.base_url), mode), ServerError)
    assert exc.status == 500 and "non-JSON error body" in exc.message


@pytest.mark.parametrize("mode", MODES)
def test_trickled_error_body_is_read_within_the_deadline(mode: str, raw_server: Any, fault_record: CaseRecord) -> None:
    def trickle(conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        )
        while True:
            conn.sendall(b"1\r\n{\r\n")
            time.sleep(0.2)

    server = raw_server(trickle)
    exc = expect(fault_record, 1.5, lambda: run(model_at(server.base_url, timeout=1.5), mode), APITimeoutError)
    assert exc.status == 429 and "timeout=1.5s" in exc.message and "error body" in exc.message


@pytest.mark.parametrize("mode", ("invoke", "ainvoke"))
def test_endless_success_body_is_capped_with_the_limit_named(
    mode: str, raw_server: Any, fault_record: CaseRecord
) -> None:
    server = raw_server(endless_chunks("200 OK", "application/json", b"[" * 65536))
    model = model_at(server.base_url, max_response_bytes=1_000_000, max_retries=2)
    exc = expect(fault_record, 5.0, lambda: run(model, mode), ResponseTooLargeError)
    assert "max_response_bytes=1,000,000" in exc.message


@pytest.mark.parametrize("mode", ("invoke", "ainvoke"))
def test_announced_oversize_body_is_refused_before_reading(
    mode: str, raw_server: Any, fault_record: CaseRecord
) -> None:
    def huge(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 99999999999\r\n\r\n{")
        time.sleep(3)

    server = raw_server(huge)
    exc = expect(fault_record, 1.0, lambda: run(model_at(server.base_url), mode), ResponseTooLargeError)
    assert "99,999,999,999-byte body was announced" in exc.message


def test_endless_model_list_is_capped(raw_server: Any, fault_record: CaseRecord) -> None:
    server = raw_server(endless_chunks("200 OK", "application/json", b" " * 65536))
    exc = expect(fault_record, 10.0, lambda: list_models(base_url=server.base_url, timeout=10), ResponseTooLargeError)
    assert "max_response_bytes" in exc.message


# Hostile encodings and JSON: typed errors, never raw ones.


@pytest.mark.parametrize("mode", MODES)
def test_corrupt_gzip_body_is_a_typed_error(mode: str, raw_server: Any, fault_record: CaseRecord) -> None:
    body = gzip.compress(json.dumps(response([message("hi")])).encode())[:20] + b"garbage" * 50
    content_type = "application/json" if mode in ("invoke", "ainvoke") else "text/event-stream"
    server = raw_server(fixed("200 OK", body, f"content-type: {content_type}\r\ncontent-encoding: gzip\r\n"))
    exc = expect(fault_record, 5.0, lambda: run(model_at(server.base_url), mode), StreamInterruptedError)
    assert "could not be decoded" in exc.message


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("mode", MODES)
def test_deeply_nested_error_body_is_a_typed_error(mode: str, emu: Any, fault_record: CaseRecord) -> None:
    emu.enqueue(Reply(status=500, body=DEEP, headers={"content-type": "application/json"}))
    exc = expect(fault_record, 5.0, lambda: run(model_at(emu.base_url), mode), ServerError)
    assert exc.status == 500


@pytest.mark.parametrize("mode", ("invoke", "ainvoke"))
def test_deeply_nested_success_body_is_a_typed_error(mode: str, emu: Any, fault_record: CaseRecord) -> None:
    emu.enqueue(Reply(status=200, body=DEEP, headers={"content-type": "application/json"}))
    exc = expect(fault_record, 5.0, lambda: run(model_at(emu.base_url), mode), StreamInterruptedError)
    assert "not JSON" in exc.message


@pytest.mark.parametrize("mode", STREAMED)
def test_deeply_nested_stream_event_is_a_typed_error(mode: str, emu: Any, fault_record: CaseRecord) -> None:
    emu.enqueue(StreamReply([created(), delta("partial"), b"data: " + DEEP + b"\n\n", DONE]))
    exc = expect(fault_record, 5.0, lambda: run(model_at(emu.base_url), mode), StreamInterruptedError)
    assert exc.partial_text == "partial"


def test_deeply_nested_model_list_is_a_typed_error(raw_server: Any, fault_record: CaseRecord) -> None:
    server = raw_server(fixed("200 OK", DEEP))
    exc = expect(fault_record, 5.0, lambda: list_models(base_url=server.base_url), StreamInterruptedError)
    assert "not JSON" in exc.message


# What a 200 says, read once and reported as what it is.


@pytest.mark.parametrize("mode", STREAMED)
def test_json_error_body_to_a_stream_request_keeps_openrouters_message(
    mode: str, emu: Any, fault_record: CaseRecord
) -> None:
    body = {"error": {"code": 502, "message": "Provider returned error: upstream overloaded"}}
    emu.enqueue(Reply(status=200, body=body), Reply(status=200, body=body), Reply(status=200, body=body))
    exc = expect(fault_record, 5.0, lambda: run(model_at(emu.base_url, max_retries=2), mode), ResponseFailedError)
    assert exc.message == "Provider returned error: upstream overloaded"
    assert len(emu.requests) == 1


@pytest.mark.parametrize("mode", STREAMED)
def test_json_answer_to_a_stream_request_is_delivered(mode: str, emu: Any, fault_record: CaseRecord) -> None:
    emu.enqueue(Reply(status=200, body=response([message("whole answer")])))
    events, answer = expect(fault_record, 5.0, lambda: run(model_at(emu.base_url), mode))
    assert answer.text == "whole answer" and events[0] == TextDelta("whole answer")


MALFORMED_OPTIONALS = [
    {"incomplete_details": "n/a"},
    {"usage": {"input_tokens": "5", "cost": {"amount": 1}}},
    {"model": 12345, "id": 678},
    {"openrouter_metadata": "yes", "status": 7},
]


@pytest.mark.parametrize("mode", ("invoke", "ainvoke"))
@pytest.mark.parametrize("extra", MALFORMED_OPTIONALS, ids=lambda e: ",".join(e))
def test_answer_with_malformed_optional_fields_is_returned_once(
    mode: str, extra: dict[str, Any], emu: Any, fault_record: CaseRecord
) -> None:
    body = {**response([{"type": "message", "role": "assistant", "content": ["as a string"]}]), **extra}
    emu.enqueue(*[Reply(status=200, body=body)] * 3)
    _, answer = expect(fault_record, 5.0, lambda: run(model_at(emu.base_url, max_retries=2), mode))
    assert answer.text == "as a string"
    assert len(emu.requests) == 1  # never asked (and paid for) again
    assert answer.model is None or isinstance(answer.model, str)
    assert answer.usage.cost is None or isinstance(answer.usage.cost, float)


@pytest.mark.parametrize("mode", ("invoke", "ainvoke"))
def test_unreadable_json_answer_is_not_requested_again(mode: str, emu: Any, fault_record: CaseRecord) -> None:
    call = {"type": "function_call", "call_id": "c1", "name": ["not", "a", "name"], "arguments": "{}"}
    emu.enqueue(*[Reply(status=200, body=response([call]))] * 3)
    exc = expect(fault_record, 5.0, lambda: run(model_at(emu.base_url, max_retries=2), mode), MalformedResponseError)
    assert "function name" in exc.message and len(emu.requests) == 1


@pytest.mark.parametrize("mode", STREAMED)
def test_hostile_values_after_the_answer_streamed_do_not_raise(mode: str, emu: Any, fault_record: CaseRecord) -> None:
    item = message("ok \ufffd")
    done = (
        b'data: {"type":"response.completed","response":{"id":99,"model":7,"status":"completed","output":[],'
        b'"usage":{"input_tokens":"5","output_tokens":NaN,"cost":Infinity},"extra":[NaN]}}\n\n'
    )
    emu.enqueue(
        StreamReply(
            [
                created(),
                item_added(0, {**item, "content": []}),
                b'data: {"type":"response.output_text.delta","output_index":0,"delta":"ok \\ud800"}\n\n',
                item_done(0, item),
                done,
                DONE,
            ]
        )
    )
    events, answer = expect(fault_record, 5.0, lambda: run(model_at(emu.base_url), mode))
    assert events[0] == TextDelta("ok \ufffd")
    assert answer.text == "ok \ufffd" and answer.model == "7" and answer.id == "99"
    assert answer.usage.input_tokens is None and answer.usage.output_tokens is None and answer.usage.cost is None
    assert answer.fallback_used is True  # "7" is not the model asked for, and comparing it does not raise


# Stalls and concurrency.


@pytest.mark.parametrize("mode", STREAMED)
def test_stall_mid_stream_is_reported_as_a_stall(mode: str, emu: Any, fault_record: CaseRecord) -> None:
    emu.enqueue(StreamReply([created(), delta("so far"), Pause(3.0), DONE]))
    model = OpenRouterResponses(id=MODEL, base_url=emu.base_url, api_key=TEST_KEY, stall_timeout=0.5)
    exc = expect(fault_record, 1.0, lambda: run(model, mode), APITimeoutError)
    assert "stall_timeout=0.5s" in exc.message and exc.partial_text == "so far"


def test_hundreds_of_concurrent_streams_are_not_queued_behind_a_pool_limit(emu: Any, fault_record: CaseRecord) -> None:
    # Each stream holds its connection longer than connect_timeout: with a pool of 100 (httpx2's default) the
    # other 200 would wait for a slot and fail.
    count = 300
    emu.enqueue(*[StreamReply([created(), Pause(6.0), delta("x"), item_done(0, message("x")), DONE])] * count)
    model = model_at(emu.base_url, connect_timeout=4.0, stall_timeout=10.0, timeout=30.0)

    async def one() -> str:
        events = [e async for e in model.ainvoke_stream("hi")]
        return events[-1].response.text

    async def many() -> list[Any]:
        return await asyncio.gather(*[one() for _ in range(count)], return_exceptions=True)

    results = expect(fault_record, 30.0, lambda: asyncio.run(many()))
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, f"{len(failures)} of {count} failed, first: {failures[0]!r}"
    assert results == ["x"] * count


def test_a_pool_wait_is_reported_as_a_pool_wait(emu: Any, fault_record: CaseRecord) -> None:
    import httpx2

    emu.enqueue(*[StreamReply([created(), Pause(2.0), delta("x"), item_done(0, message("x")), DONE])] * 2)

    async def both() -> list[Any]:
        async with httpx2.AsyncClient(limits=httpx2.Limits(max_connections=1)) as client:
            model = model_at(emu.base_url, connect_timeout=0.5, stall_timeout=5.0, async_http_client=client)

            async def one() -> Any:
                return [e async for e in model.ainvoke_stream("hi")]

            return await asyncio.gather(one(), one(), return_exceptions=True)

    results = expect(fault_record, 5.0, lambda: asyncio.run(both()))
    waits = [r for r in results if isinstance(r, APITimeoutError)]
    assert len(waits) == 1 and "no free connection in the client's pool" in waits[0].message


def test_loops_closed_without_shutdown_leave_no_sockets(emu: Any, fault_record: CaseRecord) -> None:
    model = model_at(emu.base_url)

    def one_loop() -> None:
        loop = asyncio.new_event_loop()
        try:
            assert loop.run_until_complete(model.ainvoke("hi")).text
        finally:
            loop.close()

    one_loop()  # warm-up: the emulator's own descriptors settle
    before = fd_count()
    expect(fault_record, 30.0, lambda: [one_loop() for _ in range(60)])
    assert fd_count() <= before + 8, f"descriptors grew from {before} to {fd_count()}"
