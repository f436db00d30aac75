"""The web chat page in a real browser: Debian's Chromium driven by Playwright (no browser download).

Type a question, see the answer stream in (markdown rendered, the tool call shown) and the model/tokens/cost
footer; reload and find the session in the list and its conversation on the page. Skipped only where
Chromium or Playwright is absent (CI installs both: see .ci/run).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (in the dev extra)")

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _ask(page: Any, served: Any, question: str) -> Any:
    """Open the chat page, send `question` as a user does (typing, then Enter); the turn it adds."""
    page.goto(served.url + "/")
    page.fill("#question", question)
    page.press("#question", "Enter")
    return page.locator(".turn").last


def test_ask_see_the_streamed_answer_and_footer_then_reload_and_find_the_session(
    serve_agent: Callable[..., Any], page: Any
) -> None:
    turn = _ask(page, serve_agent(), "What is the weather in Paris?")
    sync_api.expect(turn.locator(".user")).to_have_text("What is the weather in Paris?")
    sync_api.expect(turn.locator(".tool")).to_contain_text("get_weather")
    sync_api.expect(turn.locator(".tool")).to_contain_text("→ sunny in Paris")
    sync_api.expect(turn.locator(".answer")).to_contain_text("sunny in Paris")
    footer = turn.locator(".footer")
    sync_api.expect(footer).to_contain_text("emulator/tool")
    sync_api.expect(footer).to_contain_text("tokens")
    sync_api.expect(footer).to_contain_text("$")

    sessions = page.locator("#sessions a")
    sync_api.expect(sessions).to_have_count(1)
    sync_api.expect(sessions.first).to_have_text("What is the weather in Paris?")

    page.reload()
    sync_api.expect(page.locator("#sessions a")).to_have_count(1)
    sync_api.expect(page.locator("#sessions a.current")).to_have_count(1)
    restored = page.locator(".turn")
    sync_api.expect(restored).to_have_count(1)
    sync_api.expect(restored.locator(".answer")).to_contain_text("sunny in Paris")
    sync_api.expect(restored.locator(".footer")).to_contain_text("emulator/tool")


def test_markdown_is_rendered_and_html_in_the_answer_is_not(
    serve_agent: Callable[..., Any], make_model: Callable[..., Any], page: Any
) -> None:
    from routerkit import Agent

    turn = _ask(
        page, serve_agent(Agent(model=make_model("emulator/echo@100"))), "**bold** <img src=x onerror=alert(1)> `code`"
    )
    # Streamed: part of the answer is on the page while the footer (written at the end) is not yet.
    page.wait_for_function(
        "document.querySelector('.answer').textContent && !document.querySelector('.footer').textContent"
    )
    sync_api.expect(turn.locator(".footer")).to_contain_text("emulator/echo")
    answer = turn.locator(".answer")
    sync_api.expect(answer.locator("strong")).to_have_text("bold")
    sync_api.expect(answer.locator("code")).to_have_text("code")
    sync_api.expect(answer).to_contain_text("<img src=x onerror=alert(1)>")
    assert answer.locator("img").count() == 0


def test_reasoning_is_shown_folded(serve_agent: Callable[..., Any], make_model: Callable[..., Any], page: Any) -> None:
    from routerkit import Agent

    turn = _ask(page, serve_agent(Agent(model=make_model("emulator/reasoning"))), "think first")
    sync_api.expect(turn.locator(".footer")).to_contain_text("emulator/reasoning")
    reasoning = turn.locator("details.reasoning")
    sync_api.expect(reasoning).to_be_visible()
    assert reasoning.get_attribute("open") is None  # folded until clicked
    assert reasoning.locator(".text").text_content()
    sync_api.expect(turn.locator(".answer")).not_to_be_empty()
