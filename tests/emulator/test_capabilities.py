"""The emulated capabilities speak OpenRouter's shapes: every stream event and body validates against the
OpenAPI document (web search with annotations, image output, server tool items, cache usage, account
endpoints)."""

from __future__ import annotations

import httpx2

from ..openapi_schema import schema
from .helpers import validate
from .quirks import validate_emulated
from .test_behaviours import check_stream, post, stream

SEARCH = {"type": "openrouter:web_search", "parameters": {"max_results": 2}}


def test_web_search_and_image_stream_validates(client: httpx2.Client) -> None:
    body = {
        "model": "openai/gpt-4o",
        "input": "Who built the Eiffel Tower",
        "tools": [SEARCH],
        "modalities": ["image", "text"],
    }
    _, data = stream(client, body)
    events = check_stream(data)
    types = [e["type"] for e in events]
    assert "response.web_search_call.searching" in types
    notes = [e["annotation"] for e in events if e["type"] == "response.output_text.annotation.added"]
    assert [n["type"] for n in notes] == ["url_citation", "url_citation"]
    final = events[-1]["response"]
    validate_emulated("OpenResponsesResult", final)
    assert [i["type"] for i in final["output"]] == ["web_search_call", "message", "image_generation_call"]
    assert final["output"][2]["result"].startswith("data:image/png;base64,")
    assert final["usage"]["server_tool_use_details"] == {
        "tool_calls_requested": 1,
        "tool_calls_executed": 1,
        "web_search_requests": 1,
    }


def test_datetime_item_and_cache_usage_validate(client: httpx2.Client) -> None:
    long = "word " * 5000
    body = {"model": "openai/gpt-4o", "input": long, "tools": [{"type": "openrouter:datetime"}], "session_id": "s1"}
    r = client.post("/responses", json=body)
    first = r.json()
    item = first["output"].pop(0)
    # The shape is OpenRouter's: its published OpenAPI document maps `openrouter:datetime` in `OutputItems`
    # (the output item union of its responses) to `OutputDatetimeItem` — the same fields as its SDK
    # reference page "OutputDatetimeItem" (datetime, timezone, status, type; id optional). No recording
    # holds a real one. The document contradicts itself, though: `OpenResponsesResult` also requires the
    # base result's OpenAI-only item union, which has no `openrouter:*` items, so the item is checked
    # through `OutputItems` and the rest of the body on its own.
    assert _discriminated("OutputItems", "openrouter:datetime") == "OutputDatetimeItem"
    validate("OutputItems", item)
    assert item["type"] == "openrouter:datetime" and item["timezone"] == "UTC"
    assert validate_emulated("OpenResponsesResult", first) == ["JSON body without a top-level status"]
    assert first["usage"]["input_tokens_details"] == {"cached_tokens": 0}
    second = client.post("/responses", json={**body, "input": long + " and more"}).json()
    assert second["usage"]["input_tokens_details"]["cached_tokens"] >= 1024


def test_account_endpoints_validate(client: httpx2.Client) -> None:
    out = post(client, {"model": "openai/gpt-4o", "input": "hi"})
    r = client.get("/generation", params={"id": out["id"]})
    assert r.status_code == 200
    validate("GenerationResponse", r.json())
    credits = client.get("/credits").json()
    assert credits["data"]["total_usage"] == out["usage"]["cost"]
    key = client.get("/key").json()["data"]
    assert key["usage"] == out["usage"]["cost"] and key["limit_remaining"] < key["limit"]
    validate("ModelsListResponse", client.get("/models/user").json())
    assert client.get("/generation", params={"id": "gen-nope"}).status_code == 404
    assert httpx2.get(str(client.base_url) + "credits").status_code == 401


def _discriminated(union: str, value: str) -> str:
    """The schema OpenRouter's document maps `value` to in the discriminated `union`."""
    return str(schema(union)["discriminator"]["mapping"][value]).rsplit("/", 1)[-1]


def test_datetime_item_is_in_the_time_zone_the_tool_asks_for(client: httpx2.Client) -> None:
    def item(parameters: dict[str, str] | None) -> dict[str, str]:
        tool = {"type": "openrouter:datetime", **({"parameters": parameters} if parameters is not None else {})}
        body = client.post("/responses", json={"model": "openai/gpt-4o", "input": "what time is it", "tools": [tool]})
        found = body.json()["output"][0]
        validate("OutputItems", found)
        return {k: found[k] for k in ("datetime", "timezone")}

    assert item({"timezone": "America/New_York"}) == {
        "datetime": "2026-11-30T07:00:00.000-05:00",
        "timezone": "America/New_York",
    }
    assert item(None) == {"datetime": "2026-11-30T12:00:00.000Z", "timezone": "UTC"}  # OpenRouter's default
    assert item({"timezone": "Nowhere/Atlantis"})["timezone"] == "UTC"
