"""What the footer of `routerkit ask` and `routerkit chat` says about OpenRouter's capabilities, piped (the
footer goes to stderr): cached tokens with the cost split, and "routed to" for a router id."""

from __future__ import annotations

import re

from routerkit.emulator import Emulator

from .test_chat_capabilities import LONG_SYSTEM


def test_ask_footer_shows_cached_tokens_on_the_second_call_of_a_session(run_cli, emu: Emulator) -> None:
    args = ("ask", "-m", "openai/gpt-4o", "-s", LONG_SYSTEM, "--session", "cache")
    first = run_cli(*args, "first question")
    second = run_cli(*args, "second question")
    assert first.returncode == second.returncode == 0, second.stderr
    assert "cached" not in first.stderr
    assert re.search(
        r"tokens [\d,]+ in \([\d,]+ cached\) / \d+ out · \$[\d.]+ \(in \$[\d.]+ / out \$[\d.]+\)", second.stderr
    )
    assert {r.body["session_id"] for r in emu.requests} == {"cache"}


def test_router_ids_are_routed_not_fallbacks(run_cli, emu: Emulator) -> None:
    for command, given in (("ask", {}), ("chat", {"input": "hi\n"})):
        r = run_cli(command, "-m", "openrouter/auto", *(["hi"] if command == "ask" else []), **given)
        assert r.returncode == 0, r.stderr
        assert "openrouter/auto · routed to openai/gpt-4o-mini" in r.stderr and "fallback" not in r.stderr
