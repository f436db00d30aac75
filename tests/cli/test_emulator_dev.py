"""The emulator as a dev tool: realistic ids enforce their context length with OpenRouter's 400, and
`emulator/tool` fills tool arguments from the prompt where it says them."""

from __future__ import annotations

from routerkit.agent import Agent
from routerkit.models.openrouter import OpenRouterResponses


def test_a_prompt_past_the_context_length_gets_openrouters_400(run_cli, emu):
    big = "word " * 120_000  # ~600 KB: about 150,000 tokens, past gpt-4o's 128,000
    r = run_cli("ask", "--max-retries", "0", "-m", "openai/gpt-4o", "summarise", input=big)
    assert r.returncode == 6, r.stderr
    assert "HTTP 400" in r.stderr and "maximum context length is 128000 tokens" in r.stderr
    assert r.stdout == ""

    r = run_cli("ask", "-m", "openai/gpt-4o", "--fallback", "google/gemini-2.5-flash", "summarise", input=big)
    assert r.returncode == 0, r.stderr  # OpenRouter falls back on context-length errors; so does the emulator
    assert "google/gemini-2.5-flash" in r.stderr and "fallback from openai/gpt-4o" in r.stderr

    r = run_cli("ask", "-m", "emulator/echo", "--plain", "short", input=big)  # the emulator's own ids: no limit
    assert r.returncode == 0, r.stderr


def get_weather(city: str, unit: str = "celsius") -> str:
    """The weather.

    Args:
        city: The city.
        unit: celsius or fahrenheit.
    """
    return f"sunny in {city}"


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


def test_tool_arguments_come_from_the_prompt(emu):
    model = OpenRouterResponses(id="emulator/tool", base_url=emu.base_url, api_key="test")
    out = Agent(model=model, tools=[get_weather]).run("What is the weather in Paris?")
    assert out.tools[0].tool_name == "get_weather"
    assert out.tools[0].result == "sunny in Paris"
    out = Agent(model=model, tools=[multiply]).run("What is 25 * 37?")
    assert out.tools[0].result == "925"
    assert "925" in out.content
