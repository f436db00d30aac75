"""The "routerkit" logger: what a run reports, and what it never does (keys, content); and that tracing is off,
and OpenTelemetry not even imported, until asked for."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from routerkit import Agent
from routerkit.errors import RateLimitError
from tests.conftest import TEST_KEY

SECRET = "the-secret-city-Zanzibar"


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def test_a_run_logs_requests_fallback_tool_and_cost_but_no_content(
    caplog: pytest.LogCaptureFixture, make_model: Callable[..., Any]
) -> None:
    agent = Agent(model=make_model("emulator/fail-502", models=["emulator/tool"]), tools=[get_weather])
    with caplog.at_level(logging.DEBUG, logger="routerkit"):
        output = agent.run(f"weather in {SECRET}?")
    messages = [r.getMessage() for r in caplog.records if r.name == "routerkit"]
    assert sum(m.startswith("request: model emulator/fail-502") for m in messages) == 2
    assert "fallback: emulator/tool answered for emulator/fail-502" in messages
    assert any(m.startswith("tool call get_weather") for m in messages)
    [done] = [m for m in messages if m.startswith(f"run {output.run_id} done")]
    assert "model emulator/tool" in done and f"${output.metrics.cost:.6f}" in done
    text = "\n".join(messages)
    assert SECRET not in text and "sunny" not in text and TEST_KEY not in text


def test_retries_are_logged_with_reason_and_delay(
    caplog: pytest.LogCaptureFixture, make_model: Callable[..., Any]
) -> None:
    with caplog.at_level(logging.INFO, logger="routerkit"), pytest.raises(RateLimitError):
        make_model("emulator/fail-429-ms", max_retries=1).invoke(SECRET)
    [retry] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retry")]
    assert retry == "retry 1 of model emulator/fail-429-ms in 0.20s: RateLimitError (HTTP 429)"


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_import_routerkit_loads_neither_opentelemetry_nor_serve() -> None:
    out = _python(
        "import sys, routerkit; routerkit.Agent; routerkit.OpenRouterResponses; "
        "print([m for m in sys.modules if m.startswith(('opentelemetry', 'routerkit.serve', 'routerkit.otel'))])"
    )
    assert out == "[]"


def test_a_globally_configured_tracer_provider_is_used_without_instrument(emu: Any) -> None:
    """An application that set up OpenTelemetry itself gets routerkit's spans with no further call."""
    code = f"""
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from routerkit import Agent, OpenRouterResponses
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
model = OpenRouterResponses(id="emulator/echo", base_url={emu.base_url!r}, api_key="k")
Agent(model=model).run("before")
print(len(exporter.get_finished_spans()))
trace.set_tracer_provider(provider)
Agent(model=model).run("after")
print(sorted(s.name for s in exporter.get_finished_spans()))
"""
    assert _python(code).splitlines() == ["0", "['chat emulator/echo', 'invoke_agent']"]
