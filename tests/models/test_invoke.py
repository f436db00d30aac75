"""The four drivers (invoke, invoke_stream, ainvoke, ainvoke_stream) over MockTransport: recorded replays,
retries and their limits, errors with partial text, timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx2
import pytest

from routerkit.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFailedError,
    ServerError,
    StreamInterruptedError,
)
from routerkit.models import _drivers as drivers_module
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.wire._events import FunctionCallEvent, ReasoningDelta, ResponseCompleted, StreamEvent, TextDelta
from routerkit.wire._response import ModelResponse
from tests.recorded import Interaction, load, more_calls, responses_calls
from tests.wire import recorded_more

from ..wire.streams import completed, message_item, text_stream, wire
from .mock import Server, json_reply, raise_reply, sse_reply

KEY = "sk-or-v1-invoke-canary-0000"
CLOUDFLARE_502 = b"<html><head><title>openrouter.ai | 502: Bad gateway</title></head><body><h1>502</h1></body></html>"


class Sleeps(list[float]):
    """Records the driver's waits between attempts instead of sleeping them."""


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    record = Sleeps()
    real_async_sleep = asyncio.sleep

    def fake_sleep(seconds: float) -> None:
        record.append(seconds)

    async def fake_async_sleep(seconds: float) -> None:
        record.append(seconds)
        await real_async_sleep(0)

    monkeypatch.setattr(drivers_module.time, "sleep", fake_sleep)
    monkeypatch.setattr(drivers_module, "_sleep", fake_async_sleep)
    return record


# Each test runs through all four drivers where it makes sense: `call(model, server, input)` returns
# (events or None, response) and raises what the driver raises; `events_sink` keeps what was yielded.


def run_invoke(model: OpenRouterResponses, server: Server, sink: list[StreamEvent]) -> ModelResponse:
    with server.client() as client:
        return _with(model, http_client=client).invoke("hi")


def run_stream(model: OpenRouterResponses, server: Server, sink: list[StreamEvent]) -> ModelResponse:
    with server.client() as client:
        for event in _with(model, http_client=client).invoke_stream("hi"):
            sink.append(event)
    assert isinstance(sink[-1], ResponseCompleted)
    return sink[-1].response


async def run_ainvoke(model: OpenRouterResponses, server: Server, sink: list[StreamEvent]) -> ModelResponse:
    async with server.async_client() as client:
        return await _with(model, async_http_client=client).ainvoke("hi")


async def run_astream(model: OpenRouterResponses, server: Server, sink: list[StreamEvent]) -> ModelResponse:
    async with server.async_client() as client:
        async for event in _with(model, async_http_client=client).ainvoke_stream("hi"):
            sink.append(event)
    assert isinstance(sink[-1], ResponseCompleted)
    return sink[-1].response


def _with(model: OpenRouterResponses, **kwargs: Any) -> OpenRouterResponses:
    import dataclasses

    return dataclasses.replace(model, **kwargs)


Runner = Callable[[OpenRouterResponses, Server, list[StreamEvent]], Any]
STREAMING: dict[str, Runner] = {"invoke_stream": run_stream, "ainvoke_stream": run_astream}
JSON: dict[str, Runner] = {"invoke": run_invoke, "ainvoke": run_ainvoke}
ALL: dict[str, Runner] = {**JSON, **STREAMING}


async def call(
    runner: Runner, model: OpenRouterResponses, server: Server, sink: list[StreamEvent] | None = None
) -> Any:
    result = runner(model, server, [] if sink is None else sink)
    if asyncio.iscoroutine(result):
        result = await result
    return result


def model(**kwargs: Any) -> OpenRouterResponses:
    kwargs.setdefault("api_key", KEY)
    return OpenRouterResponses(**kwargs)


def ok_reply(streaming: bool, text: str = "fine") -> Callable[[httpx2.Request], httpx2.Response]:
    if streaming:
        return sse_reply(text_stream([text]))
    return json_reply(completed([message_item(text)])["response"])


def is_streaming(runner: Runner) -> bool:
    return runner in STREAMING.values()


# Recorded traffic


def _streamed_reply(call_: Interaction, chunk: int = 37) -> Callable[[httpx2.Request], httpx2.Response]:
    chunks = [call_.body[i : i + chunk] for i in range(0, len(call_.body), chunk)]
    return sse_reply(chunks, headers=call_.replay_headers())


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
@pytest.mark.parametrize("recorded", responses_calls(streamed=True), ids=lambda c: c.name)
async def test_recorded_streams_replay(runner: Runner, recorded: Interaction) -> None:
    server = Server(_streamed_reply(recorded))
    events: list[StreamEvent] = []
    response = await call(runner, model(id=recorded.request_body["model"]), server, events)
    assert len(server.requests) == 1
    text = "".join(e.delta for e in events if isinstance(e, TextDelta))
    assert text == response.text and response.status == "completed"
    assert response.generation_id == recorded.headers.get("x-generation-id")
    assert response.usage.cost is not None and response.usage.input_tokens
    assert response.time_to_first_token is not None and response.duration is not None
    assert response.time_to_first_token <= response.duration
    if recorded.cassette == "llm-openrouter__test_tool_calls" and recorded.index == 1:
        (event,) = [e for e in events if isinstance(e, FunctionCallEvent)]
        assert event.call.name == "llm_version" and event.call.arguments == "{}"
        assert response.text == ""
    if recorded.cassette.startswith("pydantic-ai__openai_responses_raw_cot"):
        reasoning = "".join(e.delta for e in events if isinstance(e, ReasoningDelta))
        assert reasoning == response.reasoning_text != ""
        assert response.text == "4"


@pytest.mark.parametrize("runner", JSON.values(), ids=JSON.keys())
@pytest.mark.parametrize("recorded", responses_calls(streamed=False), ids=lambda c: c.name)
async def test_recorded_json_replays(runner: Runner, recorded: Interaction) -> None:
    server = Server(json_reply(recorded.body, headers={"x-generation-id": "gen-hdr-1"}))
    response = await call(runner, model(id=recorded.request_body["model"]), server)
    assert response.text == "OK"
    assert response.model == "openai/gpt-5.6-sol"
    assert response.generation_id == "gen-hdr-1"
    assert response.usage.cached_tokens == (0, 4012)[recorded.index]
    assert response.usage.cost == pytest.approx((0.025265, 0.002196)[recorded.index])
    assert response.duration is not None
    sent = server.bodies[0]
    assert "stream" not in sent and sent["store"] is False


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
@pytest.mark.parametrize("recorded", more_calls(), ids=lambda c: c.name)
async def test_newer_recordings_replay_through_every_driver(runner: Runner, recorded: Interaction) -> None:
    """Each newer recording, served as recorded (stream, JSON body or error), gives the answer or typed error
    the recording holds, whichever driver asked: a JSON answer to a stream request is delivered whole."""
    if recorded.streamed:
        if not is_streaming(runner):
            pytest.skip("a stream is only served to a stream request")
        server = Server(_streamed_reply(recorded))
    else:
        server = Server(json_reply(recorded.body, status=recorded.status))
    expected = recorded_more.EXPECTED[recorded.name]
    if expected is None:
        with pytest.raises(BadRequestError) as info:
            await call(runner, model(id="gpt-5", max_retries=2), server)
        assert info.value.code == "decimal_below_min_value" and len(server.requests) == 1
        return
    events: list[StreamEvent] = []
    response = await call(runner, model(id="recorded/model"), server, events)
    recorded_more.check(recorded, response)
    if events:
        assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == response.text
    assert len(server.requests) == 1


def test_recorded_cassette_with_models_listing_is_skipped_by_responses_calls() -> None:
    interactions = load("llm-openrouter__test_prompt")
    assert interactions[0].method == "GET" and interactions[0].uri.endswith("/models")
    assert all(c.is_responses_call for c in responses_calls())


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
async def test_stream_body_is_the_request_body(runner: Runner) -> None:
    server = Server(ok_reply(True))
    m = model(reasoning={"enabled": True}, models=["openai/gpt-oss-20b", "openai/gpt-4o"])
    await call(runner, m, server)
    assert server.bodies == [m.request_body("hi", stream=True)]


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
async def test_fallback_model_is_reported(runner: Runner) -> None:
    if is_streaming(runner):
        server = Server(sse_reply(text_stream(["x"], model="openai/gpt-4o")))
    else:
        server = Server(json_reply(completed([message_item("x")], model="openai/gpt-4o")["response"]))
    response = await call(runner, model(models=["openai/gpt-oss-20b", "openai/gpt-4o"]), server)
    assert response.model == "openai/gpt-4o" and response.fallback_used


# Failures in a 200 body


@pytest.mark.parametrize("runner", JSON.values(), ids=JSON.keys())
async def test_json_body_with_status_failed_raises(runner: Runner, sleeps: Sleeps) -> None:
    body = {
        "id": "gen-2-f",
        "status": "failed",
        "error_type": "server",
        "output": [],
        "error": {"code": "server_error", "message": "Provider crashed"},
    }
    server = Server(json_reply(body))
    with pytest.raises(ResponseFailedError, match="Provider crashed") as info:
        await call(runner, model(), server)
    assert info.value.code == "server_error"
    assert len(server.requests) == 1


@pytest.mark.parametrize("runner", JSON.values(), ids=JSON.keys())
async def test_json_body_incomplete_is_returned(runner: Runner) -> None:
    body = completed([message_item("cut sh")], status="incomplete", incomplete_details={"reason": "max_output_tokens"})
    response = await call(runner, model(), Server(json_reply(body["response"])))
    assert (response.status, response.incomplete_reason, response.text) == ("incomplete", "max_output_tokens", "cut sh")


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
async def test_stream_incomplete_is_returned_not_raised(runner: Runner) -> None:
    body = wire(
        {"type": "response.output_text.delta", "delta": "cut sh"},
        completed(
            [message_item("cut sh")],
            status="incomplete",
            kind="response.incomplete",
            incomplete_details={"reason": "max_output_tokens"},
        ),
    )
    response = await call(runner, model(), Server(sse_reply(body)))
    assert (response.status, response.incomplete_reason) == ("incomplete", "max_output_tokens")


@pytest.mark.parametrize("runner", JSON.values(), ids=JSON.keys())
async def test_json_body_that_is_not_json_is_an_api_error(runner: Runner, sleeps: Sleeps) -> None:
    with pytest.raises(APIError):
        await call(runner, model(max_retries=0), Server(json_reply(b"<html>oops</html>")))


# Retries


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
@pytest.mark.parametrize(
    ("first", "headers", "expected_wait"),
    [
        (429, {"retry-after-ms": "5"}, 0.005),
        (429, {"Retry-After": "0.01"}, 0.01),
        (503, {"Retry-After": "0"}, 0.0),
        (502, {}, None),
    ],
)
async def test_retried_statuses_then_success(
    runner: Runner, first: int, headers: dict[str, str], expected_wait: float | None, sleeps: Sleeps
) -> None:
    body = CLOUDFLARE_502 if first == 502 else {"error": {"code": first, "message": "try later"}}
    server = Server(json_reply(body, status=first, headers=headers), ok_reply(is_streaming(runner)))
    response = await call(runner, model(), server)
    assert response.text == "fine"
    assert len(server.requests) == 2
    assert server.bodies[0] == server.bodies[1]
    assert len(sleeps) == 1
    if expected_wait is None:
        assert 0.375 <= sleeps[0] <= 0.5  # first backoff step with jitter
    else:
        assert sleeps[0] == pytest.approx(expected_wait)


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
async def test_400_wrapping_a_provider_503_is_retried(runner: Runner, sleeps: Sleeps) -> None:
    transient = {"error": {"code": 503, "message": "Provider returned error", "metadata": {"provider_name": "X"}}}
    server = Server(json_reply(transient, status=400), ok_reply(is_streaming(runner)))
    assert (await call(runner, model(), server)).text == "fine"
    assert len(server.requests) == 2


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
@pytest.mark.parametrize(
    "error", [httpx2.ConnectError("refused"), httpx2.ReadError("reset"), httpx2.RemoteProtocolError("closed")], ids=type
)
async def test_connection_errors_are_retried(runner: Runner, error: Exception, sleeps: Sleeps) -> None:
    server = Server(raise_reply(error), ok_reply(is_streaming(runner)))
    assert (await call(runner, model(), server)).text == "fine"
    assert len(server.requests) == 2


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
async def test_connection_error_after_retries_is_api_connection_error(runner: Runner, sleeps: Sleeps) -> None:
    server = Server(raise_reply(httpx2.ConnectError("[Errno 111] Connection refused")))
    with pytest.raises(APIConnectionError) as info:
        await call(runner, model(max_retries=2), server)
    assert len(server.requests) == 3
    assert len(sleeps) == 2
    assert "Connection refused" in str(info.value) and "openai/gpt-oss-20b" in str(info.value)
    assert KEY not in str(info.value)


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
async def test_retries_stop_at_max_retries(runner: Runner, sleeps: Sleeps) -> None:
    server = Server(json_reply({"error": {"code": 503, "message": "overloaded"}}, status=503))
    with pytest.raises(ServerError, match="overloaded") as info:
        await call(runner, model(max_retries=3), server)
    assert len(server.requests) == 4
    assert info.value.status == 503
    assert len(sleeps) == 3
    assert sleeps[0] < sleeps[2]  # backoff grows


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
async def test_max_retries_zero_means_one_attempt(runner: Runner, sleeps: Sleeps) -> None:
    server = Server(json_reply({"error": {"code": 429, "message": "slow down"}}, status=429))
    with pytest.raises(RateLimitError):
        await call(runner, model(max_retries=0), server)
    assert len(server.requests) == 1 and sleeps == []


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
async def test_retry_after_longer_than_the_time_left_is_not_waited(runner: Runner, sleeps: Sleeps) -> None:
    server = Server(json_reply({"error": {"code": 429, "message": "later"}}, status=429, headers={"Retry-After": "30"}))
    with pytest.raises(RateLimitError) as info:
        await call(runner, model(timeout=5.0), server)
    assert info.value.retry_after == 30.0
    assert len(server.requests) == 1 and sleeps == []


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, InsufficientCreditsError),
        (403, PermissionDeniedError),
        (404, BadRequestError),
        (422, BadRequestError),
    ],
)
async def test_client_errors_are_not_retried(runner: Runner, status: int, cls: type[APIError], sleeps: Sleeps) -> None:
    server = Server(
        json_reply({"error": {"code": status, "message": f"no {status}"}}, status=status, headers={"Retry-After": "0"})
    )
    with pytest.raises(cls) as info:
        await call(runner, model(models=["openai/gpt-oss-20b", "openai/gpt-4o"]), server)
    assert type(info.value) is cls
    assert len(server.requests) == 1 and sleeps == []
    text = str(info.value)
    assert f"HTTP {status}" in text and f"no {status}" in text and "openai/gpt-oss-20b, openai/gpt-4o" in text
    assert info.value.partial_text == ""


# Mid-stream failures


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
async def test_no_retry_once_a_delta_was_yielded(runner: Runner, sleeps: Sleeps) -> None:
    partial = text_stream(["The answer ", "is"], terminal=False)
    server = Server(sse_reply([partial[:40], partial[40:]], error=httpx2.ReadError("connection reset")), ok_reply(True))
    events: list[StreamEvent] = []
    with pytest.raises(StreamInterruptedError) as info:
        await call(runner, model(), server, events)
    assert [e.delta for e in events if isinstance(e, TextDelta)] == ["The answer ", "is"]
    assert info.value.partial_text == "The answer is"
    assert len(server.requests) == 1 and sleeps == []
    assert "ReadError" in info.value.message


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
async def test_break_before_any_output_is_retried(runner: Runner, sleeps: Sleeps) -> None:
    created = wire(
        {"type": "response.created", "response": {"id": "x", "status": "in_progress", "output": []}}, done=False
    )
    server = Server(sse_reply(created, error=httpx2.ReadError("reset")), ok_reply(True))
    events: list[StreamEvent] = []
    response = await call(runner, model(), server, events)
    assert response.text == "fine"
    assert [e.delta for e in events if isinstance(e, TextDelta)] == ["fine"]  # nothing repeated
    assert len(server.requests) == 2


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
async def test_clean_eof_without_terminal_after_output_is_interrupted(runner: Runner, sleeps: Sleeps) -> None:
    server = Server(sse_reply(text_stream(["half"], terminal=False)), ok_reply(True))
    with pytest.raises(StreamInterruptedError) as info:
        await call(runner, model(), server)
    assert info.value.partial_text == "half"
    assert len(server.requests) == 1


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
async def test_error_event_mid_stream_raises_with_partial_text(runner: Runner, sleeps: Sleeps) -> None:
    body = wire(
        {"type": "response.output_text.delta", "delta": "Par"},
        {"type": "error", "code": "server_error", "message": "Upstream died", "param": None},
    )
    server = Server(sse_reply(body), ok_reply(True))
    with pytest.raises(ResponseFailedError, match="Upstream died") as info:
        await call(runner, model(), server)
    assert info.value.partial_text == "Par"
    assert len(server.requests) == 1


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
async def test_response_failed_before_output_is_not_retried(runner: Runner, sleeps: Sleeps) -> None:
    body = wire(
        {
            "type": "response.failed",
            "response": {"status": "failed", "error": {"code": "server_error", "message": "nope"}},
        }
    )
    server = Server(sse_reply(body), ok_reply(True))
    with pytest.raises(ResponseFailedError):
        await call(runner, model(), server)
    assert len(server.requests) == 1


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
async def test_stall_after_output_is_a_timeout_with_partial_text(runner: Runner, sleeps: Sleeps) -> None:
    server = Server(sse_reply(text_stream(["slow"], terminal=False), error=httpx2.ReadTimeout("timed out")))
    with pytest.raises(APITimeoutError) as info:
        await call(runner, model(stall_timeout=7.0), server)
    assert info.value.partial_text == "slow"
    assert "stall_timeout=7s" in info.value.message
    assert len(server.requests) == 1


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
async def test_stall_before_output_is_retried_then_a_timeout(runner: Runner, sleeps: Sleeps) -> None:
    server = Server(raise_reply(httpx2.ReadTimeout("timed out")))
    with pytest.raises(APITimeoutError) as info:
        await call(runner, model(max_retries=1, stall_timeout=3.0), server)
    assert "stall_timeout=3s" in info.value.message
    assert len(server.requests) == 2


@pytest.mark.parametrize("runner", ALL.values(), ids=ALL.keys())
async def test_connect_timeout_names_connect_timeout(runner: Runner, sleeps: Sleeps) -> None:
    server = Server(raise_reply(httpx2.ConnectTimeout("connect timed out")))
    with pytest.raises(APITimeoutError, match="connect_timeout=2s"):
        await call(runner, model(max_retries=0, connect_timeout=2.0), server)


@pytest.mark.parametrize("runner", STREAMING.values(), ids=STREAMING.keys())
async def test_total_timeout_ends_a_slow_stream_with_partial_text(runner: Runner, sleeps: Sleeps) -> None:
    body = text_stream(["first ", "second"])
    cut = body.index(b'"second"')
    cut = body.rindex(b"data:", 0, cut)
    server = Server(sse_reply([body[:cut], body[cut:]], pause=0.2, pause_before=1))
    events: list[StreamEvent] = []
    with pytest.raises(APITimeoutError, match=r"timeout=0\.05s") as info:
        await call(runner, model(timeout=0.05), server, events)
    assert info.value.partial_text.startswith("first ")
    assert len(server.requests) == 1


def test_timeout_sent_to_httpx_is_capped_by_the_total_timeout() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.extensions["timeout"])
        return ok_reply(False)(request)

    with httpx2.Client(transport=httpx2.MockTransport(handler)) as client:
        model(timeout=4.0, connect_timeout=10.0, stall_timeout=120.0, http_client=client).invoke("hi")
        model(timeout=None, connect_timeout=10.0, stall_timeout=120.0, http_client=client).invoke("hi")
    capped, uncapped = seen
    assert 0 < capped["read"] <= 4.0 and 0 < capped["connect"] <= 4.0
    assert uncapped["read"] == 120.0 and uncapped["connect"] == 10.0


# Streams close their connection when the consumer stops early.

_BODY = text_stream(["a", "b", "c"])
_FIRST_DELTA = _BODY[: _BODY.index(b"\n\n", _BODY.index(b'"delta":"a"')) + 2]


def test_closing_the_iterator_closes_the_response() -> None:
    closed: list[bool] = []

    class Tracked(httpx2.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield _FIRST_DELTA
            yield _BODY[len(_FIRST_DELTA) :]

        def close(self) -> None:
            closed.append(True)

    server = Server(lambda r: httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=Tracked()))
    with server.client() as client:
        events = model(http_client=client).invoke_stream("hi")
        assert next(events) == TextDelta("a")
        events.close()
    assert closed == [True]


async def test_closing_the_async_iterator_closes_the_response() -> None:
    closed: list[bool] = []

    class Tracked(httpx2.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield _FIRST_DELTA
            yield _BODY[len(_FIRST_DELTA) :]

        async def aclose(self) -> None:
            closed.append(True)

    server = Server(lambda r: httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=Tracked()))
    async with server.async_client() as client:
        events = model(async_http_client=client).ainvoke_stream("hi")
        assert await events.__anext__() == TextDelta("a")
        await events.aclose()
    assert closed == [True]
