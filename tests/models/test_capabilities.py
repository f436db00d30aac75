"""OpenRouter's capabilities end to end against the emulator: web search with citations, server tools beside
function tools, image output, prompt caching with cache and cost detail, tool-call controls, provider
preferences checked before sending, router ids, and the account endpoints. Every request body is validated
against the OpenAPI schema."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from routerkit import Agent
from routerkit.emulator import Emulator
from routerkit.errors import APIStatusError, UsageError
from routerkit.tools import Datetime, ImageGeneration, WebFetch, WebSearch
from routerkit.wire import CitationAdded, FunctionCallArgumentsDelta, ResponseCompleted
from tests.openapi_schema import validate

LONG = "Background: " + "the quick brown fox jumps over the lazy dog " * 120  # ~1,300 tokens


def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


def bodies_valid(emu: Emulator) -> list[dict[str, Any]]:
    bodies = [r.body for r in emu.requests if r.path.endswith("/responses")]
    for body in bodies:
        validate("ResponsesRequest", body)
    return bodies


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_web_search_tool_beside_a_function_gives_cited_sources(
    emu: Emulator, make_model: Callable[..., Any], mode: str
) -> None:
    agent = Agent(model=make_model("openai/gpt-4o"), tools=[get_weather, WebSearch(max_results=3)])
    question = "Who built the Eiffel Tower"
    if mode == "sync":
        out = agent.run(question)
    elif mode == "async":
        out = asyncio.run(agent.arun(question))
    else:
        events = list(agent.run(question, stream=True, stream_events=True))
        out = events[-1].output  # type: ignore[union-attr]
    assert out.citations is not None
    urls = [c.url for c in out.citations.urls]
    assert urls == [
        "https://encyclopedia.example.org/wiki/who-built-the-eiffel-tower",
        "https://news.example.com/who-built-the-eiffel-tower",
    ]
    for cite in out.citations.urls:
        assert out.content[cite.start_index : cite.end_index] == cite.title
    assert out.citations.search_queries == [question]
    assert out.metrics.web_search_requests == 1 and out.metrics.server_tool_calls == 1
    # The search item is kept for replay and never run as a function call.
    assert [m["type"] for m in out.items[1:]] == [
        "web_search_call",
        "function_call",
        "function_call_output",
        "message",
    ]
    assert [t.tool_name for t in out.tools] == ["get_weather"]
    body = bodies_valid(emu)[-1]
    assert body["tools"][-1] == {"type": "openrouter:web_search", "parameters": {"max_results": 3}}
    assert body["tools"][0]["name"] == "get_weather"
    assert [item.get("type") for item in body["input"]][1:] == [
        "web_search_call",
        "function_call",
        "function_call_output",
    ]


def test_a_search_item_is_replayed_in_the_next_run(emu: Emulator, make_model: Callable[..., Any]) -> None:
    agent = Agent(model=make_model("openai/gpt-4o"), tools=[WebSearch()], add_history_to_context=True)
    agent.run("Who built the Eiffel Tower")
    agent.run("And when")
    replayed = bodies_valid(emu)[-1]["input"]
    assert [i.get("type", "message") for i in replayed][:3] == ["message", "web_search_call", "message"]


@pytest.mark.parametrize("how", ["plugin", "online"])
def test_the_deprecated_web_plugin_and_online_suffix_still_search(
    emu: Emulator, make_model: Callable[..., Any], how: str
) -> None:
    model = (
        make_model("openai/gpt-4o:online") if how == "online" else make_model("openai/gpt-4o", plugins=[{"id": "web"}])
    )
    out = Agent(model=model).run("Tallest mountain in Alberta")
    assert out.citations is not None and len(out.citations.unique_urls()) == 2
    assert not out.fallback_used  # the :online variant is the same model
    bodies_valid(emu)


def test_streamed_citations_and_argument_deltas_arrive_as_model_events(make_model: Callable[..., Any]) -> None:
    model = make_model("emulator/tool")
    tools = [
        WebSearch().to_wire(),
        {"type": "function", "name": "f", "parameters": {"type": "object", "properties": {"x": {"type": "string"}}}},
    ]
    events = list(model.invoke_stream("search and call", tools=tools))
    deltas = [e for e in events if isinstance(e, FunctionCallArgumentsDelta)]
    assert deltas and {d.name for d in deltas} == {"f"}
    final = events[-1]
    assert isinstance(final, ResponseCompleted)
    assert "".join(d.delta for d in deltas) == final.response.function_calls[0].arguments
    model2 = make_model("openai/gpt-4o")
    events = list(model2.invoke_stream("Who built the Eiffel Tower", tools=[WebSearch().to_wire()]))
    cites = [e.citation for e in events if isinstance(e, CitationAdded)]
    assert cites == events[-1].response.citations  # type: ignore[union-attr]


def test_datetime_and_fetch_server_tools_are_sent_and_their_items_kept(
    emu: Emulator, make_model: Callable[..., Any]
) -> None:
    out = Agent(model=make_model("openai/gpt-4o"), tools=[Datetime(timezone="UTC"), WebFetch(max_uses=2)]).run(
        "What day is it"
    )
    assert out.responses[0].server_tool_calls[0].type == "openrouter:datetime"
    assert out.responses[0].server_tool_calls[0].detail == "2026-11-30T12:00:00.000Z"
    assert out.tools == []
    assert bodies_valid(emu)[0]["tools"] == [
        {"type": "openrouter:datetime", "parameters": {"timezone": "UTC"}},
        {"type": "openrouter:web_fetch", "parameters": {"max_uses": 2}},
    ]


@pytest.mark.parametrize("stream", [False, True])
def test_image_output_becomes_run_output_images(emu: Emulator, make_model: Callable[..., Any], stream: bool) -> None:
    model = make_model("google/gemini-2.5-flash", modalities=["image", "text"], image_config={"aspect_ratio": "1:1"})
    agent = Agent(model=model)
    out = (
        list(agent.run("a red square", stream=True, stream_events=True))[-1].output
        if stream
        else agent.run("a red square")
    )  # type: ignore[union-attr]
    assert len(out.images) == 1
    image = out.images[0]
    assert image.mime_type == "image/png" and image.data.startswith(b"\x89PNG\r\n\x1a\n")
    body = bodies_valid(emu)[0]
    assert body["modalities"] == ["image", "text"] and body["image_config"] == {"aspect_ratio": "1:1"}


def test_image_generation_server_tool(emu: Emulator, make_model: Callable[..., Any]) -> None:
    out = Agent(model=make_model("openai/gpt-4o"), tools=[ImageGeneration(size="1024x1024")]).run("a cat")
    assert out.images and out.images[0].size > 0
    assert bodies_valid(emu)[0]["tools"] == [
        {"type": "openrouter:image_generation", "parameters": {"size": "1024x1024"}}
    ]


def test_second_call_of_a_long_prompt_session_reads_from_cache(emu: Emulator, make_model: Callable[..., Any]) -> None:
    agent = Agent(model=make_model("openai/gpt-4o"), instructions=LONG, add_history_to_context=True)
    first = agent.run("first question")
    second = agent.run("second question")
    assert first.metrics.cache_read_tokens == 0
    assert second.metrics.cache_read_tokens >= 1024
    assert second.metrics.input_cost is not None and first.metrics.input_cost is not None
    assert second.metrics.input_cost < first.metrics.input_cost  # cached tokens are billed at a tenth
    bodies = bodies_valid(emu)
    assert {b["session_id"] for b in bodies} == {agent.session_id}


def test_cache_control_reports_cache_writes_for_anthropic(emu: Emulator, make_model: Callable[..., Any]) -> None:
    model = make_model(
        "anthropic/claude-sonnet-4.5", cache_control={"type": "ephemeral", "ttl": "1h"}, prompt_cache_key="k1"
    )
    out = Agent(model=model, instructions=LONG).run("hello")
    assert out.metrics.cache_write_tokens > 1000
    body = bodies_valid(emu)[0]
    assert body["cache_control"] == {"type": "ephemeral", "ttl": "1h"} and body["prompt_cache_key"] == "k1"


def test_a_forcing_tool_choice_is_sent_on_the_first_call_only(emu: Emulator, make_model: Callable[..., Any]) -> None:
    model = make_model("emulator/tool", tool_choice="required", parallel_tool_calls=False, max_tool_calls=5)
    out = Agent(model=model, tools=[get_weather]).run("weather in Paris")
    assert out.status == "COMPLETED" and len(out.tools) == 1
    bodies = bodies_valid(emu)
    assert [b["tool_choice"] for b in bodies] == ["required", "auto"]
    assert all(b["parallel_tool_calls"] is False and b["max_tool_calls"] == 5 for b in bodies)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"provider": {"sortt": "price"}}, "did you mean 'sort'?"),
        ({"provider": {"sort": "cheapest"}}, "provider['sort'] must be"),
        ({"provider": {"quantizations": ["fp9"]}}, "a list of 'int4'"),
        ({"plugins": [{"id": "webb"}]}, "did you mean 'web'?"),
        ({"plugins": [{"id": "web", "max_result": 3}]}, "did you mean 'max_results'?"),
        ({"reasoning": {"efort": "high"}}, "did you mean 'effort'?"),
        ({"tool_choice": "always"}, "tool_choice must be"),
        ({"max_tool_calls": 31}, "max_tool_calls must be"),
        ({"modalities": ["video"]}, "modalities must be"),
        ({"cache_control": {"type": "persistent"}}, "cache_control['type'] must be one of 'ephemeral'"),
    ],
)
def test_bad_options_are_refused_before_any_request(
    emu: Emulator, make_model: Callable[..., Any], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("?", r"\?")):
        make_model("openai/gpt-4o", **kwargs)
    assert emu.requests == []


def test_server_tool_parameters_are_checked() -> None:
    with pytest.raises(UsageError, match="engine"):
        WebSearch(engine="bing")
    with pytest.raises(UsageError, match="not both"):
        WebSearch(allowed_domains=["a.org"], excluded_domains=["b.org"])


def test_provider_preferences_are_sent_and_one_no_endpoint_meets_is_a_typed_error(
    emu: Emulator, make_model: Callable[..., Any]
) -> None:
    model = make_model("openai/gpt-4o", provider={"only": ["anthropic"], "max_price": {"prompt": 1}})
    with pytest.raises(APIStatusError) as info:
        model.invoke("hi")
    assert info.value.status == 404 and "provider preferences" in str(info.value)
    assert bodies_valid(emu)[0]["provider"] == {"only": ["anthropic"], "max_price": {"prompt": "1"}}


@pytest.mark.parametrize("router", ["openrouter/auto", "~openai/gpt-latest", "@preset/emulator"])
def test_a_router_id_is_routed_not_a_fallback(make_model: Callable[..., Any], router: str) -> None:
    response = make_model(router).invoke("hi")
    assert response.model != router and not response.fallback_used
    assert response.routed_to == response.model


def test_account_endpoints(emu: Emulator, make_model: Callable[..., Any]) -> None:
    model = make_model("openai/gpt-4o")
    response = model.invoke("hello there")
    generation = model.generation(response.generation_id or "")
    validate("GenerationResponse", {"data": generation})
    assert generation["id"] == response.generation_id
    assert generation["total_cost"] == pytest.approx(response.usage.cost)
    assert generation["tokens_prompt"] == response.usage.input_tokens
    assert generation["provider_name"] == "OpenAI"
    key = model.key()
    assert key["usage"] == pytest.approx(response.usage.cost)
    assert {"label", "limit", "limit_remaining", "usage", "is_free_tier", "rate_limit"} <= key.keys()
    credits = model.credits()
    assert credits["total_usage"] == pytest.approx(response.usage.cost)
    assert asyncio.run(model.acredits()) == credits
    user_models = asyncio.run(model.auser_models())
    validate("ModelsListResponse", {"data": user_models, "total_count": len(user_models), "links": {"next": None}})
    assert any(m["id"] == "openai/gpt-4o" for m in user_models)
    with pytest.raises(APIStatusError) as info:
        model.generation("gen-unknown")
    assert info.value.status == 404
    with pytest.raises(UsageError, match="generation id"):
        model.generation("")
