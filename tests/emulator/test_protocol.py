"""Auth, request rejections, fallback and routing metadata, fault ids, /models, framing, recording."""

from __future__ import annotations

import json

import httpx2
import pytest

from routerkit.emulator import Emulator

from .helpers import AUTH, sse_events, stream, validate


def test_missing_auth_is_401(emu: Emulator) -> None:
    r = httpx2.post(f"{emu.base_url}/responses", json={"model": "emulator/echo", "input": "x"})
    assert r.status_code == 401
    assert r.json() == {"error": {"message": "No cookie auth credentials found", "code": 401}}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "emulator/echo", "input": "x", "store": True}, "store"),
        ({"model": "emulator/echo", "input": "x", "previous_response_id": "gen-1"}, "previous_response_id"),
        ({"input": "x"}, "Missing required parameter: 'model'."),
    ],
)
def test_shape_b_rejections(client: httpx2.Client, body: dict, message: str) -> None:
    r = client.post("/responses", json=body)
    assert r.status_code == 400
    err = r.json()
    assert err["error"]["code"] == "invalid_prompt" and message in err["error"]["message"]
    assert err["metadata"] is None


def test_unknown_tool_type(client: httpx2.Client) -> None:
    tools = [{"type": "function", "name": "f", "parameters": {}}, {"type": "local_magic"}]
    r = client.post("/responses", json={"model": "emulator/echo", "input": "x", "tools": tools})
    assert r.status_code == 400
    err = r.json()
    assert err["error"] == {"code": "invalid_prompt", "message": "Invalid Responses API request"}
    issues = json.loads(err["metadata"]["raw"])
    assert issues[0]["path"] == ["tools", 1]


def test_unknown_model_and_bad_json(client: httpx2.Client) -> None:
    r = client.post("/responses", json={"model": "nope/nothing", "input": "x"})
    assert r.status_code == 400
    assert r.json() == {"error": {"code": 400, "message": "nope/nothing is not a valid model ID"}}
    r = client.post("/responses", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400


@pytest.mark.parametrize("status", [401, 402, 403, 404, 408, 429, 500, 502, 503, 504, 529])
def test_fail_status(client: httpx2.Client, status: int) -> None:
    r = client.post("/responses", json={"model": f"emulator/fail-{status}", "input": "x", "stream": True})
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    err = r.json()["error"]
    assert err["code"] == status and isinstance(err["message"], str)
    if status == 429:
        assert r.headers["retry-after"] == "1"


def test_fail_variants(client: httpx2.Client) -> None:
    r = client.post("/responses", json={"model": "emulator/fail-429-ms", "input": "x"})
    assert r.status_code == 429 and r.headers["retry-after-ms"] == "200" and "retry-after" not in r.headers
    r = client.post("/responses", json={"model": "emulator/fail-429-none", "input": "x"})
    assert r.status_code == 429 and "retry-after" not in r.headers and "retry-after-ms" not in r.headers
    r = client.post("/responses", json={"model": "emulator/fail-503-in-400", "input": "x"})
    assert r.status_code == 400 and r.json()["error"]["code"] == 503
    r = client.post("/responses", json={"model": "emulator/unavailable", "input": "x"})
    assert r.status_code == 503 and r.json()["error"]["code"] == 503
    r = client.post("/responses", json={"model": "emulator/html-502", "input": "x"})
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
    assert r.text.startswith("<!DOCTYPE html>")


def test_flaky_counts_per_input(client: httpx2.Client, emu: Emulator) -> None:
    body = {"model": "emulator/flaky-2", "input": "same input"}
    assert [client.post("/responses", json=body).status_code for _ in range(3)] == [503, 503, 200]
    assert client.post("/responses", json={**body, "input": "other"}).status_code == 503
    emu.reset()
    assert client.post("/responses", json=body).status_code == 503


def test_fallback_order_served_model_and_metadata(client: httpx2.Client, emu: Emulator) -> None:
    body = {
        "model": "emulator/fail-502",
        "models": ["emulator/fail-502", "emulator/unavailable", "emulator/echo", "openai/gpt-4o"],
        "input": "hi there",
    }
    headers = {"X-OpenRouter-Metadata": "enabled"}
    r = client.post("/responses", json=body, headers=headers)
    assert r.status_code == 200
    out = r.json()
    validate("OpenResponsesResult", out)
    assert out["model"] == "emulator/echo" and out["output_text"] == "hi there"
    meta = out["openrouter_metadata"]
    assert meta["requested"] == "emulator/fail-502" and meta["strategy"] == "fallback" and meta["attempt"] == 3
    assert [(a["model"], a["status"]) for a in meta["attempts"]] == [
        ("emulator/fail-502", 502),
        ("emulator/unavailable", 503),
        ("emulator/echo", 200),
    ]
    _, data = stream(client, body, headers=headers)
    events = sse_events(data)
    assert events[-1]["type"] == "response.completed"
    assert events[-1]["response"]["model"] == "emulator/echo"
    assert events[-1]["response"]["openrouter_metadata"]["attempt"] == 3
    assert data.endswith(b"data: [DONE]\n\n")
    plain = client.post("/responses", json=body).json()
    assert "openrouter_metadata" not in plain


def test_fallback_all_fail_returns_last(client: httpx2.Client) -> None:
    body = {"models": ["emulator/fail-502", "emulator/fail-429"], "input": "x"}
    r = client.post("/responses", json=body)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"


def test_flaky_falls_back(client: httpx2.Client) -> None:
    body = {"model": "emulator/flaky-1", "models": ["openai/gpt-4o-mini"], "input": "q"}
    assert client.post("/responses", json=body).json()["model"] == "openai/gpt-4o-mini"
    assert client.post("/responses", json=body).json()["model"] == "emulator/flaky-1"


def test_models_list(client: httpx2.Client) -> None:
    r = client.get("/models")
    assert r.status_code == 200
    body = r.json()
    validate("ModelsListResponse", body)
    ids = {m["id"] for m in body["data"]}
    for mid in (
        "emulator/echo",
        "emulator/markdown-100",
        "emulator/flaky-2",
        "emulator/fail-429",
        "openai/gpt-oss-20b",
        "openai/gpt-4o",
        "anthropic/claude-sonnet-4.5",
    ):
        assert mid in ids
    gpt4o = next(m for m in body["data"] if m["id"] == "openai/gpt-4o")
    assert float(gpt4o["pricing"]["prompt"]) == pytest.approx(2.5e-6)


def test_openai_framing(client: httpx2.Client) -> None:
    _, data = stream(client, {"model": "emulator/echo", "input": "a b"}, headers={"X-Emulator-Framing": "openai"})
    assert b"[DONE]" not in data and not data.startswith(b":")
    frames = [f for f in data.split(b"\n\n") if f]
    for frame in frames:
        event_line, data_line = frame.split(b"\n")
        assert event_line.startswith(b"event: ")
        ev = json.loads(data_line[6:])
        assert event_line[7:].decode() == ev["type"]
        validate("StreamEvents", ev)
    assert json.loads(frames[-1].split(b"\n")[1][6:])["type"] == "response.completed"


def test_requests_are_recorded(client: httpx2.Client, emu: Emulator) -> None:
    client.post("/responses", json={"model": "emulator/echo", "input": "x"}, headers={"X-Title": "t"})
    client.get("/models")
    reqs = emu.requests
    assert [(r.method, r.path) for r in reqs] == [("POST", "/api/v1/responses"), ("GET", "/api/v1/models")]
    assert reqs[0].body == {"model": "emulator/echo", "input": "x"}
    assert reqs[0].headers["x-title"] == "t" and reqs[0].headers["authorization"] == AUTH["Authorization"]
    assert json.loads(reqs[0].raw) == reqs[0].body and reqs[1].body is None
    emu.reset()
    assert emu.requests == []


def test_unknown_path_404(client: httpx2.Client) -> None:
    assert client.get("/nothing").status_code == 404
