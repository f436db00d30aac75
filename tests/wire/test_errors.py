"""Error mapping (both OpenRouter body shapes, proxy pages, statuses) and the retry schedule."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx2
import pytest

from routerkit.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
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
from routerkit.wire._failures import RetryPolicy, error_from_status, parse_retry_after

MODELS = ["openai/gpt-oss-20b", "openai/gpt-4o"]


def status_error(status: int, body: Any = b"", headers: dict[str, str] | None = None) -> APIStatusError:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return error_from_status(status, raw, httpx2.Headers(headers or {}), MODELS)


# Body shape A: integer code, metadata inside `error`.
SHAPE_A_401 = {"error": {"code": 401, "message": "No auth credentials found"}}
# Body shape B: string code, metadata beside `error` (Responses-layer validation).
SHAPE_B_400 = {
    "error": {"code": "invalid_prompt", "message": "Invalid Responses API request"},
    "metadata": {"provider_name": "OpenAI", "raw": "store: Invalid literal value, expected false"},
}


def test_shape_a_integer_code_and_inner_metadata() -> None:
    body = {
        "error": {
            "code": 402,
            "message": "Insufficient credits. Add more using https://openrouter.ai/credits",
            "metadata": {"provider_name": "OpenAI"},
        }
    }
    exc = status_error(402, body)
    assert type(exc) is InsufficientCreditsError
    assert (exc.status, exc.code) == (402, 402)
    assert exc.message.startswith("Insufficient credits. Add more")
    assert exc.metadata == {"provider_name": "OpenAI"}
    assert exc.models == MODELS
    text = str(exc)
    assert "HTTP 402" in text and "Insufficient credits. Add more" in text and "openai/gpt-oss-20b" in text
    assert "provider: OpenAI" in text
    assert "code 402" not in text  # the code repeats the status: said once


def test_shape_b_string_code_and_outer_metadata() -> None:
    exc = status_error(400, SHAPE_B_400)
    assert type(exc) is BadRequestError
    assert exc.code == "invalid_prompt"
    assert exc.metadata == SHAPE_B_400["metadata"]
    text = str(exc)
    assert "HTTP 400" in text and "code invalid_prompt" in text
    assert "Invalid Responses API request" in text
    assert "store: Invalid literal value, expected false" in text  # the provider's raw reason is shown
    assert "openai/gpt-4o" in text


def test_shape_b_with_null_metadata() -> None:
    exc = status_error(
        400, {"error": {"code": "invalid_prompt", "message": "Missing required parameter: 'model'."}, "metadata": None}
    )
    assert exc.metadata == {}
    assert exc.message == "Missing required parameter: 'model'."


def test_inner_metadata_wins_over_outer() -> None:
    body = {
        "error": {"code": 400, "message": "m", "metadata": {"provider_name": "Inner"}},
        "metadata": {"provider_name": "Outer"},
    }
    assert status_error(400, body).metadata == {"provider_name": "Inner"}


def test_guardrail_403_keeps_metadata() -> None:
    body = {
        "error": {
            "code": 403,
            "message": "Request blocked: prompt injection patterns detected",
            "metadata": {"patterns": ["ignore all previous instructions"]},
        },
        "openrouter_metadata": {"attempt": 1},
    }
    exc = status_error(403, body)
    assert type(exc) is PermissionDeniedError
    assert exc.metadata["patterns"] == ["ignore all previous instructions"]
    assert "prompt injection" in str(exc)


def test_moderation_403_names_the_flags() -> None:
    body = {
        "error": {
            "code": 403,
            "message": "openai/gpt-4o requires moderation on OpenAI. Your input was flagged",
            "metadata": {
                "reasons": ["harassment", "violence"],
                "flagged_input": "...",
                "provider_name": "OpenAI",
                "model_slug": "openai/gpt-4o",
            },
        }
    }
    text = str(status_error(403, body))
    assert "flagged: harassment, violence" in text


def test_availability_429_with_nested_error_type() -> None:
    body = {
        "error": {
            "message": "All providers for anthropic/claude-sonnet-4.5 are at capacity. Retry after 40 seconds.",
            "error_type": "rate_limit_exceeded",
            "http_status": 429,
            "metadata": {"previous_errors": [{"provider": "anthropic", "status": 429}]},
        }
    }
    exc = status_error(429, body, {"Retry-After": "40"})
    assert type(exc) is RateLimitError
    assert exc.code is None
    assert exc.retry_after == 40.0
    assert "at capacity" in str(exc)


def test_long_raw_provider_detail_is_flattened_and_cut() -> None:
    raw = "line one\n\n   line two " + "x" * 2000
    exc = status_error(
        400,
        {
            "error": {
                "code": 502,
                "message": "Provider returned error",
                "metadata": {"provider_name": "Groq", "raw": raw},
            }
        },
    )
    assert "line one line two" in exc.message
    assert len(exc.message) < 400
    assert exc.message.endswith("…)")


CLOUDFLARE_502 = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>openrouter.ai | 502: Bad gateway</title>
<style>body{font-family:sans-serif}</style></head>
<body><div id="cf-wrapper"><h1><span>Bad gateway</span> <span>Error code 502</span></h1>
<p>The web server reported a bad gateway error.</p></div></body></html>"""


def test_html_502_page_becomes_a_clean_message() -> None:
    exc = status_error(502, CLOUDFLARE_502, {"content-type": "text/html"})
    assert type(exc) is ServerError
    assert "openrouter.ai | 502: Bad gateway" in exc.message
    assert "<" not in exc.message and ">" not in exc.message
    assert "\n" not in str(exc)
    assert exc.code is None and exc.metadata == {}


def test_html_without_title_loses_its_tags() -> None:
    exc = status_error(504, b"<html><body><h1>504 Gateway Time-out</h1>\n<hr><center>nginx</center></body></html>")
    assert "504 Gateway Time-out nginx" in exc.message
    assert "<" not in exc.message


def test_plain_text_body_is_the_message() -> None:
    exc = status_error(503, b"upstream connect error or disconnect/reset before headers")
    assert "upstream connect error" in exc.message


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_empty_body_says_so(body: bytes) -> None:
    exc = status_error(503, body)
    assert "503" in exc.message
    assert "empty" in exc.message
    assert "HTTP 503" in str(exc)


def test_very_long_text_body_is_cut() -> None:
    exc = status_error(500, b"Z" * 10_000)
    assert len(exc.message) < 400


def test_error_as_plain_string() -> None:
    exc = status_error(401, {"error": "Unauthorized"})
    assert type(exc) is AuthenticationError
    assert exc.message == "Unauthorized"


def test_message_without_error_wrapper() -> None:
    exc = status_error(500, {"message": "Internal Server Error", "code": "server_error"})
    assert exc.message == "Internal Server Error"
    assert exc.code == "server_error"


def test_generation_id_header_is_kept() -> None:
    exc = status_error(500, SHAPE_A_401, {"X-Generation-Id": "gen-123-abc"})
    assert exc.generation_id == "gen-123-abc"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, InsufficientCreditsError),
        (403, PermissionDeniedError),
        (404, BadRequestError),
        (408, ServerError),
        (409, ServerError),
        (413, BadRequestError),
        (422, BadRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (520, ServerError),
        (529, ServerError),
    ],
)
def test_status_maps_to_exception_class(status: int, cls: type[APIStatusError]) -> None:
    exc = status_error(status, {"error": {"code": status, "message": f"problem {status}"}})
    assert type(exc) is cls
    assert exc.status == status
    assert f"HTTP {status}" in str(exc) and f"problem {status}" in str(exc) and "openai/gpt-oss-20b" in str(exc)


@pytest.mark.parametrize("inner", [502, 503, 529])
def test_400_wrapping_a_transient_provider_failure_is_a_retryable_server_error(inner: int) -> None:
    exc = status_error(400, {"error": {"code": inner, "message": "Provider returned error"}})
    assert type(exc) is ServerError
    assert (exc.status, exc.code) == (400, inner)
    assert f"code {inner}" in str(exc)
    assert RetryPolicy().is_retryable(exc)


@pytest.mark.parametrize("inner", [400, "502", "invalid_prompt", None])
def test_400_with_other_inner_codes_stays_a_bad_request(inner: Any) -> None:
    exc = status_error(400, {"error": {"code": inner, "message": "nope"}})
    assert type(exc) is BadRequestError
    assert not RetryPolicy().is_retryable(exc)


# Retry-After


def test_retry_after_seconds() -> None:
    assert parse_retry_after(httpx2.Headers({"Retry-After": "7"})) == 7.0
    assert parse_retry_after(httpx2.Headers({"retry-after": "0.25"})) == 0.25


def test_retry_after_ms_wins() -> None:
    assert parse_retry_after(httpx2.Headers({"retry-after-ms": "1500", "Retry-After": "9"})) == 1.5


def test_retry_after_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    seconds = parse_retry_after(httpx2.Headers({"Retry-After": format_datetime(when, usegmt=True)}))
    assert seconds is not None and 25 <= seconds <= 31


def test_retry_after_http_date_in_the_past_is_zero() -> None:
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0


def test_retry_after_date_without_timezone_is_read_as_utc() -> None:
    # "-0000" parses to a naive datetime; it must not crash the error path.
    when = (datetime.now(UTC) + timedelta(seconds=60)).strftime("%a, %d %b %Y %H:%M:%S -0000")
    seconds = parse_retry_after({"retry-after": when})
    assert seconds is not None and 50 <= seconds <= 61


@pytest.mark.parametrize("value", ["soon", "nan", "inf", "-inf", ""])
def test_unusable_retry_after_is_ignored(value: str) -> None:
    assert parse_retry_after({"retry-after": value}) is None
    assert parse_retry_after({"retry-after-ms": value}) is None


def test_negative_retry_after_is_zero() -> None:
    assert parse_retry_after({"retry-after": "-5"}) == 0.0


def test_no_retry_after() -> None:
    assert parse_retry_after({}) is None
    assert status_error(429, SHAPE_A_401).retry_after is None


# RetryPolicy


def make(
    cls: type[APIError], status: int | None = None, code: Any = None, retry_after: float | None = None
) -> APIError:
    return cls("x", status=status, code=code, models=MODELS, retry_after=retry_after)


RETRYABLE = [
    make(RateLimitError, 429),
    make(ServerError, 408),
    make(ServerError, 409),
    make(ServerError, 500),
    make(ServerError, 502),
    make(ServerError, 503),
    make(ServerError, 400, code=529),
    make(APIConnectionError),
    make(APITimeoutError),
    make(StreamInterruptedError),
]
NOT_RETRYABLE = [
    make(BadRequestError, 400),
    make(BadRequestError, 404),
    make(BadRequestError, 422),
    make(AuthenticationError, 401),
    make(InsufficientCreditsError, 402),
    make(PermissionDeniedError, 403),
    make(ServerError, 418),
    make(ResponseFailedError),
    make(IncompleteResponseError),
]


@pytest.mark.parametrize("exc", RETRYABLE, ids=repr)
def test_retryable(exc: APIError) -> None:
    policy = RetryPolicy()
    assert policy.is_retryable(exc)
    assert policy.delay(exc, 0, None) is not None


@pytest.mark.parametrize("exc", NOT_RETRYABLE, ids=repr)
def test_not_retryable(exc: APIError) -> None:
    policy = RetryPolicy()
    assert not policy.is_retryable(exc)
    assert policy.delay(exc, 0, None) is None


@pytest.mark.parametrize("max_retries", [0, 1, 2, 5])
def test_max_retries(max_retries: int) -> None:
    policy = RetryPolicy(max_retries=max_retries)
    exc = make(ServerError, 503)
    delays = [policy.delay(exc, done, None) for done in range(max_retries + 2)]
    assert all(d is not None for d in delays[:max_retries])
    assert delays[max_retries:] == [None, None]


def test_retry_after_is_honoured_exactly() -> None:
    policy = RetryPolicy()
    assert policy.delay(make(RateLimitError, 429, retry_after=3.0), 0, None) == 3.0
    assert policy.delay(make(RateLimitError, 429, retry_after=0.0), 1, None) == 0.0


def test_a_retry_after_beyond_the_cap_is_reported_not_waited_out() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    assert policy.delay(make(RateLimitError, 429, retry_after=3600.0), 0, None) is None
    assert policy.delay(make(RateLimitError, 429, retry_after=60.0), 0, None) == 60.0
    assert RetryPolicy(max_retry_after=5.0).delay(make(ServerError, 503, retry_after=30.0), 0, None) is None


def test_no_wait_runs_past_the_deadline() -> None:
    policy = RetryPolicy()
    assert policy.delay(make(RateLimitError, 429, retry_after=3.0), 0, time_left=2.0) is None
    assert policy.delay(make(RateLimitError, 429, retry_after=3.0), 0, time_left=3.5) == 3.0
    assert policy.delay(make(ServerError, 503), 0, time_left=0.1) is None  # backoff ≥ 0.375 s
    assert policy.delay(make(ServerError, 503), 0, time_left=0.0) is None
    assert policy.delay(make(ServerError, 503), 0, time_left=-1.0) is None
    assert policy.delay(make(ServerError, 503), 0, time_left=100.0) is not None


@pytest.mark.parametrize("retries_done", range(7))
def test_backoff_grows_with_jitter_within_bounds(retries_done: int, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = RetryPolicy(max_retries=10)
    exc = make(ServerError, 503)
    ceiling = min(0.5 * 2**retries_done, 8.0)
    monkeypatch.setattr(random, "random", lambda: 0.0)
    assert policy.delay(exc, retries_done, None) == pytest.approx(ceiling)
    monkeypatch.setattr(random, "random", lambda: 0.999999)
    assert policy.delay(exc, retries_done, None) == pytest.approx(ceiling * 0.75, rel=1e-5)
    monkeypatch.undo()
    samples = {policy.delay(exc, retries_done, None) for _ in range(200)}
    assert all(ceiling * 0.75 <= s <= ceiling for s in samples)  # type: ignore[operator]
    assert len(samples) > 1  # there is jitter


def test_backoff_is_not_synchronised_between_clients() -> None:
    exc = make(ServerError, 503)
    rng_state = random.getstate()
    try:
        waits = [RetryPolicy().delay(exc, 1, None) for _ in range(50)]
    finally:
        random.setstate(rng_state)
    assert max(waits) - min(waits) > 0.01  # type: ignore[operator]
