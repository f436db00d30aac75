"""Every way a call can fail, through the real client and the emulator over loopback, in the four ways an agent
runs (`run`, `arun`, each streamed and not), from one table.

Each case checks: the answer, or the right typed error with its facts (status, OpenRouter's code and message,
the model, the partial answer); how many requests reached the emulator (never-retried statuses exactly one);
that the run took no longer than its timeouts and retry budget allow (a hang guard); that no thread is left
behind; and that the session history is consistent afterwards: a run before the fault is still replayed, a
failed run is not replayed as if it had completed, and a run stopped early is replayed with what it said.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from routerkit.agent import Agent, RunCompletedEvent, RunContentEvent, RunErrorEvent
from routerkit.emulator import DONE, Pause, Reply, Reset, StreamReply
from routerkit.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    IncompleteResponseError,
    InsufficientCreditsError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFailedError,
    ServerError,
    StreamInterruptedError,
)
from routerkit.models.openrouter import OpenRouterResponses

from ..conftest import TEST_KEY
from ._replies import MODEL, created, delta, item_added, item_done, message, or_error, response, text_stream
from .conftest import settle_threads

# A hang fails the case after 20 s instead of pytest's default 60 s; every budget here is under 6 s.
pytestmark = [pytest.mark.usefixtures("leak_guard"), pytest.mark.timeout(20)]

PROMPT = "fault case"
ANY = object()
PLAIN, STREAM = ("run", "arun"), ("run-stream", "arun-stream")
BOTH = PLAIN + STREAM
SLACK = 1.5  # seconds on top of the configured budget before a case counts as a hang


@dataclass(frozen=True)
class Case:
    name: str
    modes: tuple[str, ...] = BOTH
    model: str = MODEL
    script: tuple[Any, ...] = ()
    """Scripted replies for the faulted run's requests, in order; model behaviour answers the rest."""
    options: dict[str, Any] = field(default_factory=dict)
    """Model options; the defaults below keep every case short."""
    answer: str | None = None
    error: type[APIError] | None = None
    status: int | None = None
    code: Any = ANY
    message: str | None = None
    """A prefix of the error's message: OpenRouter's own words."""
    partial: str | None = None
    """The partial answer the error (and the run) keeps, in streamed modes."""
    retry_after: Any = ANY
    requests: int | None = None
    min_elapsed: float = 0.0
    max_elapsed: float | None = None
    """A tighter bound than the budget (for calls that must not wait at all)."""
    refused_port: bool = False

    def model_options(self) -> dict[str, Any]:
        return {"timeout": 4.0, "connect_timeout": 1.0, "stall_timeout": 0.5, "max_retries": 1, **self.options}

    def budget(self) -> float:
        """The longest this case may take under its configuration: the total deadline bounds everything."""
        return self.model_options()["timeout"] + SLACK


def _text_reply(text: str) -> Reply:
    return Reply(body=response([message(text)]))


def _status_reply(status: int, msg: str, *, wait_ms: int | None = 10, code: Any = None, **meta: Any) -> Reply:
    headers = {"retry-after-ms": str(wait_ms)} if wait_ms is not None else {}
    return Reply(status=status, body=or_error(status if code is None else code, msg, **meta), headers=headers)


_OUT_OF_ORDER_REASONING = {
    "id": "rs_1",
    "type": "reasoning",
    "summary": [],
    "content": [{"type": "reasoning_text", "text": "think first"}],
}
_JSON_TYPE = {"content-type": "application/json"}
_BIG = "0123456789abcdef" * (1 << 16)  # 1 MiB of answer in one delta


CASES: list[Case] = [
    # Rate limits: Retry-After honoured, retry-after-ms honoured, none (own back-off), beyond the deadline.
    Case(
        "429-retry-after-then-answer",
        script=(Reply(429, or_error(429, "Rate limit exceeded"), {"Retry-After": "0.2"}),),
        answer=PROMPT,
        requests=2,
        min_elapsed=0.2,
    ),
    Case(
        "429-retry-after-ms-exhausted",
        model="emulator/fail-429-ms",
        error=RateLimitError,
        status=429,
        retry_after=0.2,
        requests=2,
        min_elapsed=0.2,
    ),
    Case(
        "429-no-header-exhausted",
        model="emulator/fail-429-none",
        error=RateLimitError,
        status=429,
        retry_after=None,
        requests=2,
    ),
    Case(
        "429-retry-after-past-the-deadline",
        script=(Reply(429, or_error(429, "Slow down"), {"Retry-After": "30"}),),
        options={"timeout": 2.0, "max_retries": 3},
        error=RateLimitError,
        status=429,
        message="Slow down",
        retry_after=30,
        requests=1,
        max_elapsed=1.0,
    ),
    # Server errors: retried, then either answered or surfaced with OpenRouter's message.
    *(
        Case(
            f"{status}-retried-then-answer",
            script=(_status_reply(status, "Internal Server Error"),),
            answer=PROMPT,
            requests=2,
        )
        for status in (500, 502, 503, 504)
    ),
    *(
        Case(
            f"{status}-exhausted",
            script=(_status_reply(status, f"Upstream {status}"), _status_reply(status, f"Upstream {status}")),
            error=ServerError,
            status=status,
            code=status,
            message=f"Upstream {status}",
            requests=2,
        )
        for status in (500, 502, 503, 504)
    ),
    # HTTP 400 wrapping a transient provider failure is retried like the 5xx it is.
    *(
        Case(
            f"400-wrapping-{inner}-retried-then-answer",
            script=(_status_reply(400, "Provider returned error", code=inner, provider_name="Acme"),),
            answer=PROMPT,
            requests=2,
        )
        for inner in (502, 503, 529)
    ),
    Case(
        "400-wrapping-503-exhausted",
        script=(
            _status_reply(400, "Provider returned error", code=503, provider_name="Acme"),
            _status_reply(400, "Provider returned error", code=503, provider_name="Acme"),
        ),
        error=ServerError,
        status=400,
        code=503,
        message="Provider returned error (provider: Acme)",
        requests=2,
    ),
    # Never retried, however many retries are allowed.
    Case(
        "400-invalid-not-retried",
        script=(_status_reply(400, "Invalid input", wait_ms=None),),
        options={"max_retries": 3},
        error=BadRequestError,
        status=400,
        message="Invalid input",
        requests=1,
        max_elapsed=1.0,
    ),
    Case(
        "401-not-retried",
        model="emulator/fail-401",
        options={"max_retries": 3},
        error=AuthenticationError,
        status=401,
        requests=1,
        max_elapsed=1.0,
    ),
    Case(
        "402-not-retried",
        model="emulator/fail-402",
        options={"max_retries": 3},
        error=InsufficientCreditsError,
        status=402,
        requests=1,
        max_elapsed=1.0,
    ),
    Case(
        "403-not-retried",
        model="emulator/fail-403",
        options={"max_retries": 3},
        error=PermissionDeniedError,
        status=403,
        requests=1,
        max_elapsed=1.0,
    ),
    # Error bodies that are not OpenRouter's JSON.
    Case(
        "non-json-error-body",
        script=(Reply(502, "upstream exploded\n", {"content-type": "text/plain"}),),
        options={"max_retries": 0},
        error=ServerError,
        status=502,
        message="upstream exploded (non-JSON error body)",
        requests=1,
    ),
    Case(
        "empty-error-body",
        script=(Reply(503, b""),),
        options={"max_retries": 0},
        error=ServerError,
        status=503,
        message="HTTP 503 with an empty body",
        requests=1,
    ),
    # Transport: nobody listening, the connection reset before any response.
    Case("connection-refused", refused_port=True, error=APIConnectionError, requests=0),
    Case("reset-before-response-then-answer", script=(Reset(),), answer=PROMPT, requests=2),
    Case("reset-before-response-exhausted", script=(Reset(), Reset()), error=APIConnectionError, requests=2),
    Case(
        "no-response-within-stall-timeout",
        modes=PLAIN,
        model="emulator/stall",
        options={"max_retries": 0},
        error=APITimeoutError,
        requests=1,
        min_elapsed=0.5,
    ),
    # Bodies of a 200 that do not hold an answer.
    Case(
        "200-body-failed",
        modes=PLAIN,
        script=(Reply(body=response([], status="failed", error={"code": "server_error", "message": "Model crashed"})),),
        error=ResponseFailedError,
        code="server_error",
        message="Model crashed",
        requests=1,
    ),
    Case(
        "200-body-incomplete",
        modes=PLAIN,
        script=(
            Reply(
                body=response(
                    [message("cut sh", status="incomplete")],
                    status="incomplete",
                    incomplete_details={"reason": "max_output_tokens"},
                )
            ),
        ),
        error=IncompleteResponseError,
        code="max_output_tokens",
        partial="cut sh",
        requests=1,
    ),
    Case(
        "200-body-not-json",
        modes=PLAIN,
        script=(Reply(200, "<html>oops</html>", {"content-type": "text/html"}),),
        options={"max_retries": 0},
        error=StreamInterruptedError,
        requests=1,
    ),
    Case("1mb-answer-in-one-body", modes=PLAIN, script=(_text_reply(_BIG),), answer=_BIG, requests=1),
    # Streams that break.
    Case(
        "reset-mid-stream-after-output",
        modes=STREAM,
        script=(StreamReply([*text_stream("Hello ", "wor", terminal=False)[:-1], Pause(0.05), Reset()]),),
        options={"max_retries": 3},
        error=StreamInterruptedError,
        partial="Hello wor",
        requests=1,
    ),
    Case(
        "reset-mid-stream-before-output-retried",
        modes=STREAM,
        script=(StreamReply([created(), Reset()]),),
        answer=PROMPT,
        requests=2,
    ),
    Case(
        "stall-mid-stream",
        modes=STREAM,
        script=(StreamReply([*text_stream("Hel", terminal=False)[:-1], Pause(10)]),),
        options={"max_retries": 3},
        error=APITimeoutError,
        partial="Hel",
        requests=1,
        min_elapsed=0.5,
    ),
    Case(
        "closed-without-terminal-event",
        modes=STREAM,
        script=(StreamReply([*text_stream("Half ", "an answer", terminal=False)[:-1]]),),
        options={"max_retries": 3},
        error=StreamInterruptedError,
        partial="Half an answer",
        requests=1,
    ),
    Case(
        "done-without-terminal-event-item-open",
        modes=STREAM,
        script=(StreamReply([*text_stream("Half", terminal=False)[:-1], DONE]),),
        error=StreamInterruptedError,
        partial="Half",
        requests=1,
    ),
    Case(
        "done-without-terminal-event-items-finished",
        modes=STREAM,
        script=(StreamReply([*text_stream("All ", "there", terminal=False), DONE]),),
        answer="All there",
        requests=1,
    ),
    # Failures the stream reports itself.
    Case(
        "error-event-flat",
        modes=STREAM,
        script=(
            StreamReply(
                [
                    *text_stream("Par", "tial", terminal=False)[:-1],
                    {"type": "error", "code": "server_error", "message": "Upstream provider crashed", "param": None},
                ]
            ),
        ),
        error=ResponseFailedError,
        code="server_error",
        message="Upstream provider crashed",
        partial="Partial",
        requests=1,
    ),
    Case(
        "error-event-nested",
        modes=STREAM,
        script=(
            StreamReply(
                [
                    *text_stream("Par", "tial", terminal=False)[:-1],
                    {"type": "error", "error": {"code": "rate_limit_exceeded", "message": "Provider rate limit"}},
                ]
            ),
        ),
        error=ResponseFailedError,
        code="rate_limit_exceeded",
        message="Provider rate limit",
        partial="Partial",
        requests=1,
    ),
    Case(
        "response-failed",
        modes=STREAM,
        script=(
            StreamReply(
                [
                    *text_stream("Some", terminal=False)[:-1],
                    {
                        "type": "response.failed",
                        "response": response(
                            [], status="failed", error={"code": "server_error", "message": "The model fell over"}
                        ),
                    },
                ]
            ),
        ),
        error=ResponseFailedError,
        code="server_error",
        message="The model fell over",
        partial="Some",
        requests=1,
    ),
    Case(
        "response-incomplete",
        modes=STREAM,
        script=(
            StreamReply(
                [
                    *text_stream("Cut ", "short", terminal=False)[:-1],
                    {
                        "type": "response.incomplete",
                        "response": response(
                            [message("Cut short", status="incomplete")],
                            status="incomplete",
                            incomplete_details={"reason": "max_output_tokens"},
                        ),
                    },
                    DONE,
                ]
            ),
        ),
        error=IncompleteResponseError,
        code="max_output_tokens",
        partial="Cut short",
        requests=1,
    ),
    Case(
        "malformed-data-line-after-output",
        modes=STREAM,
        script=(StreamReply([*text_stream("Good ", terminal=False)[:-1], b"data: {not json\n\n", DONE]),),
        options={"max_retries": 3},
        error=StreamInterruptedError,
        partial="Good ",
        requests=1,
    ),
    Case(
        "malformed-data-line-before-output-retried",
        modes=STREAM,
        script=(StreamReply([created(), b"data: {not json\n\n", DONE]),),
        answer=PROMPT,
        requests=2,
    ),
    # Streams that are odd but fine.
    Case(
        "unknown-events-ignored",
        modes=STREAM,
        script=(
            StreamReply(
                [
                    created(),
                    {"type": "response.brand_new_thing", "payload": {"x": [1, 2]}},
                    item_added(0, {**message(""), "status": "in_progress", "content": []}),
                    b'event: mystery\ndata: {"surprise": true}\n\n',
                    delta("Still "),
                    {"type": "response.output_text.annotation.added", "annotation": {"type": "url_citation"}},
                    b'id: 7\nretry: 100\ndata: {"type": "response.future", "delta": 5}\n\n',
                    delta("intact"),
                    b": a comment\n\n",
                    item_done(0, message("Still intact")),
                    {"type": "response.completed", "response": response([message("Still intact")])},
                    DONE,
                ]
            ),
        ),
        answer="Still intact",
        requests=1,
    ),
    Case(
        "keepalives-for-1.5s-then-answer",
        modes=STREAM,
        script=(
            StreamReply(
                [item for _ in range(15) for item in (b": OPENROUTER PROCESSING\n\n", Pause(0.1))]
                + [*text_stream("Worth ", "the wait"), DONE]
            ),
        ),
        answer="Worth the wait",
        requests=1,
        min_elapsed=1.5,
    ),
    Case(
        "keepalives-only-past-the-total-timeout",
        modes=STREAM,
        script=(StreamReply([item for _ in range(60) for item in (b": OPENROUTER PROCESSING\n\n", Pause(0.1))]),),
        options={"timeout": 1.2, "max_retries": 3},
        error=APITimeoutError,
        partial="",
        requests=1,
        min_elapsed=1.2,
    ),
    Case(
        "plain-body-trickling-past-the-total-timeout",
        modes=PLAIN,
        script=(StreamReply([b"{", *(item for _ in range(40) for item in (b" ", Pause(0.1)))], headers=_JSON_TYPE),),
        options={"timeout": 1.2, "max_retries": 3},
        error=APITimeoutError,
        requests=1,
        min_elapsed=1.2,
    ),
    Case(
        "1mb-delta",
        modes=STREAM,
        script=(StreamReply([*text_stream(_BIG), DONE]),),
        answer=_BIG,
        requests=1,
    ),
    Case(
        "output-items-done-out-of-order",
        modes=STREAM,
        script=(
            StreamReply(
                [
                    created(),
                    item_added(0, {**_OUT_OF_ORDER_REASONING, "content": []}),
                    {"type": "response.reasoning_text.delta", "item_id": "rs_1", "output_index": 0, "delta": "think"},
                    item_added(1, {**message(""), "status": "in_progress", "content": []}),
                    delta("In order", index=1),
                    item_done(1, message("In order")),
                    item_done(0, _OUT_OF_ORDER_REASONING),
                    {"type": "response.completed", "response": response([])},
                    DONE,
                ]
            ),
        ),
        answer="In order",
        requests=1,
    ),
]


def _refused_base_url() -> str:
    """A loopback port with nobody listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v1"


async def _drive(agent: Agent, mode: str) -> tuple[Any, list[Any]]:
    """Run the faulted turn; returns (RunOutput or the exception, events)."""
    events: list[Any] = []
    try:
        if mode == "run":
            return agent.run(PROMPT), events
        if mode == "arun":
            return await agent.arun(PROMPT), events
        if mode == "run-stream":
            for event in agent.run(PROMPT, stream=True, stream_events=True):
                events.append(event)
        else:
            async for event in agent.arun(PROMPT, stream=True, stream_events=True):
                events.append(event)
    except APIError as exc:
        return exc, events
    assert isinstance(events[-1], RunCompletedEvent)
    return events[-1].output, events


def _check_outcome(case: Case, mode: str, result: Any, events: list[Any], model_id: str) -> None:
    streamed = "stream" in mode
    if case.error is None:
        assert not isinstance(result, BaseException), f"expected an answer, got {result!r}"
        assert result.status == "COMPLETED"
        assert result.content == case.answer
        if streamed:
            assert "".join(e.content for e in events if isinstance(e, RunContentEvent)) == case.answer
        if case.name == "output-items-done-out-of-order":
            assert [i.get("type") for i in result.items[1:]] == ["reasoning", "message"]
            assert result.reasoning_content == "think first"
        return
    assert type(result) is case.error, f"expected {case.error.__name__}, got {result!r}"
    exc: APIError = result
    assert exc.status == case.status
    if case.code is not ANY:
        assert exc.code == case.code
    if case.message is not None:
        assert exc.message.startswith(case.message), exc.message
    assert exc.message
    if exc.status is not None:
        assert "<html" not in exc.message.lower()  # OpenRouter's words, never a proxy's page
    if case.retry_after is not ANY:
        assert exc.retry_after == case.retry_after
    assert exc.models == [model_id] and model_id in str(exc)
    assert TEST_KEY not in str(exc) and TEST_KEY not in repr(exc)
    if case.partial is not None and (streamed or case.error is IncompleteResponseError):
        assert exc.partial_text == case.partial
        if streamed and case.partial:
            assert "".join(e.content for e in events if isinstance(e, RunContentEvent)) == case.partial
    run = exc.run_output
    assert run.error is exc
    assert run.status == "ERROR"  # an answer cut short too: the IncompleteResponseError says why
    if streamed:
        assert isinstance(events[-1], RunErrorEvent) and events[-1].error is exc


def _replayed_turns(request_input: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(user message, assistant text) pairs of a replayed history, the new question last with no answer."""
    turns: list[tuple[str, str]] = []
    for item in request_input:
        if item.get("role") == "user":
            turns.append((item["content"], ""))
        elif item.get("type") == "message" and item.get("role") == "assistant":
            text = "".join(part.get("text", "") for part in item["content"])
            turns[-1] = (turns[-1][0], turns[-1][1] + text)
    return turns


@pytest.mark.parametrize(
    ("case", "mode"),
    [pytest.param(case, mode, id=f"{case.name}-{mode}") for case in CASES for mode in case.modes],
)
async def test_fault(emu, make_model, fault_record, case: Case, mode: str):
    agent = Agent(model=make_model(MODEL), add_history_to_context=True, num_history_runs=5, session_id="faults")
    agent.run("before")  # a completed turn that must survive whatever happens next
    faulty = make_model(case.model, **case.model_options())
    if case.refused_port:
        faulty = OpenRouterResponses(
            id=case.model, base_url=_refused_base_url(), api_key=TEST_KEY, **case.model_options()
        )
    agent.model = faulty
    emu.enqueue(*case.script)
    seen_before = len(emu.requests)
    threads = threading.active_count()

    fault_record.hang = True  # until the run returns: a case killed by pytest-timeout counts as a hang
    started = time.perf_counter()
    result, events = await _drive(agent, mode)
    elapsed = time.perf_counter() - started

    fault_record.hang = elapsed > case.budget() or (case.max_elapsed is not None and elapsed > case.max_elapsed)
    _check_outcome(case, mode, result, events, case.model)
    if case.requests is not None:
        assert len(emu.requests) - seen_before == case.requests
    assert elapsed >= case.min_elapsed * 0.95
    fault_record.surfaced = True
    assert not fault_record.hang, f"took {elapsed:.2f}s; budget {case.budget():.1f}s, max {case.max_elapsed}"
    assert settle_threads(threads) <= threads, "a thread was left running"

    # History afterwards: the turn before is intact; the faulted turn is replayed only if it said something
    # and did not fail (completed, or stopped early and kept as what the user saw).
    agent.model = make_model(MODEL)
    agent.run("after")
    turns = _replayed_turns(emu.requests[-1].body["input"])
    expected = [("before", "before")]
    if case.error is None:
        expected.append((PROMPT, case.answer))
    elif case.error is IncompleteResponseError and case.partial:
        expected.append((PROMPT, case.partial))
    expected.append(("after", ""))
    fault_record.lost_turns = sum(turn not in turns for turn in expected[:-1])
    assert turns == expected
