"""The account calls (`generation`, `key`, `credits`, `user_models`) against a hostile server, sync and
async: they share the model call's request building and retry loop, so a broken answer ends in the same
typed errors with the facts — never a hang, an unbounded read or the API key in a message. The server is
the tiny raw-socket one of the transport fault tests (the emulator serves only well-formed account answers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from routerkit.errors import (
    APIError,
    MalformedResponseError,
    ResponseTooLargeError,
    ServerError,
    StreamInterruptedError,
)

from ..conftest import TEST_KEY
from ..faults.test_hostile_transport import RawServer, endless_chunks, fixed, model_at

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    """A raw-socket server answering every request with the handler the test is parametrized with."""
    raw = RawServer(request.param)
    yield raw
    raw.close()


def key(model: Any, asynchronous: bool) -> Any:
    return asyncio.run(model.akey()) if asynchronous else model.key()


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("server", "error", "words"),
    [
        (fixed("200 OK", b"<html>hello</html>", "content-type: text/html\r\n"), StreamInterruptedError, "not JSON"),
        (fixed("200 OK", b'{"dat": {}}'), MalformedResponseError, "has no 'data'"),
        (fixed("200 OK", b'{"data": [1, 2]}'), MalformedResponseError, "holds list where an object belongs"),
        (fixed("200 OK", b'{"data": NaN}'), MalformedResponseError, "holds NoneType where an object"),
        (fixed("500 Internal Server Error", b"<h1>down</h1>", "content-type: text/html\r\n"), ServerError, "500"),
        (
            endless_chunks("200 OK", "application/json", b'{"data": ' + b" " * 65536),
            ResponseTooLargeError,
            "max_response_bytes",
        ),
    ],
    ids=["html", "no-data", "wrong-type", "nan", "500", "endless"],
    indirect=["server"],
)
def test_a_broken_account_answer_is_a_typed_error(
    server: RawServer, error: type[APIError], words: str, asynchronous: bool
) -> None:
    model = model_at(server.base_url, max_response_bytes=1 << 20)
    with pytest.raises(error) as info:
        key(model, asynchronous)
    assert words in str(info.value) and TEST_KEY not in str(info.value)


def _busy_then_key() -> Callable[[Any], None]:
    """503 once, then a key: the answers of a server that recovers. The raw server closes each connection
    after one answer, so it says so (`connection: close`): without it the retry could be sent on the closed
    connection before the client has seen the close, and fail for a reason this test is not about."""
    answers = iter(
        [
            fixed(
                "503 Service Unavailable",
                b'{"error": {"code": 503, "message": "busy"}}',
                "content-type: application/json\r\nretry-after: 0\r\nconnection: close\r\n",
            ),
            fixed("200 OK", b'{"data": {"label": "k", "usage": 1.5}}'),
        ]
    )
    return lambda conn: next(answers)(conn)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_transient_failure_is_retried_like_a_model_call(asynchronous: bool) -> None:
    server = RawServer(_busy_then_key())
    try:
        assert key(model_at(server.base_url, max_retries=1), asynchronous) == {"label": "k", "usage": 1.5}
    finally:
        server.close()
