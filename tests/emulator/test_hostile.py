"""Hostile requests get OpenRouter's 4xx with a JSON body (never a 500 or a crash), and the emulator serves on."""

from __future__ import annotations

import socket
import threading

import httpx2
import pytest

from routerkit.emulator import Emulator
from routerkit.emulator._listener import Listener
from routerkit.emulator._request import MAX_BODY_BYTES, MAX_DEPTH

from .helpers import AUTH


def _still_serves(client: httpx2.Client) -> None:
    r = client.post("/responses", json={"model": "emulator/echo", "input": "still here"})
    assert r.status_code == 200 and r.json()["output_text"] == "still here"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"model":"emulator/echo","input":' + b"[" * 100_000 + b"]" * 100_000 + b"}",  # past the recursion limit
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"model":"emulator/echo","input":"x","metadata":' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}",
    ],
    ids=["deep-input", "deep-objects", "just-past-the-limit"],
)
def test_deeply_nested_json_is_a_400_invalid_prompt(emu: Emulator, client: httpx2.Client, raw: bytes) -> None:
    r = client.post("/responses", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400
    err = r.json()
    assert err["error"]["code"] == "invalid_prompt" and "nested" in err["error"]["message"]
    assert emu.requests[-1].raw == raw  # recorded as received
    _still_serves(client)


def test_nesting_within_the_limit_is_served(client: httpx2.Client) -> None:
    depth = MAX_DEPTH - 3
    metadata = b"[" * depth + b"]" * depth
    raw = b'{"model":"emulator/echo","input":"ok","metadata":{"deep":' + metadata + b"}}"
    r = client.post("/responses", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["output_text"] == "ok"


def test_oversized_body_is_a_413_with_a_json_body(client: httpx2.Client) -> None:
    raw = b'{"model":"emulator/echo","input":"' + b"x" * (MAX_BODY_BYTES + 1) + b'"}'
    r = client.post("/responses", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"error": {"code": 413, "message": "Payload too large"}}
    _still_serves(client)


def test_oversized_chunked_body_is_refused_without_reading_it_all(client: httpx2.Client) -> None:
    """No content-length: the cap applies while reading, so memory stays bounded."""
    piece = b"x" * (1024 * 1024)

    def body():  # type: ignore[no-untyped-def]
        yield b'{"model":"emulator/echo","input":"'
        for _ in range(MAX_BODY_BYTES // len(piece) + 2):
            yield piece
        yield b'"}'

    r = client.post("/responses", content=body(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    _still_serves(client)


def test_unresolvable_schema_ref_still_calls_the_tool(client: httpx2.Client) -> None:
    tool = {"type": "function", "name": "f", "parameters": {"type": "object", "properties": {"a": {"$ref": "#/nope"}}}}
    r = client.post("/responses", json={"model": "emulator/tool", "input": "x", "tools": [tool]})
    assert r.status_code == 200
    [call] = r.json()["output"]
    assert call["type"] == "function_call" and call["name"] == "f"


def test_stop_with_a_non_streamed_hang_open() -> None:
    """`emulator/stall` without streaming never answers; stopping the emulator must not wait for it."""
    emu = Emulator().start()
    errors: list[BaseException] = []
    sent = threading.Event()

    def hold() -> None:
        try:
            with httpx2.Client(headers=AUTH, timeout=60) as c:
                sent.set()
                c.post(f"{emu.base_url}/responses", json={"model": "emulator/stall", "input": "x"})
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    assert sent.wait(5)
    while not emu.requests:
        t.join(0.01)
    emu.stop()
    t.join(10)
    assert not t.is_alive()
    assert errors and isinstance(errors[0], httpx2.TransportError)


def test_accepted_connections_have_nagle_off() -> None:
    """Benchmarks depend on it: with Nagle on, each reply's body waits for the client's delayed ACK."""
    with Listener("127.0.0.1", 0) as listener:
        listener.setblocking(True)
        with socket.create_connection(listener.getsockname()[:2]) as client:
            conn, _addr = listener.accept()
            with conn:
                assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
                assert listener.connection(client.getsockname()) is conn
                assert listener.connection(("127.0.0.1", 1)) is None
