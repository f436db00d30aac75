"""The newer real recordings in `tests/fixtures/recorded/more/` (OpenRouter streams from other providers,
OpenAI streams with web search, reasoning summaries, encrypted reasoning, `phase`, moderation, an HTTP 400,
bare `.sse` streams and `.json` bodies without a top-level `status`), replayed through the stream parser
whole, in random chunks and with CRLF line endings, and through `build_response` / `error_from_status`.
Expectations are in `recorded_more.py`.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routerkit.errors import BadRequestError
from routerkit.wire._events import (
    CitationAdded,
    FunctionCallEvent,
    ReasoningDelta,
    ResponseCompleted,
    StreamEvent,
    TextDelta,
)
from routerkit.wire._failures import error_from_status
from routerkit.wire._response import ModelResponse, build_response
from routerkit.wire._stream import ResponseStream
from tests.recorded import Interaction, more_calls

from .recorded_more import EXPECTED, check


def replay(call: Interaction, chunks: list[bytes]) -> tuple[list[StreamEvent], ModelResponse]:
    stream = ResponseStream("recorded")
    events: list[StreamEvent] = []
    for chunk in chunks:
        events += stream.feed(chunk)
    events += stream.close()
    assert isinstance(events[-1], ResponseCompleted)
    assert sum(isinstance(e, ResponseCompleted) for e in events) == 1
    response = events[-1].response
    # The deltas a user saw agree with the final answer.
    assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == response.text
    assert "".join(e.delta for e in events if isinstance(e, ReasoningDelta) and e.kind == "text") == (
        response.reasoning_text
    )
    assert "".join(e.delta for e in events if isinstance(e, ReasoningDelta) and e.kind == "summary") == (
        response.reasoning_summary
    )
    assert [e.call for e in events if isinstance(e, FunctionCallEvent)] == response.function_calls
    return events, response


STREAMED = more_calls(streamed=True)
JSON_BODIES = [c for c in more_calls(streamed=False) if c.status == 200]


def test_every_recording_has_expectations() -> None:
    assert sorted(c.name for c in more_calls()) == sorted(EXPECTED)
    assert len(STREAMED) == 15 and len(JSON_BODIES) == 14


@pytest.mark.parametrize("call", STREAMED, ids=lambda c: c.name)
def test_recorded_stream_whole(call: Interaction) -> None:
    check(call, replay(call, [call.body])[1])


@pytest.mark.parametrize("call", STREAMED, ids=lambda c: c.name)
def test_recorded_stream_with_crlf_line_endings(call: Interaction) -> None:
    check(call, replay(call, [call.body.replace(b"\n", b"\r\n")])[1])


@pytest.mark.parametrize("call", STREAMED, ids=lambda c: c.name)
@settings(max_examples=5, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(min_value=0), max_size=40))
def test_recorded_stream_in_random_chunks(call: Interaction, cuts: list[int]) -> None:
    points = sorted({c % (len(call.body) + 1) for c in cuts})
    chunks = [call.body[a:b] for a, b in zip([0, *points], [*points, len(call.body)], strict=True)]
    check(call, replay(call, chunks)[1])


def test_comment_lines_between_events_are_keepalives_not_events() -> None:
    call = next(c for c in STREAMED if c.name.startswith("agent-sdk-behavior"))
    stream = ResponseStream("recorded")
    stream.feed(call.body)
    assert stream.keepalives == call.body.count(b"\n: ")


@pytest.mark.parametrize("call", JSON_BODIES, ids=lambda c: c.name)
def test_recorded_json_body(call: Interaction) -> None:
    check(call, build_response("recorded", json.loads(call.body)))


def test_recorded_http_400_is_a_bad_request_with_openais_message() -> None:
    call = next(c for c in more_calls() if c.status == 400)
    exc = error_from_status(call.status, call.body, call.headers, ["gpt-5"])
    assert isinstance(exc, BadRequestError) and exc.status == 400
    assert exc.code == "decimal_below_min_value"
    assert exc.message.startswith("Invalid 'temperature': decimal below minimum value.")


@pytest.mark.parametrize("call", [c for c in STREAMED if b"annotation.added" in c.body], ids=lambda c: c.name)
def test_streamed_citations_arrive_as_events_and_match_the_final_answer(call: Interaction) -> None:
    events, response = replay(call, [call.body])
    streamed = [e.citation for e in events if isinstance(e, CitationAdded)]
    assert streamed and streamed == response.citations
    # A citation event comes after the text it cites.
    first = next(i for i, e in enumerate(events) if isinstance(e, CitationAdded))
    seen = "".join(e.delta for e in events[:first] if isinstance(e, TextDelta))
    assert len(seen) >= streamed[0].end_index  # type: ignore[operator]


def test_streamed_citations_stand_in_when_the_final_items_lack_them() -> None:
    call = next(c for c in STREAMED if b"annotation.added" in c.body)
    stripped = call.body.replace(b'"annotations":[{"type":"url_citation"', b'"annotations":[{"type":"x"')
    _, response = replay(call, [stripped])
    assert [c.url for c in response.citations] == [
        json.loads(line[6:])["annotation"]["url"]
        for line in call.body.splitlines()
        if b"annotation.added" in line and line.startswith(b"data: ")
    ]
