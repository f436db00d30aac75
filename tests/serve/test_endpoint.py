"""The endpoint's behaviour beyond the happy path: conversations, failures, hostile bodies, clients that leave."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from routerkit import Agent

openai = pytest.importorskip("openai", reason="the serve tests need the openai SDK (in the dev extra)")


def test_a_conversation_id_is_the_agents_session(
    serve_agent: Callable[..., Any], make_model: Callable[..., Any], emu: Any
) -> None:
    served = serve_agent(Agent(model=make_model("emulator/echo")))
    client = openai.OpenAI(base_url=served.base_url, api_key="x", max_retries=0)
    client.responses.create(model="agent", input="my name is Ada", conversation="conv-1")
    client.responses.create(model="agent", input="what is my name?", conversation={"id": "conv-1"})
    replayed = emu.requests[-1].body["input"]
    assert [i.get("content") for i in replayed if i.get("role") == "user"] == ["my name is Ada", "what is my name?"]
    [session] = served.app.agent.db.list_sessions()
    assert session.session_id == "conv-1" and session.runs == 2


def test_a_failed_run_is_a_typed_error_json_and_a_failed_event(
    serve_agent: Callable[..., Any], make_model: Callable[..., Any]
) -> None:
    served = serve_agent(Agent(model=make_model("emulator/fail-502", max_retries=0)))
    r = httpx2.post(served.base_url + "/responses", json={"input": "hi"}, timeout=30)
    assert r.status_code == 502
    assert "502" in r.json()["error"]["message"] and "emulator/fail-502" in r.json()["error"]["message"]

    client = openai.OpenAI(base_url=served.base_url, api_key="x", max_retries=0)
    events = list(client.responses.create(model="agent", input="hi", stream=True))
    assert type(events[-1]).__name__ == "ResponseFailedEvent"
    assert events[-1].response.error is not None and "502" in events[-1].response.error.message


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"input": "' + b"[" * 100_000 + b'"}', 200),
        (b"\xff\xfe", 400),
        (b"[" * 100_000, 400),
    ],
)
def test_hostile_bodies_get_an_answer(
    serve_agent: Callable[..., Any], make_model: Any, content: bytes, status: int
) -> None:
    served = serve_agent(Agent(model=make_model("emulator/echo")))
    r = httpx2.post(served.base_url + "/responses", content=content, headers={"content-type": "application/json"})
    assert r.status_code == status


def test_an_oversized_body_is_refused_before_it_is_read(serve_agent: Callable[..., Any]) -> None:
    served = serve_agent()
    port = int(served.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /v1/responses HTTP/1.1\r\nhost: x\r\ncontent-length: 1099511627776\r\n\r\n{")
        assert sock.recv(64).startswith(b"HTTP/1.1 413 ")


def test_a_client_that_leaves_mid_stream_ends_the_run_as_interrupted(
    serve_agent: Callable[..., Any], make_model: Callable[..., Any]
) -> None:
    served = serve_agent(Agent(model=make_model("emulator/markdown-200@50")))
    body = {"input": "go", "stream": True, "conversation": "leaving"}
    with httpx2.stream("POST", served.base_url + "/responses", json=body, timeout=30) as r:
        for chunk in r.iter_bytes():
            if b"output_text.delta" in chunk:
                break
    store = served.app.agent.db
    for _ in range(200):  # the server notices the disconnect at its next send (≤ one delta, 50 ms)
        runs = store.get_runs("leaving", statuses=("interrupted", "completed", "running"))
        if runs and runs[0].status != "running":
            break
        time.sleep(0.05)
    assert [run.status for run in runs] == ["interrupted"]


@pytest.mark.parametrize("stream", [False, True])
def test_routerkits_own_client_talks_to_a_served_agent(serve_agent: Callable[..., Any], stream: bool) -> None:
    """An agent whose model is another, served agent: the answer, its model and tokens come through, and the
    served agent's tool call (an `mcp_call` item) is not mistaken for one the client must run."""
    from routerkit import OpenAIResponses

    served = serve_agent()
    client_agent = Agent(model=OpenAIResponses(id="weather-agent", base_url=served.base_url, api_key="x"))
    output = (
        [*client_agent.run("weather?", stream=True, stream_events=True)][-1].output
        if stream
        else client_agent.run("weather?")
    )
    assert "sunny in example city" in output.content
    assert output.model == "emulator/tool" and output.metrics.input_tokens > 0
    assert output.tools == []
