"""Reasoning items sent back in ``input``: encrypted content on request, and what the upstream accepts."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from .helpers import sse_events, stream, validate

INCLUDE = ["reasoning.encrypted_content"]


def _reasoning_item(client: httpx2.Client, model: str, **extra: Any) -> dict[str, Any]:
    _, data = stream(client, {"model": model, "input": "think first", **extra})
    events = sse_events(data)
    for event in events:
        validate("StreamEvents", event)
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
    validate("OpenResponsesResult", r.json())


@pytest.mark.parametrize("model", ["emulator/reasoning", "emulator/reasoning-summary", "openai/gpt-oss-20b"])
def test_without_include_reasoning_has_no_encrypted_content(client: httpx2.Client, model: str) -> None:
    assert "encrypted_content" not in _reasoning_item(client, model)


def test_altered_encrypted_content_is_refused(client: httpx2.Client) -> None:
    item = _reasoning_item(client, "emulator/reasoning", include=INCLUDE)
    altered = {**item, "encrypted_content": item["encrypted_content"][:-4] + "AAAA"}
    r = _post(client, "emulator/reasoning", [altered])
    assert r.status_code == 400
    assert r.json()["error"]["message"] == f"The encrypted content for item {item['id']} could not be verified."
