"""What `print_response` shows a user, end to end against the emulator, read from a recorded console."""

from __future__ import annotations

import io
import re
import sys

import pytest
from rich.console import Console

from routerkit.agent import Agent
from routerkit.errors import UsageError

from ..conftest import TEST_KEY


def terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=100, height=40, color_system="truecolor", record=True)


def shown(console: Console) -> str:
    return console.export_text(clear=False)


@pytest.mark.parametrize("stream", [True, False])
def test_seed_example_shows_reasoning_answer_and_footer(make_model, stream):
    console = terminal()
    agent = Agent(
        model=make_model(
            "openai/gpt-oss-20b", reasoning={"enabled": True}, models=["openai/gpt-oss-20b", "openai/gpt-4o"]
        ),
        markdown=True,
    )
    out = agent.print_response("Write a haiku about coding", stream=stream, console=console)
    text = shown(console)
    assert "Write a haiku about coding" in text
    reasoning_at = text.index(out.reasoning_content.split()[0])
    first_answer_line = next(line for line in out.content.splitlines() if line.strip("*_ "))
    answer_at = text.index(first_answer_line.strip("*_ ").split()[0])
    assert reasoning_at < answer_at  # the reasoning comes first, in its own section
    assert text.count(first_answer_line.strip("*_ ")) == 1  # the answer is not echoed into the reasoning
    footer = text.strip().splitlines()[-1]
    assert "openai/gpt-oss-20b" in footer and "$" in footer and "fallback" not in footer
    assert "TTFT" in text or not stream


def test_fallback_is_marked_in_the_footer(make_model):
    console = terminal()
    agent = Agent(model=make_model("emulator/fail-502", models=["emulator/fail-502", "emulator/echo"]))
    agent.print_response("hello fallback", stream=True, console=console)
    text = shown(console)
    assert "emulator/echo" in text and "fallback from emulator/fail-502" in text


def test_encrypted_reasoning_gets_a_one_line_note_with_the_token_count(make_model):
    console = terminal()
    out = Agent(model=make_model("emulator/reasoning-encrypted")).print_response("think", stream=True, console=console)
    text = shown(console)
    assert f"reasoning: {out.metrics.reasoning_tokens:,} tokens (encrypted, not shown)" in text


def test_tool_calls_show_arguments_and_results(make_model):
    def get_weather(city: str) -> str:
        """Weather.

        Args:
            city: The city.
        """
        return f"sunny in {city}"

    def broken(city: str) -> str:
        """Broken."""
        raise RuntimeError("backend down")

    console = terminal()
    Agent(model=make_model("emulator/tool"), tools=[get_weather]).print_response(
        "weather", stream=True, console=console
    )
    text = shown(console)
    assert "get_weather(" in text and '"city"' in text and "sunny in" in text
    console = terminal()
    Agent(model=make_model("emulator/tool"), tools=[broken]).print_response("weather", console=console)
    assert "broken failed" in shown(console) and "backend down" in shown(console)


@pytest.mark.parametrize(
    ("model_id", "title", "facts"),
    [
        ("emulator/fail-401", "Authentication failed", ["HTTP 401", "emulator/fail-401"]),
        ("emulator/fail-402", "Insufficient credits", ["HTTP 402"]),
        ("emulator/fail-429-none", "Rate limited", ["HTTP 429"]),
        ("emulator/html-502", "Provider or server error", ["HTTP 502", "non-JSON"]),
        ("emulator/unavailable", "Provider or server error", ["HTTP 503"]),
        ("emulator/no-such-model", "Bad request", ["not a valid model ID"]),
        ("emulator/error-event", "Response failed", ["emulator/error-event"]),
        ("emulator/failed", "Response failed", ["server_error"]),
        ("emulator/incomplete", "Response incomplete", ["max_output_tokens"]),
        ("emulator/truncate", "Stream interrupted", ["mid-stream"]),
        ("emulator/stall", "Timed out", ["stall_timeout"]),
    ],
)
def test_every_fault_shows_a_red_error_panel_never_a_blank_answer(make_model, model_id, title, facts):
    console = terminal()
    agent = Agent(model=make_model(model_id, max_retries=0, stall_timeout=1.0))
    out = agent.print_response("hello", stream=True, console=console)
    text = shown(console)
    assert title in text
    for fact in facts:
        assert fact in text
    assert out.error is not None and out.status == "ERROR"
    assert "\x1b[31m" in console.file.getvalue() or "\x1b[38;2;" in console.file.getvalue()  # red
    if model_id in ("emulator/failed", "emulator/truncate", "emulator/error-event"):
        assert "Partial answer" in text and "partial answer above was kept" in text
    assert TEST_KEY not in console.file.getvalue()


def test_off_a_terminal_it_prints_the_same_panels_without_escape_codes(make_model):
    """`python agent.py | tee log` shows what the terminal would (as agno does), with no colours or cursor
    movement: the message panel, the answer rendered as markdown with each block once, and the footer."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=100)  # not a terminal
    out = Agent(model=make_model("emulator/markdown-50"), markdown=True).print_response(
        "md", stream=True, console=console
    )
    written = buffer.getvalue()
    assert "\x1b" not in written
    assert "Message" in written.splitlines()[0] and "md" in written.splitlines()[1]
    headings = [line.lstrip("# ") for line in out.content.splitlines() if line.startswith("## ")]
    assert headings and all(written.count(h) == 1 for h in headings)
    assert "**markdown**" not in written and "markdown" in written  # rendered, not raw
    assert written.rstrip().splitlines()[-1].startswith("emulator/markdown-50 · tokens")


def test_no_color_is_honoured(make_model, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    Agent(model=make_model("emulator/fail-401")).print_response("x", stream=True, console=console)
    assert "\x1b[31m" not in buffer.getvalue() and "38;2;" not in buffer.getvalue()
    assert "Authentication failed" in buffer.getvalue()


def test_markdown_answer_is_rendered_once_and_fully(make_model):
    console = terminal()
    out = Agent(model=make_model("emulator/markdown-400"), markdown=True).print_response(
        "md", stream=True, console=console
    )
    text = shown(console)
    headings = [line.lstrip("# ") for line in out.content.splitlines() if line.startswith("## ")]
    assert headings and all(text.count(h) == 1 for h in headings)  # each finished block committed exactly once
    assert "…" not in text


def test_bad_input_is_raised_not_printed(make_model):
    with pytest.raises(UsageError):
        Agent(model=make_model()).print_response(12345, console=terminal())  # type: ignore[arg-type]


async def test_aprint_response_matches_print_response(make_model):
    console = terminal()
    out = await Agent(model=make_model("emulator/reasoning")).aprint_response("why", stream=True, console=console)
    text = shown(console)
    assert out.content.split()[0] in text and out.reasoning_content.split()[0] in text
    assert "emulator/reasoning" in text.strip().splitlines()[-1]


def test_in_jupyter_it_renders_as_rich_output(make_model, monkeypatch):
    """A notebook gets each section as rich output (HTML plus text), never a live region (which would need
    ipywidgets and warn). The notebook front end cannot be had here, so IPython's `display` is replaced by
    one that records what rich hands it."""
    import types

    shown_items: list[object] = []
    ipython = types.ModuleType("IPython")
    display_module = types.ModuleType("IPython.display")
    display_module.display = shown_items.append  # type: ignore[attr-defined]
    ipython.display = display_module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    console = Console(force_jupyter=True, width=100)
    out = Agent(model=make_model("emulator/markdown-20"), markdown=True).print_response(
        "a notebook question", stream=True, console=console
    )
    styled = "".join(item.text for item in shown_items)  # type: ignore[attr-defined]
    texts = re.sub(r"\x1b\[[0-9;]*m", "", styled)  # the plain-text fallback carries colours
    html = "".join(item.html for item in shown_items)  # type: ignore[attr-defined]
    assert "a notebook question" in texts and "emulator/markdown-20 · tokens" in texts
    headings = [line.lstrip("# ") for line in out.content.splitlines() if line.startswith("## ")]
    assert headings and all(texts.count(h) == 1 for h in headings)  # the answer once, whole
    assert "<pre" in html
