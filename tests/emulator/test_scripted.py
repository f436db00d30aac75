"""Scripted replies: plain replies, streams made of steps, and connection faults."""

from __future__ import annotations

import time

import httpx2
import pytest

from routerkit.emulator import DONE, Close, Emulator, Pause, Reply, Reset, StreamReply

from .helpers import sse_events


def test_reply_json_and_html(client: httpx2.Client, emu: Emulator) -> None:
    emu.enqueue(
        Reply(status=418, body={"error": {"code": 418, "message": "teapot"}}, headers={"X-Extra": "1"}),
        Reply(status=502, body="<html>bad gateway</html>", headers={"content-type": "text/html"}),
        Reply(status=200, body=b"\x00raw"),
    )
    r = client.post("/responses", json={"model": "emulator/echo", "input": "x"})
    assert r.status_code == 418 and r.json()["error"]["message"] == "teapot" and r.headers["x-extra"] == "1"
    r = client.post("/responses", json={"model": "emulator/echo", "input": "x"})
    assert r.status_code == 502 and r.headers["content-type"] == "text/html" and "bad gateway" in r.text
    assert client.post("/responses", json={}).content == b"\x00raw"
    r = client.post("/responses", json={"model": "emulator/echo", "input": "back to normal"})
    assert r.json()["output_text"] == "back to normal"
    assert len(emu.requests) == 4


def test_stream_steps_verbatim(client: httpx2.Client, emu: Emulator) -> None:
    euro = "€".encode()
    emu.enqueue(
        StreamReply(
            [
                ": comment\n\n",
                {"type": "response.output_text.delta", "delta": "a"},
                b"event: response.output_text.delta\n",
                {"type": "response.output_text.delta", "delta": "b", "sequence_number": 7},
                b"data: {broken json\n\n",
                b'data: {"type":"response.output_text.delta","delta":"' + euro[:1],
                Pause(0.01),
                euro[1:] + b'"}\n\n',
                {"type": "response.output_text.delta", "delta": "c"},
                DONE,
            ]
        )
    )
    with client.stream("POST", "/responses", json={"model": "emulator/echo", "input": "x", "stream": True}) as r:
        data = b"".join(r.iter_bytes())
    assert r.headers["content-type"] == "text/event-stream"
    assert data.startswith(b": comment\n\n")
    assert b"data: {broken json\n\n" in data and b"event: response.output_text.delta\n" in data
    assert "€".encode() in data and data.endswith(b"data: [DONE]\n\n")
    good = [e for e in sse_events(data.replace(b"data: {broken json\n\n", b""))]
    assert [e.get("sequence_number") for e in good] == [0, 7, None, 8]


def test_openai_framing_for_scripted_events(client: httpx2.Client, emu: Emulator) -> None:
    emu.enqueue(StreamReply([{"type": "response.created", "response": {}}]))
    with client.stream("POST", "/responses", json={"stream": True}, headers={"X-Emulator-Framing": "openai"}) as r:
        data = b"".join(r.iter_bytes())
    assert data.startswith(b"event: response.created\ndata: {")


def test_stream_close_mid_stream(client: httpx2.Client, emu: Emulator) -> None:
    emu.enqueue(StreamReply([{"type": "response.output_text.delta", "delta": "a"}, Close()]))
    got = b""
    with (
        pytest.raises(httpx2.RemoteProtocolError),
        client.stream("POST", "/responses", json={"stream": True}) as r,
    ):
        for chunk in r.iter_bytes():
            got += chunk
    assert b'"delta":"a"' in got


def test_stream_reset_mid_stream(client: httpx2.Client, emu: Emulator) -> None:
    emu.enqueue(StreamReply([{"type": "response.output_text.delta", "delta": "a"}, Pause(0.05), Reset()]))
    with (
        pytest.raises((httpx2.RemoteProtocolError, httpx2.ReadError)),
        client.stream("POST", "/responses", json={"stream": True}) as r,
    ):
        for _ in r.iter_bytes():
            pass


def test_reset_before_response(client: httpx2.Client, emu: Emulator) -> None:
    emu.enqueue(Reset())
    with pytest.raises((httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.ConnectError)):
        client.post("/responses", json={"model": "emulator/echo", "input": "x"})
    # the server is still fine afterwards
    assert client.post("/responses", json={"model": "emulator/echo", "input": "ok"}).status_code == 200


def test_pause_step_waits(client: httpx2.Client, emu: Emulator) -> None:
    emu.enqueue(StreamReply(["a\n\n", Pause(0.2), "b\n\n"]))
    start = time.monotonic()
    with client.stream("POST", "/responses", json={"stream": True}) as r:
        data = b"".join(r.iter_bytes())
    assert data == b"a\n\nb\n\n" and time.monotonic() - start >= 0.18


def test_scripted_is_fifo_and_only_for_responses(client: httpx2.Client, emu: Emulator) -> None:
    emu.enqueue(Reply(status=500, body={"n": 1}), Reply(status=501, body={"n": 2}))
    assert client.get("/models").status_code == 200
    assert client.post("/responses", json={}).json() == {"n": 1}
    assert client.post("/responses", json={}).json() == {"n": 2}
