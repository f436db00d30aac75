"""RunPrinter on a real pseudo-terminal (24 rows, 80 columns): long answers scroll, Ctrl-C leaves it clean."""

from __future__ import annotations

import os
import re
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _vt_screen import Screen

termios = pytest.importorskip("termios")
fcntl = pytest.importorskip("fcntl")

ROWS, COLS = 24, 80
CHILD = Path(__file__).with_name("_pty_child.py")


class PtyRun:
    """A child on a new pty of ROWS x COLS, as `stty rows 24 cols 80` would set it."""

    def __init__(self, mode: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
        env.update(TERM="xterm-256color", PYTHONIOENCODING="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), mode],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.output = b""

    def read(self, until: bytes | None = None, timeout: float = 30) -> bytes:
        """Read until `until` appears (or, without it, until the child closes the pty)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if until is not None and until in self.output:
                return self.output
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed its side
                data = b""
            if not data:
                if until is None:
                    return self.output
                break
            self.output += data
        raise AssertionError(f"timed out waiting for {until!r}; got {self.output[-500:]!r}")

    def finish(self) -> tuple[int, str]:
        self.read()
        code = self.process.wait(timeout=10)
        os.close(self.master)
        return code, self.output.decode("utf-8")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _assert_clean_end(raw: str) -> None:
    hide, show = raw.rfind("\x1b[?25l"), raw.rfind("\x1b[?25h")
    assert hide >= 0 and show > hide, "the cursor must be shown again after the live region"
    assert raw.endswith("\n")


def test_an_answer_taller_than_the_terminal_scrolls_whole() -> None:
    run = PtyRun("tall")
    try:
        code, raw = run.finish()
    finally:
        run.kill()
    assert code == 0, raw[-2000:]
    screen = Screen(COLS, ROWS)
    screen.feed(raw)
    text = screen.text()
    assert "..." not in text and "…" not in text
    for i in range(120):
        assert text.count(f"value_{i:03d} = {i} * 2") == 1, i
    for i in range(60):
        assert text.count(f"Paragraph {i:03d} says") == 1, i
    # the end of the answer and the footer are on the last screen, in order
    last_screen = "\n".join(screen.lines[-ROWS:])
    assert "The very last line of the answer." in last_screen
    assert last_screen.index("Paragraph 059") < last_screen.index("The very last line")
    assert "m/used" in last_screen and "↪ fallback from m/requested" in last_screen
    _assert_clean_end(raw)
    assert screen.cursor_visible


@pytest.mark.parametrize("after", [3, 30, 70])
def test_ctrl_c_mid_stream_leaves_the_terminal_clean(after: int) -> None:
    run = PtyRun("sigint")
    try:
        run.read(until=f"chunk {after}".encode())
        os.write(run.master, b"\x03")  # Ctrl-C, turned into SIGINT by the terminal
        code, raw = run.finish()
    finally:
        run.kill()
    assert code == 0, raw[-2000:]
    screen = Screen(COLS, ROWS)
    screen.feed(raw)
    text = screen.text()
    assert "Interrupted by the user" in text and "partial answer above is kept" in text
    assert "Intro line of the answer." in text
    chunks = [int(n) for n in re.findall(r"chunk (\d+)", text)]
    assert chunks == list(range(len(chunks))) and len(chunks) > after  # every chunk kept once, in order
    assert "Traceback" not in text
    _assert_clean_end(raw)
    assert screen.cursor_visible
