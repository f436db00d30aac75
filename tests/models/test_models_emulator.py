"""Every emulator row through each of the four model drivers, over real loopback HTTP.

Each case ends in the right result or the right typed error, within a bound derived from the configured
timeouts and retries (a hang guard, not a speed assertion).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from routerkit.errors import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    RateLimitError,
    ResponseFailedError,
    ServerError,
    StreamInterruptedError,
)
from routerkit.wire._events import FunctionCallEvent, ReasoningDelta, ResponseCompleted, TextDelta
from routerkit.wire._response import ModelResponse

from ..openapi_schema import validate

DRIVERS = ["invoke", "invoke_stream", "ainvoke", "ainvoke_stream"]
TOOL = {
    "type": "function",
    "name": "lookup",
    "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
}
CITY_FORMAT = {
    "type": "json_schema",
    "name": "city",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["name", "population"],
        "additionalProperties": False,
    },
}


async def call(
    model: Any, driver: str, input: Any = "hello routerkit world", **options: Any
) -> tuple[ModelResponse, list[Any]]:
    if driver == "invoke":
        return model.invoke(input, **options), []
    if driver == "ainvoke":
        return await model.ainvoke(input, **options), []
    if driver == "invoke_stream":
        events = list(model.invoke_stream(input, **options))
    else:
        events = [e async for e in model.ainvoke_stream(input, **options)]
    assert type(events[-1]) is ResponseCompleted and all(type(e) is not ResponseCompleted for e in events[:-1])
    return events[-1].response, events


@pytest.mark.parametrize("driver", DRIVERS)
async def test_echo(make_model, driver):
    response, events = await call(make_model("emulator/echo"), driver)
    assert response.text == "hello routerkit world" and response.status == "completed"
    assert (
        response.model == "emulator/echo" and response.id.startswith("gen-") and response.generation_id == response.id
    )
    assert response.usage.cost > 0 and response.usage.input_tokens > 0 and response.usage.is_byok is False
    if events:
        assert [e.delta for e in events if type(e) is TextDelta] == ["hello ", "routerkit ", "world"]
        assert 0 < response.time_to_first_token <= response.duration


@pytest.mark.parametrize("driver", DRIVERS)
async def test_markdown_n_arrives_in_n_deltas(make_model, driver):
    response, events = await call(make_model("emulator/markdown-120"), driver)
    assert response.text.startswith("#") and "```" in response.text and "|" in response.text
    if events:
        deltas = [e.delta for e in events if type(e) is TextDelta]
        assert len(deltas) == 120 and "".join(deltas) == response.text


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(
    ("model_id", "kind"), [("emulator/reasoning", "text"), ("emulator/reasoning-summary", "summary")]
)
async def test_reasoning_shapes(make_model, driver, model_id, kind):
    response, events = await call(make_model(model_id, reasoning={"enabled": True}), driver)
    reasoning = response.reasoning_text if kind == "text" else response.reasoning_summary
    other = response.reasoning_summary if kind == "text" else response.reasoning_text
    assert reasoning and not other and response.text and response.text not in reasoning
    assert response.usage.reasoning_tokens > 0
    if events:
        assert (
            "".join(e.delta for e in events if type(e) is ReasoningDelta and e.kind == kind).strip()
            == reasoning.strip()
        )


@pytest.mark.parametrize("driver", DRIVERS)
async def test_encrypted_reasoning(make_model, driver):
    response, _ = await call(make_model("emulator/reasoning-encrypted"), driver)
    assert response.reasoning_encrypted and not response.reasoning
    [item] = [i for i in response.output if i["type"] == "reasoning"]
    assert item["encrypted_content"]


@pytest.mark.parametrize("driver", DRIVERS)
async def test_tool_call_then_answer(make_model, driver):
    model = make_model("emulator/tool")
    response, events = await call(model, driver, tools=[TOOL])
    [fc] = response.function_calls
    assert fc.name == "lookup" and '"q"' in fc.arguments
    if events:
        assert [e.call for e in events if type(e) is FunctionCallEvent] == [fc]
    follow_up = [
        {"role": "user", "content": "look it up"},
        *response.output,
        {"type": "function_call_output", "call_id": fc.call_id, "output": "forty-two"},
    ]
    answer, _ = await call(model, driver, follow_up, tools=[TOOL])
    assert "forty-two" in answer.text and not answer.function_calls


@pytest.mark.parametrize("driver", DRIVERS)
async def test_json_output(make_model, driver):
    import json

    response, _ = await call(make_model("emulator/json"), driver, text_format=CITY_FORMAT)
    value = json.loads(response.text)
    assert isinstance(value["name"], str) and isinstance(value["population"], int)


@pytest.mark.parametrize("driver", DRIVERS)
async def test_fallback_list_and_routing_metadata(emu, make_model, driver):
    model = make_model(
        "emulator/fail-429", models=["emulator/fail-429", "emulator/fail-502", "emulator/echo"], routing_metadata=True
    )
    response, _ = await call(model, driver)
    assert response.model == "emulator/echo" and response.fallback_used
    assert response.openrouter_metadata and response.openrouter_metadata.get("requested")
    body = emu.requests[-1].body
    assert body["models"] == ["emulator/fail-429", "emulator/fail-502", "emulator/echo"] and body["store"] is False
    assert emu.requests[-1].headers["x-openrouter-metadata"] == "enabled"
    assert len(emu.requests) == 1  # the fallback happened server-side


FAILURES = [
    ("emulator/fail-429", RateLimitError, 429),
    ("emulator/fail-502", ServerError, 502),
    ("emulator/fail-503-in-400", ServerError, 400),
    ("emulator/unavailable", ServerError, 503),
    ("emulator/no-such-model", BadRequestError, 400),
]


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(("model_id", "error", "status"), FAILURES)
async def test_pre_stream_failures(emu, make_model, driver, model_id, error, status):
    model = make_model(model_id, max_retries=1)
    started = time.perf_counter()
    with pytest.raises(error) as info:
        await call(model, driver)
    assert info.value.status == status and info.value.models == [model_id]
    retried = error is not BadRequestError
    assert len(emu.requests) == (2 if retried else 1)
    # One retry: at most the server's Retry-After (1 s) or the first backoff step, plus slack.
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("driver", DRIVERS)
async def test_flaky_recovers_within_retries(emu, make_model, driver):
    response, _ = await call(make_model("emulator/flaky-1", max_retries=1), driver, f"flaky {driver}")
    assert response.text == f"flaky {driver}" and len(emu.requests) == 2


@pytest.mark.parametrize("driver", ["invoke_stream", "ainvoke_stream"])
@pytest.mark.parametrize(
    ("model_id", "error"),
    [
        ("emulator/stall", APITimeoutError),
        ("emulator/truncate", StreamInterruptedError),
        ("emulator/error-event", ResponseFailedError),
        ("emulator/failed", ResponseFailedError),
    ],
)
async def test_mid_stream_failures_keep_the_partial_text_and_are_not_retried(emu, make_model, driver, model_id, error):
    model = make_model(model_id, max_retries=2, stall_timeout=0.5)
    started = time.perf_counter()
    seen: list[str] = []
    with pytest.raises(error) as info:
        if driver == "invoke_stream":
            for event in model.invoke_stream("x"):
                seen.append(event.delta)
        else:
            async for event in model.ainvoke_stream("x"):
                seen.append(event.delta)
    assert len(seen) == 3 and info.value.partial_text == "".join(seen)
    assert len(emu.requests) == 1  # output had reached the caller: no retry
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("driver", ["invoke", "ainvoke"])
@pytest.mark.parametrize(
    ("model_id", "error"), [("emulator/stall", APITimeoutError), ("emulator/truncate", APIConnectionError)]
)
async def test_non_streamed_stall_and_truncate_are_bounded(make_model, driver, model_id, error):
    model = make_model(model_id, max_retries=0, stall_timeout=0.5)
    started = time.perf_counter()
    with pytest.raises(error):
        await call(model, driver)
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("driver", DRIVERS)
async def test_incomplete_is_a_result_with_its_reason(make_model, driver):
    response, _ = await call(make_model("emulator/incomplete"), driver)
    assert response.status == "incomplete" and response.incomplete_reason == "max_output_tokens"
    assert response.text


@pytest.mark.parametrize("driver", ["invoke_stream", "ainvoke_stream"])
async def test_total_timeout_bounds_a_paced_stream(make_model, driver):
    model = make_model("emulator/markdown-500@20", timeout=0.6, max_retries=0)
    started = time.perf_counter()
    with pytest.raises(APITimeoutError, match=r"timeout=0\.6s") as info:
        await call(model, driver)
    assert info.value.partial_text  # what streamed before the deadline is kept
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("driver", ["invoke_stream", "ainvoke_stream"])
async def test_openai_framing_parses_the_same(make_model, driver):
    plain, _ = await call(make_model("emulator/reasoning"), driver)
    framed, _ = await call(make_model("emulator/reasoning", extra_headers={"X-Emulator-Framing": "openai"}), driver)
    assert (framed.text, framed.reasoning_text) == (plain.text, plain.reasoning_text)


async def test_request_bodies_sent_validate_against_the_openapi_schema(emu, make_model):
    model = make_model(
        "openai/gpt-4o",
        models=["openai/gpt-4o", "openai/gpt-4o-mini"],
        reasoning={"effort": "low", "summary": "auto"},
        temperature=0.2,
        top_p=0.9,
        max_output_tokens=500,
        verbosity="low",
        include=["reasoning.encrypted_content"],
        metadata={"app": "tests"},
        user="u1",
        provider={"order": ["openai"], "allow_fallbacks": True},
        plugins=[{"id": "web"}],
    )
    await call(
        model,
        "invoke_stream",
        [{"role": "user", "content": "hi"}],
        instructions="Be brief.",
        tools=[TOOL],
        text_format=CITY_FORMAT,
    )
    await call(model, "ainvoke")
    for request in emu.requests:
        validate("ResponsesRequest", request.body)
