"""Usage errors that teach: the subcommand's usage with "did you mean", `--reasoning` as a flag with
`--effort LEVEL`, the base-URL hint on a 404, and help with examples for every command."""

from __future__ import annotations

import pytest


def test_mistyped_option_shows_the_subcommands_usage_and_a_suggestion(run_cli, emu):
    r = run_cli("ask", "--modle", "emulator/echo", "hi")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("usage: routerkit ask ")
    assert "routerkit ask: error: unknown option --modle (did you mean --model?)" in r.stderr
    r = run_cli("logs", "--sinse", "1d")
    assert "usage: routerkit logs" in r.stderr and "did you mean --since?" in r.stderr
    r = run_cli("chat", "--sesion=x")
    assert "usage: routerkit chat" in r.stderr and "did you mean --session?" in r.stderr
    assert emu.requests == []


def test_mistyped_command_gets_a_suggestion(run_cli):
    r = run_cli("aks", "hi")
    assert r.returncode == 2
    assert "unknown command 'aks' (did you mean ask?)" in r.stderr
    r = run_cli("zzzz")
    assert r.returncode == 2 and "unknown command 'zzzz'" in r.stderr and "did you mean" not in r.stderr


def test_reasoning_is_a_flag_and_effort_is_checked(run_cli, emu):
    r = run_cli("ask", "-m", "emulator/echo", "--reasoning", "extreme", "hi")
    assert r.returncode == 0, r.stderr
    body = emu.requests[-1].body
    assert body["reasoning"] == {"enabled": True} and r.stdout == "extreme hi\n"

    r = run_cli("ask", "-m", "emulator/echo", "--effort", "extreme", "hi")
    assert r.returncode == 2 and "argument --effort: invalid choice: 'extreme'" in r.stderr and "high" in r.stderr
    for argv in (["--reasoning", "high", "hi"], ["--reasoning=high", "hi"]):
        r = run_cli("ask", "-m", "emulator/echo", *argv)
        assert r.returncode == 2 and "--reasoning is a flag; for an effort use --effort high" in r.stderr

    r = run_cli("ask", "-m", "emulator/reasoning", "--effort", "low", "hi")
    assert r.returncode == 0 and emu.requests[-1].body["reasoning"] == {"effort": "low"}
    r = run_cli("ask", "-m", "emulator/echo", "--no-reasoning", "hi", env={"ROUTERKIT_MODEL": None})
    assert r.returncode == 0 and "reasoning" not in emu.requests[-1].body


def test_base_url_without_api_v1_gets_a_hint(run_cli, emu):
    root = emu.base_url.removesuffix("/api/v1")
    r = run_cli("ask", "--max-retries", "0", "--base-url", root, "-m", "emulator/echo", "hi")
    assert r.returncode == 6
    assert "HTTP 404" in r.stderr and f"does the base URL end in /api/v1? ({root})" in r.stderr
    r = run_cli("ask", "--max-retries", "0", "-m", "emulator/fail-404", "hi")  # the right base URL: no hint
    assert r.returncode == 6 and "does the base URL" not in r.stderr


COMMANDS = ["ask", "chat", "sessions", "logs", "usage", "models", "emulator", "demo", "config", "alias", "completion"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_and_examples(run_cli, command):
    r = run_cli(command, "--help")
    assert r.returncode == 0, r.stderr
    usage, description = r.stdout.split("\n\n")[:2]
    assert usage.startswith(f"usage: routerkit {command}")
    assert description.strip() and not description.startswith(("positional", "options"))
    assert f"routerkit {command}" in r.stdout.split("\nexamples:\n  ")[1]


def test_top_level_help_points_at_the_docs_and_chat_help_lists_chats_options(run_cli):
    r = run_cli("--help")
    assert "docs: " in r.stdout and "routerkit COMMAND --help" in r.stdout
    chat = run_cli("chat", "--help").stdout
    assert "--session NAME" in chat and "--history N" in chat
    assert "--schema" not in chat and "PROMPT" not in chat
