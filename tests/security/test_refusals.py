"""Bad input is refused before any request, with a message that names the parameter and says what is accepted.

This table is the spec: every row must raise `UsageError` (also a `ValueError`) whose message contains each
listed fragment, and the emulator must have received nothing. Some rows are also tested closer to their code;
here they are all in one place.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from routerkit.agent import Agent
from routerkit.db.sqlite import SqliteDb
from routerkit.errors import UsageError
from routerkit.models.openai import OpenAIResponses
from routerkit.models.openrouter import OpenRouterResponses

KEY = "sk-or-v1-refusals"
BASE: dict[str, str] = {}  # filled with the emulator's base_url by the fixture below


def model(**kwargs: Any) -> OpenRouterResponses:
    return OpenRouterResponses(**{"id": "emulator/echo", "base_url": BASE["url"], "api_key": KEY, **kwargs})


def agent(**kwargs: Any) -> Agent:
    return Agent(**{"model": model(), **kwargs})


def star_args(*numbers: int) -> str:
    """Takes *args."""
    return ""


def star_kwargs(**options: str) -> str:
    """Takes **kwargs."""
    return ""


def socket_param(conn: socket.socket) -> str:
    """A parameter type with no JSON schema."""
    return ""


def callable_param(callback: Callable[[int], int]) -> str:
    """A callable parameter."""
    return ""


def untyped_param(city) -> str:  # type: ignore[no-untyped-def]
    """No type hint."""
    return ""


def named_tool(name: str) -> Callable[[str], str]:
    def tool(city: str) -> str:
        """Looks a city up."""
        return city

    tool.__name__ = name
    return tool


@dataclasses.dataclass
class NotPydantic:
    name: str


def run_async(message: Any) -> None:
    asyncio.run(agent().arun(message))


# (id, what to do, fragments the message must contain: the parameter, then what is accepted)
REFUSALS: list[tuple[str, Callable[[Path], Any], list[str]]] = [
    # Model ids.
    ("id-empty", lambda _: model(id=""), ["id", "non-empty model id", "openai/gpt-4o"]),
    ("id-whitespace", lambda _: model(id="   "), ["id", "non-empty model id"]),
    ("id-padded", lambda _: model(id=" openai/gpt-4o "), ["id", "surrounding whitespace"]),
    ("id-not-text", lambda _: model(id=42), ["id", "model id"]),
    ("id-none", lambda _: model(id=None), ["id", "model id"]),
    # The fallback list.
    ("models-a-string", lambda _: model(models="openai/gpt-4o"), ["models", "list of model id strings"]),
    ("models-a-dict", lambda _: model(models={"a": 1}), ["models", "list of model id strings"]),
    ("models-not-strings", lambda _: model(models=[1, 2]), ["models[0]", "model id"]),
    ("models-with-empty", lambda _: model(models=["openai/gpt-4o", " "]), ["models[1]", "non-empty model id"]),
    # Reasoning.
    ("reasoning-not-a-dict", lambda _: model(reasoning="high"), ["reasoning", "dict", "enabled"]),
    ("reasoning-unknown-key", lambda _: model(reasoning={"effrot": "high"}), ["effrot", "accepted keys", "effort"]),
    ("reasoning-effort", lambda _: model(reasoning={"effort": "extreme"}), ["reasoning['effort']", "minimal", "high"]),
    ("reasoning-summary", lambda _: model(reasoning={"summary": "long"}), ["reasoning['summary']", "concise"]),
    ("reasoning-enabled", lambda _: model(reasoning={"enabled": "yes"}), ["reasoning['enabled']", "True or False"]),
    ("reasoning-max-tokens", lambda _: model(reasoning={"max_tokens": 0}), ["max_tokens", "positive integer"]),
    # Sampling and limits.
    ("temperature-high", lambda _: model(temperature=2.5), ["temperature", "0.0 to 2.0"]),
    ("temperature-negative", lambda _: model(temperature=-0.1), ["temperature", "0.0 to 2.0"]),
    ("temperature-nan", lambda _: model(temperature=float("nan")), ["temperature", "number from 0.0 to 2.0"]),
    ("temperature-text", lambda _: model(temperature="hot"), ["temperature", "number"]),
    ("temperature-bool", lambda _: model(temperature=True), ["temperature", "number"]),
    ("top-p-high", lambda _: model(top_p=1.5), ["top_p", "0.0 to 1.0"]),
    ("top-p-negative", lambda _: model(top_p=-1), ["top_p", "0.0 to 1.0"]),
    ("max-output-tokens", lambda _: model(max_output_tokens=0), ["max_output_tokens", "positive integer"]),
    ("max-retries", lambda _: model(max_retries=-1), ["max_retries", "≥ 0"]),
    # OpenRouter is stateless.
    ("store-true", lambda _: model(store=True), ["store=True", "stateless"]),
    (
        "previous-response-id",
        lambda _: model(extra_body={"previous_response_id": "resp_1"}),
        ["previous_response_id", "stateless"],
    ),
    ("provider-type", lambda _: model(provider=42), ["provider", "dict of OpenRouter provider preferences"]),
    ("plugins-shape", lambda _: model(plugins=[{"name": "web"}]), ["plugins", "'id'"]),
    # Endpoint.
    ("base-url-scheme", lambda _: model(base_url="ftp://openrouter.ai/api/v1"), ["base_url", "https://"]),
    ("base-url-insecure", lambda _: model(base_url="http://openrouter.ai/api/v1"), ["allow_insecure_http", "https"]),
    (
        "openai-base-url-insecure",
        lambda _: OpenAIResponses(api_key=KEY, base_url="http://api.example.com/v1"),
        ["allow_insecure_http"],
    ),
    # Tools.
    ("tool-star-args", lambda _: agent(tools=[star_args]), ["star_args", "*numbers", "named arguments"]),
    ("tool-star-kwargs", lambda _: agent(tools=[star_kwargs]), ["star_kwargs", "**options", "type hint"]),
    ("tool-socket-param", lambda _: agent(tools=[socket_param]), ["socket_param", "'conn'", "type"]),
    ("tool-callable-param", lambda _: agent(tools=[callable_param]), ["callable_param", "'callback'", "type"]),
    ("tool-untyped-param", lambda _: agent(tools=[untyped_param]), ["untyped_param", "'city'", "type hint", "Any"]),
    (
        "tool-duplicate-names",
        lambda _: agent(tools=[named_tool("lookup"), named_tool("lookup")]),
        ["tools", "distinct names"],
    ),
    # Structured output.
    ("output-schema-dict", lambda _: agent(output_schema=dict), ["output_schema", "pydantic BaseModel"]),
    ("output-schema-dataclass", lambda _: agent(output_schema=NotPydantic), ["output_schema", "pydantic BaseModel"]),
    ("output-schema-name", lambda _: agent(output_schema="City"), ["output_schema", "pydantic BaseModel"]),
    # Agent settings.
    ("agent-model-a-string", lambda _: Agent(model="openai/gpt-4o"), ["model", "OpenRouterResponses"]),
    ("num-history-runs", lambda _: agent(num_history_runs=0), ["num_history_runs", "positive integer"]),
    ("tool-call-limit", lambda _: agent(tool_call_limit=-1), ["tool_call_limit", "≥ 0"]),
    ("session-id-empty", lambda _: agent(session_id=" "), ["session_id", "non-empty string"]),
    # Messages.
    ("input-int", lambda _: agent().run(42), ["input", "text, a pydantic model, a Message or a list of Responses"]),
    ("input-bytes", lambda _: agent().run(b"hello"), ["input", "text, a pydantic model"]),
    ("input-none", lambda _: agent().run(None), ["input", "text, a pydantic model"]),
    ("input-a-bad-dict", lambda _: agent().run({"text": "x"}), ["input[0]", "'type' or 'role'"]),
    ("input-list-of-ints", lambda _: agent().run([1, 2]), ["input", "'type' or 'role'"]),
    ("input-item-shape", lambda _: agent().run([{"text": "x"}]), ["input", "'type' or 'role'"]),
    ("input-streamed", lambda _: list(agent().run(42, stream=True)), ["input", "text, a pydantic model"]),
    ("input-async", lambda _: run_async(42), ["input", "text, a pydantic model"]),
    ("model-input-int", lambda _: model().invoke(42), ["input", "text or a list of Responses input items"]),
    ("model-input-item", lambda _: model().invoke(["hello"]), ["input[0]", "'type' or 'role'"]),
    ("model-stream-input", lambda _: list(model().invoke_stream(3.5)), ["input", "text or a list"]),
    ("api-key-missing", lambda _: model(api_key=None).invoke("hi"), ["api_key", "OPENROUTER_API_KEY"]),
    # The session database.
    # A missing directory is no longer refused: SqliteDb creates it on first use (tests/db), as agno does.
    (
        "db-bad-table-name",
        lambda tmp: SqliteDb(db_file=tmp / "s.db", table_name="runs; DROP TABLE x"),
        ["table_name", "letters, digits and underscores"],
    ),
    ("db-a-directory", lambda tmp: SqliteDb(db_file=tmp), ["db_file", "is a directory"]),
    ("db-not-a-path", lambda _: SqliteDb(db_file=42), ["db_file", "path to a SQLite file"]),
    ("db-empty-path", lambda _: SqliteDb(db_file=""), ["db_file", "path to a SQLite file"]),
]


@pytest.fixture
def base_url(emu):
    BASE["url"] = emu.base_url
    yield
    BASE.clear()


@pytest.mark.parametrize(("what", "fragments"), [(r[1], r[2]) for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refused_before_any_request(emu, base_url, tmp_path, what, fragments):
    with pytest.raises(UsageError) as info:
        what(tmp_path)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"
    assert isinstance(info.value, ValueError)
    assert emu.requests == []
    assert KEY not in message


def test_the_table_covers_every_kind_the_issue_lists():
    ids = {r[0] for r in REFUSALS}
    for prefix in ("id-", "models-", "reasoning-", "temperature-", "top-p-", "store-", "tool-", "output-schema-"):
        assert any(i.startswith(prefix) for i in ids), prefix
    assert {"input-int", "db-bad-table-name"} <= ids
