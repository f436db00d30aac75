"""Feedback while waiting: on a terminal a spinner before the first token and a line per retry, on stderr;
piped, none of it."""

from __future__ import annotations

import re

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_spinner_before_the_first_token_then_erased(pty_run):
    p = pty_run("ask", "-m", "emulator/slow-800", "hello there")
    assert p.wait() == 0, p.text()
    out = p.text()
    assert re.search(r"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] waiting for emulator/slow-800 \d+\.\d s", out), out
    answer_at = out.index("hello there")
    assert out.rindex("\r\x1b[2K", 0, answer_at) > out.rindex("waiting for", 0, answer_at)  # erased first


def test_plain_has_no_spinner(pty_run):
    p = pty_run("ask", "--plain", "-m", "emulator/slow-400", "plainly")
    assert p.wait() == 0, p.text()
    assert "waiting for" not in p.text()


def test_retries_are_announced_on_a_terminal(pty_run):
    p = pty_run("ask", "--plain", "-m", "emulator/flaky-2", "try again")
    assert p.wait() == 0, p.text()
    plain = ANSI.sub("", p.text())
    assert re.search(r"retrying in \d+(\.\d)? s \(503 unavailable, attempt 2/3\)", plain), plain
    assert re.search(r"retrying in \d+(\.\d)? s \(503 unavailable, attempt 3/3\)", plain), plain
    assert "try again" in plain


def test_piped_output_has_no_progress_lines(run_cli, emu):
    r = run_cli("ask", "-m", "emulator/flaky-1", "quiet please")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "quiet please\n"
    assert "retrying" not in r.stderr and "waiting for" not in r.stderr and "\r" not in r.stderr


def test_a_fallback_is_announced_while_waiting(pty_run):
    """The stream's first event names the fallback model serving the call: the waiting line says so before
    the answer's first token (the emulator's fail-500 model is down; OpenRouter's `models` list falls back)."""
    p = pty_run("ask", "--plain", "-m", "emulator/fail-500", "--fallback", "emulator/echo", "fell back")
    assert p.wait() == 0, p.text()
    plain = ANSI.sub("", p.text())
    line = "falling back to emulator/echo (emulator/fail-500 did not answer)"
    assert line in plain, plain
    assert plain.index(line) < plain.index("fell back\r\n")


def test_no_fallback_line_when_the_model_answers_or_output_is_piped(pty_run, run_cli, emu):
    p = pty_run("ask", "--plain", "-m", "emulator/echo", "--fallback", "emulator/fail-500", "first answers")
    assert p.wait() == 0, p.text()
    assert "falling back" not in p.text()
    r = run_cli("ask", "-m", "emulator/fail-500", "--fallback", "emulator/echo", "piped")
    assert r.returncode == 0 and r.stdout == "piped\n"
    assert "falling back" not in r.stderr
