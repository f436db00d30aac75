"""Key and URL hygiene, and inputs refused before any request: a pasted key with a trailing newline works,
a key or URL that would leak is refused without being repeated, and no transport failure carries httpx2's
frames (whose locals hold the Authorization header) in its exception chain."""

from __future__ import annotations

import asyncio
import logging
import pickle
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from routerkit.emulator import Pause, Reset, StreamReply
from routerkit.errors import APIError, UsageError
from routerkit.models.openrouter import OpenRouterResponses

from ..faults._replies import created, delta
from .test_secrets import _closed_port_url

CANARY = "sk-or-v1-CANARY-0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def _model(base_url: str, **kwargs: Any) -> OpenRouterResponses:
    settings: dict[str, Any] = {"timeout": 5.0, "stall_timeout": 0.5, "max_retries": 0, "api_key": CANARY, **kwargs}
    return OpenRouterResponses(id="emulator/echo", base_url=base_url, **settings)


@pytest.mark.parametrize("padding", ["\n", "\r\n", "\t", "  ", " \n"])
@pytest.mark.parametrize("source", ["argument", "environment"])
def test_key_with_surrounding_whitespace_is_stripped(
    padding: str, source: str, emu: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if source == "argument":
        model = _model(emu.base_url, api_key=CANARY + padding)
    else:
        monkeypatch.setenv("OPENROUTER_API_KEY", padding + CANARY + padding)
        model = _model(emu.base_url, api_key=None)
    assert model.invoke("hi").text
    assert emu.requests[-1].headers["authorization"] == f"Bearer {CANARY}"


@pytest.mark.parametrize("bad", ["sk-or\nv1-abc", "sk-or-v1-ab\x7fc", "sk-or-v1-äbc", "sk-or-v1-abc\u2028x"])
@pytest.mark.parametrize("source", ["argument", "environment"])
def test_key_with_characters_a_header_cannot_carry_is_refused_unquoted(
    bad: str, source: str, emu: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UsageError) as info:
        if source == "argument":
            _model(emu.base_url, api_key=bad)
        else:
            monkeypatch.setenv("OPENROUTER_API_KEY", bad)
            _model(emu.base_url, api_key=None).invoke("hi")
    assert "position" in str(info.value)
    assert bad not in str(info.value) and "abc" not in str(info.value)
    assert emu.requests == []


def test_extra_header_values_that_cannot_be_sent_are_refused_unquoted() -> None:
    with pytest.raises(UsageError, match=r"extra_headers\['X-Token'\]") as info:
        _model("http://127.0.0.1:1/api/v1", extra_headers={"X-Token": CANARY + "\nX-Evil: 1"})
    assert CANARY not in str(info.value)


def test_userinfo_in_base_url_is_refused_and_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for url in (
        "http://user:hunter2pw@127.0.0.1:9/api/v1",
        "https://hunter2pw@openrouter.ai/api/v1",
        "http:hunter2pw@x",
    ):
        with pytest.raises(UsageError, match="user name or password") as info:
            _model(url)
        assert "hunter2pw" not in str(info.value) and "hunter2pw" not in repr(info.value)
        assert "hunter2pw" not in pickle.dumps(info.value).decode("latin-1")
    assert "hunter2pw" not in caplog.text


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://127.0.0.1:abc/api/v1", "port"),
        ("http://127.0.0.1:99999/api/v1", "port"),
        ("https://openrouter.ai/api/v1?x=1", "query"),
        ("https://openrouter.ai/api/v1#top", "fragment"),
        ("ftp://openrouter.ai/api/v1", "http(s) URL"),
    ],
)
def test_base_url_that_cannot_be_a_base_is_refused(url: str, fragment: str) -> None:
    with pytest.raises(UsageError, match="base_url") as info:
        _model(url)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("timeout", "5"),
        ("timeout", float("nan")),
        ("timeout", float("inf")),
        ("timeout", 0),
        ("connect_timeout", None),
        ("connect_timeout", float("nan")),
        ("stall_timeout", -1),
        ("stall_timeout", True),
        ("max_response_bytes", 0),
    ],
)
def test_timeouts_and_limits_must_be_positive_finite_numbers(setting: str, value: Any) -> None:
    with pytest.raises(UsageError, match=setting):
        _model("http://127.0.0.1:1/api/v1", **{setting: value})


class Opaque:
    pass


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("input", [{"role": "user", "content": Opaque()}]),
        ("input", [{"role": "user", "content": float("nan")}]),
        ("input", [{"role": "user", "content": b"bytes"}]),
        ("input", [{"role": "user", "content": {"a", "set"}}]),
        ("input", [{"role": "user", "content": [{1: "non-text key"}]}]),
        ("extra_body", {"x": Opaque()}),
        ("extra_body", {"x": [float("inf")]}),
        ("metadata", {"k": b"v"}),
    ],
)
def test_values_json_cannot_carry_are_refused_before_any_request(where: str, value: Any, emu: Any) -> None:
    with pytest.raises(UsageError, match=rf"^{where}"):
        if where == "input":
            _model(emu.base_url).invoke(value)
        else:
            _model(emu.base_url, **{where: value}).invoke("hi")
    assert emu.requests == []


def test_lone_surrogates_in_what_is_sent_become_replacement_characters(emu: Any) -> None:
    model = _model(emu.base_url)
    model.invoke([{"role": "user", "content": "bad \ud800 text"}], instructions="also \udfff here")
    sent = emu.requests[-1].body
    assert sent["input"][0]["content"] == "bad \ufffd text" and sent["instructions"] == "also \ufffd here"


# Transport failures: the raised error has no chain to httpx2's frames, whatever failed.


@pytest.fixture
def silent_server() -> Iterator[Callable[[bytes], str]]:
    """A server that accepts, reads, then sends `reply` (maybe nothing) and holds the connection open."""
    sockets: list[socket.socket] = []
    stop = threading.Event()

    def start(reply: bytes) -> str:
        server = socket.create_server(("127.0.0.1", 0))
        sockets.append(server)

        def serve() -> None:
            conn, _ = server.accept()
            sockets.append(conn)
            conn.recv(65536)
            if reply:
                conn.sendall(reply)
            stop.wait(5)

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{server.getsockname()[1]}/api/v1"

    yield start
    stop.set()
    for sock in sockets:
        sock.close()


FAILURES = ["refused", "reset", "stall-before-headers", "garbage-status-line", "closed-mid-stream", "deadline"]


def _failing_url(kind: str, emu: Any, silent_server: Callable[[bytes], str]) -> str:
    if kind == "refused":
        return _closed_port_url()
    if kind == "reset":
        emu.enqueue(Reset())
    elif kind == "closed-mid-stream":
        emu.enqueue(StreamReply([created(), delta("partial"), Reset()]))
    elif kind == "stall-before-headers":
        return silent_server(b"")
    elif kind == "garbage-status-line":
        return silent_server(b"NOT HTTP AT ALL\r\n\r\n")
    elif kind == "deadline":
        emu.enqueue(StreamReply([created(), Pause(0.3), delta("a"), Pause(0.3), delta("b"), Pause(0.3)]))
    return str(emu.base_url)


@pytest.mark.parametrize("mode", ["invoke", "invoke_stream", "ainvoke", "ainvoke_stream"])
@pytest.mark.parametrize("kind", FAILURES)
def test_transport_failures_carry_no_chain_with_the_key(
    kind: str, mode: str, emu: Any, silent_server: Callable[[bytes], str]
) -> None:
    model = _model(_failing_url(kind, emu, silent_server), timeout=0.7 if kind == "deadline" else 5.0)

    async def consume() -> None:
        if mode == "ainvoke":
            await model.ainvoke("hi")
        else:
            async for _ in model.ainvoke_stream("hi"):
                pass

    with pytest.raises(APIError) as info:
        if mode == "invoke":
            model.invoke("hi")
        elif mode == "invoke_stream":
            list(model.invoke_stream("hi"))
        else:
            asyncio.run(consume())
    exc = info.value
    assert exc.__cause__ is None and exc.__context__ is None
    shown = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    assert CANARY not in shown and CANARY[9:] not in shown
    assert CANARY not in str(exc) and CANARY not in repr(exc)
