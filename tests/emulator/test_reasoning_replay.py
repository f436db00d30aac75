"""Reasoning items sent back in ``input``: encrypted content on request, and what the upstream accepts."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from .helpers import sse_events, stream
from .quirks import validate_emulated

INCLUDE = ["reasoning.encrypted_content"]


def _reasoning_item(client: httpx2.Client, model: str, **extra: Any) -> dict[str, Any]:
    _, data = stream(client, {"model": model, "input": "think first", **extra})
    events = sse_events(data)
    for event in events:
        validate_emulated("StreamEvents", event)
    final = events[-1]["response"]
    return next(i for i in final["output"] if i["type"] == "reasoning")


def _post(client: httpx2.Client, model: str, items: list[dict[str, Any]], **extra: Any) -> httpx2.Response:
    history = [{"role": "user", "content": "think first"}, *items, {"role": "user", "content": "and now?"}]
    return client.post("/responses", json={"model": model, "input": history, **extra})


@pytest.mark.parametrize(
    "model", ["emulator/reasoning", "emulator/reasoning-summary", "openai/gpt-oss-20b", "openai/gpt-5-nano"]
)
def test_include_asks_for_encrypted_content_and_the_replay_is_accepted(client: httpx2.Client, model: str) -> None:
    item = _reasoning_item(client, model, include=INCLUDE)
    assert item["encrypted_content"].startswith("gAAAAA") and item["id"].startswith("rs_")
    r = _post(client, model, [item], include=INCLUDE)
    assert r.status_code == 200, r.text
    validate_emulated("OpenResponsesResult", r.json())


@pytest.mark.parametrize("model", ["emulator/reasoning", "emulator/reasoning-summary", "openai/gpt-oss-20b"])
def test_without_include_reasoning_has_no_encrypted_content(client: httpx2.Client, model: str) -> None:
    assert "encrypted_content" not in _reasoning_item(client, model)


def test_altered_encrypted_content_is_refused(client: httpx2.Client) -> None:
    item = _reasoning_item(client, "emulator/reasoning", include=INCLUDE)
    altered = {**item, "encrypted_content": item["encrypted_content"][:-4] + "AAAA"}
    r = _post(client, "emulator/reasoning", [altered])
    assert r.status_code == 400
    assert r.json()["error"]["message"] == f"The encrypted content for item {item['id']} could not be verified."


NOT_FOUND = (
    "Item with id '{rid}' not found. Items are not persisted when `store` is set to false. "
    "Try again with `store` set to true, or remove this item from your input."
)
BARE = {
    "type": "reasoning",
    "id": "rs_tmp_k3v9x0abc12",
    "summary": [],
    "content": [{"type": "reasoning_text", "text": "hm"}],
}


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("emulator/reasoning", "Emulator"),
        ("emulator/reasoning-summary", "Emulator"),
        ("openai/gpt-oss-20b", "Groq"),
        ("openai/gpt-4o", "OpenAI"),
        ("openai/gpt-5-nano", "OpenAI"),
    ],
)
def test_openai_style_ids_refuse_a_reasoning_item_without_encrypted_content(
    client: httpx2.Client, model: str, provider: str
) -> None:
    """As the upstream does with store=false: it cannot look the rs_ id up (wire reference §6.3)."""
    item = BARE
    if model != "openai/gpt-4o":  # a real item the model just emitted, without include
        item = {k: v for k, v in _reasoning_item(client, model).items() if k != "encrypted_content"}
    for streamed in (False, True):
        r = _post(client, model, [item], stream=streamed)
        assert r.status_code == 400 and r.headers["content-type"] == "application/json"
        error = r.json()["error"]
        message = NOT_FOUND.format(rid=item["id"])
        assert error["code"] == 400 and error["message"] == message
        assert error["metadata"]["provider_name"] == provider
        raw = json.loads(error["metadata"]["raw"])
        assert raw["error"]["message"] == message and raw["error"]["param"] == "input"


@pytest.mark.parametrize("model", ["anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash", "emulator/echo"])
def test_other_ids_accept_the_same_replay(client: httpx2.Client, model: str) -> None:
    r = _post(client, model, [BARE])
    assert r.status_code == 200, r.text


def test_the_refusal_is_a_pre_stream_failure_so_fallback_moves_on(client: httpx2.Client) -> None:
    history = [{"role": "user", "content": "think first"}, BARE, {"role": "user", "content": "and now?"}]
    r = client.post(
        "/responses",
        json={"model": "openai/gpt-4o", "models": ["anthropic/claude-sonnet-4.5"], "input": history},
        headers={"X-OpenRouter-Metadata": "enabled"},
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["model"] == "anthropic/claude-sonnet-4.5"
    assert [a["status"] for a in out["openrouter_metadata"]["attempts"]] == [400, 200]


def test_the_client_gets_a_typed_error_with_the_upstream_message(make_model: Any) -> None:
    from routerkit.errors import BadRequestError

    model = make_model("openai/gpt-oss-20b")
    with pytest.raises(BadRequestError) as caught:
        model.invoke([{"role": "user", "content": "hi"}, BARE, {"role": "user", "content": "again"}])
    assert caught.value.status == 400
    assert "Items are not persisted when `store` is set to false" in str(caught.value)
