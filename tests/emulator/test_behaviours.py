"""Each model id family, streamed and not, with every body and event validated against the OpenAPI spec."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from .helpers import sse_events, stream
from .quirks import validate_emulated

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "where": {
                "type": "object",
                "properties": {"lat": {"type": "number"}, "tags": {"type": "array", "items": {"type": "string"}}},
                "required": ["lat"],
            },
        },
        "required": ["city", "unit"],
        "additionalProperties": False,
    },
}
TIME = {"type": "function", "name": "get_time", "parameters": {"type": "object", "properties": {}}}


def check_stream(data: bytes) -> list[dict[str, Any]]:
    """Validate framing and every event; return the events."""
    assert data.startswith(b": OPENROUTER PROCESSING\n\n")
    assert data.endswith(b"data: [DONE]\n\n")
    assert b"event:" not in data
    events = sse_events(data)
    for ev in events:
        validate_emulated("StreamEvents", ev)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    return events


def text_of(events: list[dict[str, Any]], kind: str = "response.output_text.delta") -> str:
    return "".join(e["delta"] for e in events if e["type"] == kind)


def post(client: httpx2.Client, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/responses", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    validate_emulated("OpenResponsesResult", out)
    assert r.headers["x-generation-id"] == out["id"]
    return out


def test_echo_stream_words_and_event_order(client: httpx2.Client) -> None:
    text = "Hello  brave new\nworld! "
    resp, data = stream(client, {"model": "emulator/echo", "input": text})
    assert resp.headers["content-type"].startswith("text/event-stream")
    events = check_stream(data)
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    assert deltas == ["Hello  ", "brave ", "new\n", "world! "]
    types = [e["type"] for e in events]
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    final = events[-1]["response"]
    assert final["id"] == resp.headers["x-generation-id"]
    assert final["id"].startswith("gen-") and len(final["id"].split("-")[2]) == 20
    assert final["output_text"] == text
    usage = final["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert 0 < usage["cost"] < 0.01 and usage["is_byok"] is False
    assert usage["cost"] == pytest.approx(
        usage["cost_details"]["upstream_inference_input_cost"] + usage["cost_details"]["upstream_inference_output_cost"]
    )


def test_echo_uses_last_user_message(client: httpx2.Client) -> None:
    out = post(
        client,
        {
            "model": "emulator/echo",
            "input": [
                {"role": "user", "content": "first"},
                {
                    "type": "message",
                    "role": "assistant",
                    "id": "m1",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": "ok", "annotations": []}],
                },
                {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "second one"}]},
            ],
        },
    )
    assert out["output_text"] == "second one"
    assert out["status"] == "completed" and out["model"] == "emulator/echo"


@pytest.mark.parametrize("n", [1, 7, 200])
def test_markdown_n_deltas(client: httpx2.Client, n: int) -> None:
    _, data = stream(client, {"model": f"emulator/markdown-{n}", "input": "x"})
    events = check_stream(data)
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    assert len(deltas) == n
    doc = "".join(deltas)
    if n >= 50:
        assert 10 * n <= len(doc) < 10 * n + 200
        for marker in ("# ", "- ", "```python", "| --- |", "](https://"):
            assert marker in doc
        assert doc.count("```") % 2 == 0
    out = post(client, {"model": f"emulator/markdown-{n}", "input": "x"})
    assert out["output_text"] == doc


def test_reasoning_raw_text(client: httpx2.Client) -> None:
    _, data = stream(client, {"model": "emulator/reasoning", "input": "why?"})
    events = check_stream(data)
    reasoning = text_of(events, "response.reasoning_text.delta")
    assert reasoning and "why?" in reasoning
    final = events[-1]["response"]
    item = final["output"][0]
    assert item["type"] == "reasoning" and item["content"] == [{"type": "reasoning_text", "text": reasoning}]
    assert final["output"][1]["type"] == "message" and final["output_text"]
    assert final["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
    out = post(client, {"model": "emulator/reasoning", "input": "why?"})
    assert out["usage"]["output_tokens_details"]["reasoning_tokens"] > 0


def test_reasoning_summary(client: httpx2.Client) -> None:
    _, data = stream(client, {"model": "emulator/reasoning-summary", "input": "plan it"})
    events = check_stream(data)
    types = [e["type"] for e in events]
    for t in (
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
    ):
        assert t in types
    summary = text_of(events, "response.reasoning_summary_text.delta")
    assert events[-1]["response"]["output"][0]["summary"] == [{"type": "summary_text", "text": summary}]
    post(client, {"model": "emulator/reasoning-summary", "input": "plan it"})


def test_reasoning_encrypted_round_trip(client: httpx2.Client) -> None:
    _, data = stream(client, {"model": "emulator/reasoning-encrypted", "input": "think"})
    events = check_stream(data)
    item = next(e["item"] for e in events if e["type"] == "response.output_item.done")
    assert item["type"] == "reasoning" and item["summary"] == [] and "content" not in item
    assert item["encrypted_content"]
    history = [{"role": "user", "content": "think"}, item, {"role": "user", "content": "again"}]
    ok = post(client, {"model": "emulator/reasoning-encrypted", "input": history})
    assert ok["status"] == "completed"
    altered = {**item, "encrypted_content": item["encrypted_content"][:-4] + "AAAA"}
    r = client.post("/responses", json={"model": "emulator/echo", "input": [history[0], altered]})
    assert r.status_code == 400 and "could not be verified" in r.json()["error"]["message"]
    stripped = {k: v for k, v in item.items() if k != "encrypted_content"}
    r = client.post("/responses", json={"model": "emulator/reasoning-encrypted", "input": [history[0], stripped]})
    assert r.status_code == 400 and "not found" in r.json()["error"]["message"]
    out = post(client, {"model": "emulator/reasoning-encrypted", "input": "think"})
    assert out["output"][0]["encrypted_content"]


def test_tool_call_then_answer_with_outputs(client: httpx2.Client) -> None:
    body = {"model": "emulator/tool", "input": "weather in Paris?", "tools": [WEATHER, TIME]}
    _, data = stream(client, body)
    events = check_stream(data)
    calls = [e["item"] for e in events if e["type"] == "response.output_item.done"]
    assert [c["name"] for c in calls] == ["get_weather"]
    args_streamed = "".join(e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta")
    done = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    assert done["arguments"] == args_streamed == calls[0]["arguments"]
    args = json.loads(args_streamed)
    assert isinstance(args["city"], str) and args["unit"] in ("celsius", "fahrenheit")
    assert 1 <= args["days"] <= 7 and isinstance(args["where"]["lat"], float)
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(args, WEATHER["parameters"])
    call = calls[0]
    follow = [
        {"role": "user", "content": "weather in Paris?"},
        {k: call[k] for k in ("type", "id", "call_id", "name", "arguments")},
        {"type": "function_call_output", "call_id": call["call_id"], "output": '{"temp": "21C", "sky": "clear"}'},
    ]
    _, data = stream(client, {**body, "input": follow})
    events = check_stream(data)
    assert '{"temp": "21C", "sky": "clear"}' in events[-1]["response"]["output_text"]
    out = post(client, {**body, "input": follow})
    assert '{"temp": "21C", "sky": "clear"}' in out["output_text"]


def test_tool_all_tools_in_parallel(client: httpx2.Client) -> None:
    out = post(client, {"model": "emulator/tool", "input": "use all tools", "tools": [WEATHER, TIME]})
    assert [o["name"] for o in out["output"]] == ["get_weather", "get_time"]
    assert len({o["call_id"] for o in out["output"]}) == 2
    assert json.loads(out["output"][1]["arguments"]) == {}


def test_json_follows_schema(client: httpx2.Client) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "score": {"type": "number", "minimum": 5},
            "level": {"enum": ["low", "high"]},
            "items": {"type": "array", "items": {"$ref": "#/$defs/item"}, "minItems": 2},
        },
        "required": ["name", "score", "level", "items"],
        "$defs": {"item": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}},
    }
    body = {
        "model": "emulator/json",
        "input": "give json",
        "text": {"format": {"type": "json_schema", "name": "thing", "schema": schema, "strict": True}},
    }
    _, data = stream(client, body)
    events = check_stream(data)
    import jsonschema

    jsonschema.validate(json.loads(text_of(events)), schema)
    jsonschema.validate(json.loads(post(client, body)["output_text"]), schema)


@pytest.mark.parametrize(
    ("model", "terminal", "status"),
    [
        ("emulator/error-event", "error", "failed"),
        ("emulator/failed", "response.failed", "failed"),
        ("emulator/incomplete", "response.incomplete", "incomplete"),
    ],
)
def test_mid_stream_failures(client: httpx2.Client, model: str, terminal: str, status: str) -> None:
    _, data = stream(client, {"model": model, "input": "x"})
    events = check_stream(data)
    assert sum(e["type"] == "response.output_text.delta" for e in events) == 3
    assert events[-1]["type"] == terminal
    if terminal == "response.failed":
        assert events[-1]["response"]["error"]["code"] == "server_error"
        assert events[-1]["response"]["error_type"] == "server"
    if terminal == "response.incomplete":
        assert events[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    if terminal == "error":
        assert set(events[-1]) == {"type", "code", "message", "param", "sequence_number"}
    out = post(client, {"model": model, "input": "x"})
    assert out["status"] == status


def test_truncate_stream_and_plain(client: httpx2.Client) -> None:
    with (
        pytest.raises(httpx2.RemoteProtocolError),
        client.stream("POST", "/responses", json={"model": "emulator/truncate", "input": "x", "stream": True}) as r,
    ):
        chunks = []
        for chunk in r.iter_bytes():
            chunks.append(chunk)
    data = b"".join(chunks)
    assert b"[DONE]" not in data and b"response.completed" not in data
    assert data.count(b"response.output_text.delta") == 3
    with pytest.raises(httpx2.RemoteProtocolError):
        client.post("/responses", json={"model": "emulator/truncate", "input": "x"})


def test_stall_stream_goes_silent(emu: object, client: httpx2.Client) -> None:
    timeout = httpx2.Timeout(5, read=0.5)
    got = b""
    with (
        pytest.raises(httpx2.ReadTimeout),
        client.stream(
            "POST", "/responses", json={"model": "emulator/stall", "input": "x", "stream": True}, timeout=timeout
        ) as r,
    ):
        for chunk in r.iter_bytes():
            got += chunk
    assert got.count(b"response.output_text.delta") == 3 and b"[DONE]" not in got
    with pytest.raises(httpx2.ReadTimeout):
        client.post("/responses", json={"model": "emulator/stall", "input": "x"}, timeout=timeout)


@pytest.mark.parametrize(
    "model",
    [
        "openai/gpt-4o",
        "openai/gpt-4o-mini",
        "anthropic/claude-sonnet-4.5",
        "google/gemini-2.5-flash",
        "openai/gpt-5-nano",
        "openai/gpt-oss-20b",
    ],
)
def test_realistic_models(client: httpx2.Client, model: str) -> None:
    _, data = stream(client, {"model": model, "input": "Write a haiku about coding"})
    events = check_stream(data)
    final = events[-1]["response"]
    assert final["model"] == model
    assert "*Quiet keys at night*" in final["output_text"]
    kinds = {e["type"] for e in events}
    if model == "openai/gpt-oss-20b":
        assert "response.reasoning_text.delta" in kinds
    if model == "openai/gpt-5-nano":
        assert "response.reasoning_summary_text.delta" in kinds
        assert final["output"][0]["encrypted_content"]
    out = post(client, {"model": model, "input": "Explain tests", "tools": [WEATHER]})
    assert out["output"][-1]["type"] == "function_call"
    other = post(client, {"model": model, "input": "Explain tests"})
    assert "Explain tests" in other["output_text"]
