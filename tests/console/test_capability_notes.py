"""What `print_response` says about OpenRouter's capabilities, through the emulator: a numbered Sources list
and the searches after a web-search answer, "1 image (image/png, …)" without saving anything, cached tokens
and the cost split in the footer, and "routed to" for router ids instead of "fallback"."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from routerkit.agent import Agent
from routerkit.tools import WebSearch

LONG = "Background: " + "the quick brown fox jumps over the lazy dog " * 120


def terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=200, height=40, color_system="truecolor", record=True)


@pytest.mark.parametrize("stream", [True, False])
def test_sources_follow_the_answer_numbered_with_titles_and_urls(make_model: Callable[..., Any], stream: bool) -> None:
    console = terminal()
    out = Agent(model=make_model("openai/gpt-4o"), tools=[WebSearch()]).print_response(
        "Who built the Eiffel Tower", stream=stream, console=console
    )
    text = console.export_text()
    assert "searched: Who built the Eiffel Tower" in text
    assert "Sources:" in text and text.index("Sources:") > text.index("As reported by")
    for number, cite in enumerate(out.citations.unique_urls(), 1):  # type: ignore[union-attr]
        assert f"[{number}] {cite.title} — {cite.url}" in text


def test_an_image_is_described_not_saved(
    make_model: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    console = terminal()
    out = Agent(model=make_model("google/gemini-2.5-flash", modalities=["image", "text"])).print_response(
        "a red square", console=console
    )
    size = out.images[0].size
    assert f"1 image (image/png, {size} B)" in console.export_text()
    assert list(tmp_path.iterdir()) == []


def test_cached_tokens_and_the_cost_split_show_in_the_footer(make_model: Callable[..., Any]) -> None:
    agent = Agent(model=make_model("openai/gpt-4o"), instructions=LONG, add_history_to_context=True)
    agent.run("first")
    console = terminal()
    out = agent.print_response("second", console=console)
    footer = console.export_text().strip().splitlines()[-1]
    assert f"({out.metrics.cache_read_tokens:,} cached)" in footer
    assert "(in $" in footer and " / out $" in footer


def test_a_router_says_routed_to_not_fallback(make_model: Callable[..., Any]) -> None:
    console = terminal()
    Agent(model=make_model("openrouter/auto")).print_response("hi", console=console)
    footer = console.export_text().strip().splitlines()[-1]
    assert "openrouter/auto · routed to openai/gpt-4o-mini" in footer and "fallback" not in footer
