"""The openai SDK pointed at `routerkit serve`: streamed and whole answers of an agent that uses a tool, parsed by
the SDK's typed models; and the endpoint's own rules (sessions, keys, bad input)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

openai = pytest.importorskip("openai", reason="the serve tests need the openai SDK (in the dev extra)")


def _client(served: Any, key: str = "unused") -> Any:
    return openai.OpenAI(base_url=served.base_url, api_key=key, max_retries=0)


def test_a_whole_answer_parses_as_an_sdk_response(serve_agent: Callable[..., Any]) -> None:
    served = serve_agent()
    response = _client(served).responses.create(model="weather-agent", input="weather in Paris?")
    assert isinstance(response, openai.types.responses.Response)
    assert response.status == "completed"
    assert response.model == "emulator/tool"
    [tool, message] = response.output
    assert tool.type == "mcp_call" and tool.name == "get_weather" and tool.output == "sunny in Paris"
    assert message.type == "message" and "sunny in Paris" in response.output_text
    assert response.usage is not None and response.usage.input_tokens > 0


def test_a_streamed_answer_parses_as_sdk_events(serve_agent: Callable[..., Any]) -> None:
    served = serve_agent()
    with _client(served).responses.stream(model="weather-agent", input="weather in Paris?") as stream:
        events = list(stream)
        final = stream.get_final_response()
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "ResponseCreatedEvent" and kinds[-1] == "ResponseCompletedEvent"
    assert "ResponseTextDeltaEvent" in kinds
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == final.output_text and "sunny in Paris" in deltas
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert final.output[0].type == "mcp_call"


def test_previous_response_id_continues_the_session(serve_agent: Callable[..., Any], make_model: Any) -> None:
    from routerkit import Agent

    served = serve_agent(Agent(model=make_model("emulator/echo")))
    client = _client(served)
    first = client.responses.create(model="weather-agent", input="first words")
    second = client.responses.create(model="weather-agent", input="second words", previous_response_id=first.id)
    store = served.app.agent.db
    [session] = store.list_sessions()
    assert session.runs == 2 and session.title == "first words"
    assert second.output_text == "second words"


def test_models_lists_the_agent(serve_agent: Callable[..., Any]) -> None:
    [model] = _client(serve_agent()).models.list().data
    assert model.id == "weather-agent"


def test_a_key_is_required_when_set_and_compared(serve_agent: Callable[..., Any]) -> None:
    served = serve_agent(key="s3cret-key")
    with pytest.raises(openai.AuthenticationError):
        _client(served, "wrong").models.list()
    assert _client(served, "s3cret-key").models.list().data[0].id == "weather-agent"
    assert httpx2.get(served.url + "/").status_code == 200  # the page itself; it asks for the key


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "x"}, "input"),
        ({"input": "hi", "stream": "yes"}, "stream"),
        ({"input": "hi", "conversation": "../etc"}, "conversation"),
        ({"input": "hi", "previous_response_id": "resp_unknown"}, "previous_response_id"),
    ],
)
def test_bad_requests_are_400_naming_the_field(serve_agent: Callable[..., Any], body: Any, param: str) -> None:
    served = serve_agent()
    r = httpx2.post(served.base_url + "/responses", json=body)
    assert r.status_code == 400 and r.json()["error"]["param"] == param
    assert served.app.agent.db.list_sessions() == []
