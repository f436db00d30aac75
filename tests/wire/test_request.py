"""Request bodies: the builder's rules, and every body routerkit builds validates against OpenRouter's schema."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routerkit.errors import UsageError
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.wire._request import (
    REASONING_EFFORTS,
    build_body,
    check_input,
    check_model_id,
    check_models,
    check_range,
    check_reasoning,
)
from tests.openapi_schema import OpenAPIValidationError, validate


def test_fields_left_as_none_are_not_sent() -> None:
    body = build_body("m", "hi", stream=False, fields={"reasoning": None, "temperature": 0.0, "tools": None})
    assert body == {"model": "m", "input": "hi", "temperature": 0.0}


def test_stream_flag_and_extra_body() -> None:
    body = build_body("m", [{"role": "user", "content": "x"}], stream=True, fields={}, extra_body={"top_k": 3})
    assert body == {"model": "m", "input": [{"role": "user", "content": "x"}], "stream": True, "top_k": 3}


def test_checks_return_normalised_values() -> None:
    assert check_model_id("openai/gpt-4o") == "openai/gpt-4o"
    assert check_models(("a/b", "c/d")) == ["a/b", "c/d"]
    assert check_models(None) is None
    assert check_reasoning({"effort": "low"}) == {"effort": "low"}
    assert check_range("temperature", 1, 0.0, 2.0) == 1.0
    assert check_range("temperature", None, 0.0, 2.0) is None
    assert check_input("text") == "text"
    assert check_input(({"type": "message", "role": "user", "content": "x"},)) == [
        {"type": "message", "role": "user", "content": "x"}
    ]


@pytest.mark.parametrize("effort", REASONING_EFFORTS)
def test_every_accepted_effort_is_in_the_schema(effort: str) -> None:
    validate("ResponsesRequest", OpenRouterResponses(reasoning={"effort": effort}).request_body("x"))


def test_validator_rejects_what_openrouter_rejects() -> None:
    # The check below is only worth something if the schema can fail.
    with pytest.raises(OpenAPIValidationError):
        validate("ResponsesRequest", {"model": "m", "input": "x", "store": True})
    with pytest.raises(OpenAPIValidationError):
        validate("ResponsesRequest", {"model": "m", "input": "x", "reasoning": {"effort": "extreme"}})


TOOLS = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        "strict": True,
    },
    {"type": "function", "name": "llm_version", "parameters": {"type": "object", "properties": {}}},
]
TEXT_FORMATS = [
    None,
    {"type": "text"},
    {"type": "json_object"},
    {
        "type": "json_schema",
        "name": "answer",
        "schema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
        "strict": True,
    },
    {"type": "json_schema", "name": "loose", "schema": {"type": "object"}, "description": "any object"},
]
REASONINGS = [
    None,
    {"enabled": True},
    {"enabled": False},
    {"effort": "minimal", "summary": "auto"},
    {"effort": "xhigh", "summary": "detailed"},
    {"max_tokens": 4000},
    {"enabled": True, "effort": "high", "summary": "concise", "max_tokens": 1024},
    {"context": "all_turns", "mode": "standard"},
]
PROVIDERS = [
    "OpenRouter",
    {"order": ["openai", "together"], "allow_fallbacks": False},
    {"only": ["openai"], "require_parameters": True, "data_collection": "deny"},
    {"sort": "throughput", "ignore": ["deepinfra"]},
]
PLUGINS = [None, [{"id": "web", "max_results": 3}], [{"id": "response-healing"}], [{"id": "file-parser"}]]
INPUTS = [
    "Write a haiku about coding",
    [{"role": "user", "content": "hi"}],
    [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "input_text", "text": "What is the current llm version?"}]},
        {"type": "function_call", "call_id": "call_1", "name": "llm_version", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "0.0+test"},
    ],
    [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Describe image in three words"},
                {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "auto"},
            ],
        }
    ],
    [
        {"role": "user", "content": "What is 2+2?"},
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "Adding."}],
            "encrypted_content": "gAAAA",
        },
        {
            "type": "message",
            "role": "assistant",
            "id": "msg_1",
            "status": "completed",
            "content": [{"type": "output_text", "text": "4", "annotations": []}],
        },
        {"role": "user", "content": "And 3+3?"},
    ],
]


@st.composite
def model_and_call(draw: st.DrawFn) -> tuple[OpenRouterResponses, dict[str, Any], Any]:
    model = OpenRouterResponses(
        id=draw(st.sampled_from(["openai/gpt-oss-20b", "anthropic/claude-sonnet-4", "openai/gpt-4o:online"])),
        models=draw(st.sampled_from([None, ["openai/gpt-oss-20b", "openai/gpt-4o"], ["meta-llama/llama-3.3-70b"]])),
        reasoning=draw(st.sampled_from(REASONINGS)),
        temperature=draw(st.one_of(st.none(), st.floats(0, 2))),
        top_p=draw(st.one_of(st.none(), st.floats(0, 1))),
        max_output_tokens=draw(st.one_of(st.none(), st.integers(1, 100_000))),
        verbosity=draw(st.sampled_from([None, "low", "medium", "high"])),
        include=draw(st.sampled_from([None, ["reasoning.encrypted_content"]])),
        metadata=draw(st.sampled_from([None, {"run": "abc", "user_tier": "free"}])),
        user=draw(st.sampled_from([None, "user-42"])),
        provider=draw(st.sampled_from(PROVIDERS)),
        plugins=draw(st.sampled_from(PLUGINS)),
    )
    options: dict[str, Any] = {
        "instructions": draw(st.sampled_from([None, "You are terse."])),
        "text_format": draw(st.sampled_from(TEXT_FORMATS)),
    }
    if draw(st.booleans()):
        options["tools"] = draw(st.sampled_from([TOOLS[:1], TOOLS]))
        options["tool_choice"] = draw(
            st.sampled_from([None, "auto", "required", "none", {"type": "function", "name": "get_weather"}])
        )
    return model, options, draw(st.sampled_from(INPUTS))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=model_and_call(), stream=st.booleans())
def test_every_built_body_validates_against_the_openapi_schema(
    case: tuple[OpenRouterResponses, dict[str, Any], Any], stream: bool
) -> None:
    model, options, input_ = case
    body = model.request_body(input_, stream=stream, **options)
    validate("ResponsesRequest", body)
    assert body["store"] is False
    assert "previous_response_id" not in body
    assert ("reasoning" in body) is (model.reasoning is not None)


@pytest.mark.parametrize("reasoning", REASONINGS)
@pytest.mark.parametrize("text_format", TEXT_FORMATS)
def test_reasoning_and_formats_validate(reasoning: dict[str, Any] | None, text_format: dict[str, Any] | None) -> None:
    model = OpenRouterResponses(reasoning=reasoning, models=["openai/gpt-oss-20b", "openai/gpt-4o"])
    body = model.request_body("x", stream=True, tools=TOOLS, tool_choice="auto", text_format=text_format)
    validate("ResponsesRequest", body)


def test_usage_error_precedes_schema() -> None:
    # What the schema would reject, routerkit refuses itself first.
    with pytest.raises(UsageError):
        OpenRouterResponses(reasoning={"effort": "extreme"})
