"""`routerkit` on a pseudo-terminal: live markdown in `ask`, Ctrl-C in `ask` and `chat`."""

from __future__ import annotations

import re
import time


def test_ask_renders_live_markdown_on_a_terminal(pty_run):
    p = pty_run("ask", "-m", "emulator/markdown-60", "a document")
    assert p.wait() == 0, p.text()
    out = p.text()
    assert "\x1b[" in out  # styled and live, not plain text
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    assert "Emulator markdown" in plain and "Section 1: notes on streaming" in plain
    assert "# Emulator markdown" not in plain  # the heading was rendered, not printed raw
    assert "emulator/markdown-60" in plain and "tokens" in plain  # the footer


def test_ask_ctrl_c_exits_130(pty_run):
    p = pty_run("ask", "-m", "emulator/markdown-400@20", "a long document")
    p.expect("Emulator markdown")
    p.send("\x03")
    assert p.wait() == 130, p.text()
    assert "Interrupted" in p.text()


def test_chat_ctrl_c_stops_the_answer_not_the_chat(pty_run):
    p = pty_run("chat", "-m", "emulator/markdown-400@20", "--session", "pty")
    at = p.expect(">>> ")
    p.send("write a long document\r")
    at = p.expect("Section 1", start=at)
    p.send("\x03")
    at = p.expect("Interrupted", start=at, timeout=5)
    at = p.expect(">>> ", start=at)  # the prompt is back
    p.send("/history\r")
    at = p.expect(r"\[interrupted\]", start=at)
    at = p.expect(">>> ", start=at)
    # CPython's readline shows the prompt just before it starts waiting; a SIGINT in between is only noticed
    # at the next keypress. A person cannot type that fast; the test waits a moment.
    time.sleep(0.3)
    p.send("\x03")  # at the prompt: clears the line, says how to leave
    at = p.expect("Ctrl-C again", start=at)
    p.send("/exit\r")
    assert p.wait() == 0, p.text()


def test_chat_ctrl_d_exits(pty_run):
    p = pty_run("chat", "-m", "emulator/echo")
    p.expect(">>> ")
    p.send("\x04")
    assert p.wait() == 0, p.text()
    assert "resume with: routerkit chat --session" in p.text()


def test_models_table_on_a_terminal(pty_run):
    p = pty_run("models", "gpt-4o")
    assert p.wait() == 0, p.text()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", p.text())
    assert re.search(r"openai/gpt-4o\s+128,000\s+\$2\.50\s+\$10\.00", plain), plain
    assert "2 models" in plain


def test_plain_on_a_terminal_writes_the_raw_answer(pty_run):
    p = pty_run("ask", "--plain", "-m", "emulator/markdown-20", "a document")
    assert p.wait() == 0, p.text()
    answer = p.text().split("emulator/markdown-20 ·")[0]
    assert "# Emulator markdown" in answer  # markdown source, not rendered
    assert "\x1b[" not in answer.replace("\x1b[2m", "").replace("\x1b[0m", "")
