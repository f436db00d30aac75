"""OpenRouterResponses before any byte is sent: the seed's defaults, the body, the headers, and every refusal."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx2
import pytest

from routerkit.errors import APIError, UsageError
from routerkit.models.openai import OpenAIResponses
from routerkit.models.openrouter import OpenRouterResponses

from ..wire.streams import text_stream
from .mock import Server, json_reply, sse_reply

KEY = "sk-or-v1-config-canary-5f5f5f5f5f5f"
OK_BODY = {
    "id": "gen-1-x",
    "model": "openai/gpt-oss-20b",
    "status": "completed",
    "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "ok"}]}],
}
SEED = {"id": "openai/gpt-oss-20b", "reasoning": {"enabled": True}, "models": ["openai/gpt-oss-20b", "openai/gpt-4o"]}


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_the_seeds_table() -> None:
    model = OpenRouterResponses()
    assert model.id == "openai/gpt-oss-20b"
    assert model.name == "OpenRouterResponses"
    assert model.provider == "OpenRouter"
    assert model.api_key is None
    assert model.base_url == "https://openrouter.ai/api/v1"
    assert model.models is None
    assert model.store is False
    assert model.reasoning is None
    fields = {f.name: f.default for f in dataclasses.fields(OpenRouterResponses)}
    assert fields["id"] == "openai/gpt-oss-20b"
    assert fields["base_url"] == "https://openrouter.ai/api/v1"
    assert fields["store"] is False


def test_seed_call_builds_the_expected_body() -> None:
    body = OpenRouterResponses(**SEED).request_body("Write a haiku about coding", stream=True)
    assert body == {
        "model": "openai/gpt-oss-20b",
        "input": "Write a haiku about coding",
        "models": ["openai/gpt-oss-20b", "openai/gpt-4o"],
        "reasoning": {"enabled": True},
        "store": False,
        "stream": True,
    }


def test_default_body_is_minimal() -> None:
    body = OpenRouterResponses().request_body("hi")
    assert body == {"model": "openai/gpt-oss-20b", "input": "hi", "store": False}
    assert "reasoning" not in body and "previous_response_id" not in body and "stream" not in body


def test_all_options_reach_the_body() -> None:
    model = OpenRouterResponses(
        id="anthropic/claude-sonnet-4",
        models=["openai/gpt-4o"],
        reasoning={"effort": "high", "summary": "auto", "max_tokens": 2000},
        temperature=0.2,
        top_p=0.9,
        max_output_tokens=512,
        verbosity="low",
        include=["reasoning.encrypted_content"],
        metadata={"run": "1"},
        user="u-1",
        provider={"order": ["anthropic"], "allow_fallbacks": False},
        plugins=[{"id": "web", "max_results": 3}],
        extra_body={"top_k": 40, "session_id": "s-1"},
    )
    tools = [{"type": "function", "name": "f", "parameters": {"type": "object", "properties": {}}}]
    fmt = {"type": "json_schema", "name": "out", "schema": {"type": "object"}, "strict": True}
    body = model.request_body("q", instructions="be brief", tools=tools, tool_choice="auto", text_format=fmt)
    assert body["instructions"] == "be brief"
    assert body["tools"] == tools and body["tool_choice"] == "auto"
    assert body["text"] == {"verbosity": "low", "format": fmt}
    assert body["reasoning"] == {"effort": "high", "summary": "auto", "max_tokens": 2000}
    assert (body["temperature"], body["top_p"], body["max_output_tokens"]) == (0.2, 0.9, 512)
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["metadata"] == {"run": "1"} and body["user"] == "u-1"
    assert body["provider"] == {"order": ["anthropic"], "allow_fallbacks": False}
    assert body["plugins"] == [{"id": "web", "max_results": 3}]
    assert body["models"] == ["openai/gpt-4o"]
    assert body["top_k"] == 40 and body["session_id"] == "s-1"
    assert body["store"] is False


def test_provider_label_is_not_sent() -> None:
    assert "provider" not in OpenRouterResponses(provider="OpenRouter").request_body("x")


def test_input_items_are_sent_as_a_list() -> None:
    items = (
        {"role": "user", "content": "What is the current llm version?"},
        {"type": "function_call", "call_id": "c1", "name": "llm_version", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "0.0+test"},
    )
    assert OpenRouterResponses().request_body(items)["input"] == list(items)


def test_api_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    server = Server(json_reply(OK_BODY))
    with server.client() as client:
        OpenRouterResponses(http_client=client).invoke("hi")
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_explicit_api_key_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-env")
    server = Server(json_reply(OK_BODY))
    with server.client() as client:
        OpenRouterResponses(api_key=KEY, http_client=client).invoke("hi")
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_missing_api_key_is_refused_before_any_request() -> None:
    server = Server(json_reply(OK_BODY))
    with server.client() as client, pytest.raises(UsageError, match="OPENROUTER_API_KEY"):
        OpenRouterResponses(http_client=client).invoke("hi")
    assert server.requests == []


def test_base_url_env_overrides_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:8765/api/v1/")
    assert OpenRouterResponses().base_url == "http://127.0.0.1:8765/api/v1"
    # An explicit base_url is not overridden.
    assert OpenRouterResponses(base_url="https://proxy.example/v1").base_url == "https://proxy.example/v1"


def test_base_url_env_does_not_change_openai_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:1/api/v1")
    assert OpenAIResponses().base_url == "https://api.openai.com/v1"


def test_request_goes_to_base_url_responses() -> None:
    server = Server(json_reply(OK_BODY))
    with server.client() as client:
        OpenRouterResponses(api_key=KEY, base_url="https://proxy.example/api/v1/", http_client=client).invoke("hi")
    assert str(server.requests[0].url) == "https://proxy.example/api/v1/responses"
    assert server.requests[0].method == "POST"


def capture(model: OpenRouterResponses, stream: bool = False) -> httpx2.Request:
    server = Server(sse_reply(text_stream(["ok"])) if stream else json_reply(OK_BODY))
    with server.client() as client:
        model = dataclasses.replace(model, http_client=client)
        if stream:
            assert list(model.invoke_stream("hi"))[-1].response.text == "ok"
        else:
            assert model.invoke("hi").text == "ok"
    assert len(server.requests) == 1
    return server.requests[0]


def test_headers_default() -> None:
    request = capture(OpenRouterResponses(api_key=KEY))
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("routerkit/")
    for name in ("http-referer", "x-openrouter-title", "x-openrouter-metadata", "x-title"):
        assert name not in request.headers


def test_headers_attribution_and_metadata() -> None:
    model = OpenRouterResponses(
        api_key=KEY,
        app_url="https://myapp.example",
        app_title="My App",
        routing_metadata=True,
        extra_headers={"X-OpenRouter-Categories": "cli-agent"},
    )
    request = capture(model)
    assert request.headers["http-referer"] == "https://myapp.example"
    assert request.headers["x-openrouter-title"] == "My App"
    assert request.headers["x-openrouter-metadata"] == "enabled"
    assert request.headers["x-openrouter-categories"] == "cli-agent"


def test_streaming_request_asks_for_sse() -> None:
    request = capture(OpenRouterResponses(api_key=KEY), stream=True)
    assert request.headers["accept"] == "text/event-stream"
    assert json.loads(request.content)["stream"] is True


def test_sent_body_is_the_request_body() -> None:
    model = OpenRouterResponses(api_key=KEY, **SEED)
    request = capture(model)
    assert json.loads(request.content) == model.request_body("hi")
    assert "previous_response_id" not in json.loads(request.content)


def test_api_key_never_in_repr_or_errors() -> None:
    model = OpenRouterResponses(api_key=KEY, extra_headers={"X-Secret": KEY})
    assert KEY not in repr(model)
    assert KEY not in str(model)
    server = Server(json_reply({"error": {"code": 401, "message": "User not found."}}, status=401))
    with server.client() as client:
        model = dataclasses.replace(model, http_client=client)
        with pytest.raises(APIError) as info:
            model.invoke("hi")
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert KEY not in repr(vars(info.value))


def test_store_true_is_refused() -> None:
    with pytest.raises(UsageError, match="store"):
        OpenRouterResponses(store=True)


@pytest.mark.parametrize("extra", [{"previous_response_id": "resp_1"}, {"store": True}])
def test_stateful_extra_body_is_refused(extra: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match=next(iter(extra))):
        OpenRouterResponses(extra_body=extra)


BAD: list[tuple[dict[str, Any], str]] = [
    ({"id": ""}, "id"),
    ({"id": "   "}, "id"),
    ({"id": " openai/gpt-4o"}, "id"),
    ({"id": None}, "id"),
    ({"id": 42}, "id"),
    ({"models": "openai/gpt-4o"}, "models"),
    ({"models": ["openai/gpt-4o", 7]}, r"models\[1\]"),
    ({"models": ["openai/gpt-4o", ""]}, r"models\[1\]"),
    ({"models": 5}, "models"),
    ({"reasoning": {"enabled": True, "exclude": True}}, "exclude"),
    ({"reasoning": {"effort": "extreme"}}, "effort"),
    ({"reasoning": {"summary": "long"}}, "summary"),
    ({"reasoning": {"enabled": "yes"}}, "enabled"),
    ({"reasoning": {"max_tokens": 0}}, "max_tokens"),
    ({"reasoning": {"max_tokens": True}}, "max_tokens"),
    ({"reasoning": "high"}, "reasoning"),
    ({"temperature": -0.1}, "temperature"),
    ({"temperature": 2.5}, "temperature"),
    ({"temperature": float("nan")}, "temperature"),
    ({"temperature": "0.5"}, "temperature"),
    ({"temperature": True}, "temperature"),
    ({"top_p": 1.01}, "top_p"),
    ({"top_p": -1}, "top_p"),
    ({"max_output_tokens": 0}, "max_output_tokens"),
    ({"max_output_tokens": 1.5}, "max_output_tokens"),
    ({"max_retries": -1}, "max_retries"),
    ({"base_url": "http://openrouter.example/api/v1"}, "base_url"),
    ({"base_url": "ftp://openrouter.ai/api/v1"}, "base_url"),
    ({"base_url": "openrouter.ai/api/v1"}, "base_url"),
    ({"provider": 5}, "provider"),
    ({"plugins": [{"max_results": 3}]}, "plugins"),
    ({"plugins": "web"}, "plugins"),
]


@pytest.mark.parametrize(("kwargs", "names"), BAD, ids=[f"{k}" for k, _ in BAD])
def test_bad_parameters_are_refused_naming_the_parameter(kwargs: dict[str, Any], names: str) -> None:
    with pytest.raises(UsageError, match=names):
        OpenRouterResponses(api_key=KEY, **kwargs)


def test_usage_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        OpenRouterResponses(temperature=9)


@pytest.mark.parametrize(
    "base_url",
    ["http://localhost:8080/api/v1", "http://127.0.0.1:9/api/v1", "http://[::1]:9/api/v1", "https://x.example/v1"],
)
def test_loopback_http_and_https_are_accepted(base_url: str) -> None:
    assert OpenRouterResponses(base_url=base_url).base_url == base_url


def test_insecure_http_can_be_allowed_explicitly() -> None:
    model = OpenRouterResponses(base_url="http://gateway.internal/api/v1", allow_insecure_http=True)
    assert model.base_url == "http://gateway.internal/api/v1"


@pytest.mark.parametrize(
    ("value", "names"),
    [
        (5, "input"),
        (None, "input"),
        (b"bytes", "input"),
        ([1], r"input\[0\]"),
        ([{"role": "user", "content": "ok"}, {"content": "no role"}], r"input\[1\]"),
        (["a", "b"], r"input\[0\]"),
    ],
)
def test_bad_input_is_refused_before_any_request(value: Any, names: str) -> None:
    server = Server(json_reply(OK_BODY))
    with server.client() as client:
        model = OpenRouterResponses(api_key=KEY, http_client=client)
        with pytest.raises(UsageError, match=names):
            model.invoke(value)
        with pytest.raises(UsageError, match=names):
            list(model.invoke_stream(value))
    assert server.requests == []


async def test_bad_input_is_refused_before_any_async_request() -> None:
    server = Server(json_reply(OK_BODY))
    async with server.async_client() as client:
        model = OpenRouterResponses(api_key=KEY, async_http_client=client)
        with pytest.raises(UsageError, match="input"):
            await model.ainvoke(7)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="input"):
            async for _ in model.ainvoke_stream(7):  # type: ignore[arg-type]
                pass
    assert server.requests == []
