"""Stopping a run from outside: Ctrl-C in the consumer loop, a real SIGINT on a terminal, `task.cancel()`,
closing the event iterator. Each must close the HTTP stream at once (the socket is gone on both ends, the
run does not wait for the paced answer to finish), record the run as interrupted with exactly the text that
was shown, and replay that partial answer as history.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from routerkit.agent import Agent, RunContentEvent
from routerkit.db.base import RUN_STATUSES
from routerkit.db.sqlite import SqliteDb

from .conftest import fd_count, settle_threads

#: 400 deltas 10 ms apart: four seconds of answer, so a prompt stop is easy to tell from a finished stream.
PACED = "emulator/markdown-400@10"
STOP_BOUND = 1.5  # seconds from the stop to the run being recorded, connection closed


def _wait_for_fds(limit: int, wait: float = 2.0) -> int:
    deadline = time.monotonic() + wait
    while fd_count() > limit and time.monotonic() < deadline:
        time.sleep(0.02)
    return fd_count()


def _warm(agent: Agent, make_model) -> None:
    """One completed turn first: the pooled connection and the database files are open before the baseline."""
    paced, agent.model = agent.model, make_model("emulator/echo")
    agent.run("warm up")
    agent.model = paced


def _consume_until_interrupt(agent: Agent, seen: list[str], after: int) -> None:
    for event in agent.run("long answer please", stream=True, stream_events=True):
        if isinstance(event, RunContentEvent):
            seen.append(event.content)
            if len(seen) == after:
                raise KeyboardInterrupt  # what Ctrl-C does while the caller's loop body runs


def test_keyboard_interrupt_in_the_consumer_loop(emu, make_model, tmp_path, fault_record):
    db = SqliteDb(db_file=tmp_path / "s.db")
    agent = Agent(model=make_model(PACED), db=db, session_id="s", add_history_to_context=True)
    _warm(agent, make_model)
    fds, threads = fd_count(), threading.active_count()
    seen: list[str] = []
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        _consume_until_interrupt(agent, seen, after=20)
    stopped = time.perf_counter() - started
    assert _wait_for_fds(fds) <= fds, "the interrupted stream's socket is still open"
    assert settle_threads(threads) <= threads
    fault_record.hang = stopped > 3.0
    assert stopped < 3.0  # the whole answer takes four seconds

    assert agent.last_run.status == "CANCELLED"
    assert agent.last_run.content == "".join(seen)
    stored = db.get_runs("s", statuses=RUN_STATUSES)[-1]
    assert stored.status == "interrupted" and stored.content == "".join(seen)
    fault_record.surfaced = True

    agent.model = make_model("emulator/echo")
    agent.run("go on")
    replay = emu.requests[-1].body["input"]
    assert [i.get("role") for i in replay] == ["user", "assistant", "user", "assistant", "user"]
    assert replay[3]["content"][0]["text"] == "".join(seen)


@pytest.mark.parametrize("streamed", [True, False], ids=["stream", "plain"])
async def test_task_cancel_closes_the_stream_and_records_the_run(emu, make_model, tmp_path, streamed, fault_record):
    db = SqliteDb(db_file=tmp_path / "s.db")
    # A plain call to the paced model is answered at once; one to `stall` gets no response until cancelled.
    agent = Agent(
        model=make_model(PACED if streamed else "emulator/stall"), db=db, session_id="s", add_history_to_context=True
    )
    paced, agent.model = agent.model, make_model("emulator/echo")
    await agent.arun("warm up the pool of this event loop")
    agent.model = paced
    fds = fd_count()
    seen: list[str] = []
    first = asyncio.Event()

    async def consume() -> None:
        if not streamed:
            asyncio.get_running_loop().call_later(0.3, first.set)
            await agent.arun("long answer please")
            return
        async for event in agent.arun("long answer please", stream=True, stream_events=True):
            if isinstance(event, RunContentEvent):
                seen.append(event.content)
                if len(seen) == 10:
                    first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    await asyncio.sleep(0.05)
    cancelled_at = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    took = time.perf_counter() - cancelled_at
    fault_record.hang = took > STOP_BOUND
    assert took < STOP_BOUND
    assert _wait_for_fds(fds) <= fds, "the cancelled request's socket is still open"

    run = agent.last_run
    assert run.status == "CANCELLED"
    stored = db.get_runs("s", statuses=RUN_STATUSES)[-1]
    assert stored.status == "interrupted"
    if streamed:
        assert run.content.startswith("".join(seen)) and stored.content == run.content
    fault_record.surfaced = True

    agent.model = make_model("emulator/echo")
    await agent.arun("go on")
    roles = [i.get("role") for i in emu.requests[-1].body["input"]]
    # The warm-up turn is replayed; the cancelled one too when it said something, never as a bare question.
    assert roles == ["user", "assistant", "user", "assistant", "user"] if streamed else ["user", "assistant", "user"]


async def test_closing_the_async_event_iterator_records_the_partial_answer(make_model, tmp_path, fault_record):
    db = SqliteDb(db_file=tmp_path / "s.db")
    agent = Agent(model=make_model(PACED), db=db, session_id="s")
    events = agent.arun("long", stream=True, stream_events=True)
    seen = []
    async for event in events:
        if isinstance(event, RunContentEvent):
            seen.append(event.content)
            if len(seen) == 15:
                break
    started = time.perf_counter()
    await events.aclose()
    assert time.perf_counter() - started < STOP_BOUND
    [stored] = db.get_runs("s", statuses=RUN_STATUSES)
    assert stored.status == "interrupted" and stored.content == "".join(seen)
    assert stored.output_items[-1]["status"] == "incomplete"
    fault_record.surfaced = True


_CHILD = r"""
import fcntl, sys, termios
from routerkit.agent import Agent
from routerkit.db.base import RUN_STATUSES
from routerkit.db.sqlite import SqliteDb
from routerkit.models.openrouter import OpenRouterResponses

fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # the pty becomes our controlling terminal: Ctrl-C there is our SIGINT
base_url, db_file, message = sys.argv[1:4]
agent = Agent(model=OpenRouterResponses(id="emulator/echo@40", base_url=base_url, api_key="sk-or-v1-pty"),
              db=SqliteDb(db_file=db_file), session_id="pty")
try:
    agent.print_response(message, stream=True)
except KeyboardInterrupt:
    sys.exit(130)  # the shell's convention for "stopped by SIGINT"; no traceback on the user's terminal
sys.exit(0)
"""

_ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]")


def _read_until(master: int, output: bytearray, until: bytes | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until is not None and until in output:
            return
        ready, _, _ = select.select([master], [], [], 0.05)
        if not ready:
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            return
        if not data:
            return
        output += data


def test_ctrl_c_on_a_terminal_during_print_response(emu, tmp_path, fault_record):
    words = [f"word{i:03d}" for i in range(200)]  # echo answers one word per delta, 40 ms apart: 8 s in all
    db_file = tmp_path / "pty.db"
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", PYTHONIOENCODING="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, emu.base_url, str(db_file), " ".join(words)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        cwd=Path(__file__).parent,
    )
    os.close(slave)
    output = bytearray()
    try:
        # The message panel shows every word first; wait for the answer to be well under way.
        deadline = time.monotonic() + 20
        while output.count(b"word010") < 2 and time.monotonic() < deadline:
            _read_until(master, output, None, timeout=0.05)
        assert output.count(b"word010") >= 2, output.decode(errors="replace")
        pressed = time.perf_counter()
        os.write(master, b"\x03")  # Ctrl-C, turned into SIGINT by the terminal
        _read_until(master, output, None, timeout=10)
        code = child.wait(timeout=10)
        took = time.perf_counter() - pressed
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    text = _ANSI.sub(b"", bytes(output)).decode("utf-8", "replace")
    fault_record.hang = took > 5
    assert code == 130, text
    assert "Traceback" not in text
    assert "Interrupted" in text

    # The terminal is left clean: the cursor shown again after it was last hidden, nothing drawn after the note.
    raw = bytes(output)
    assert raw.rfind(b"\x1b[?25h") > raw.rfind(b"\x1b[?25l")
    assert "word" not in text[text.index("Interrupted") :]

    # The partial answer is what was shown, and the session keeps it as interrupted.
    with SqliteDb(db_file=db_file) as db:
        [stored] = db.get_runs("pty", statuses=RUN_STATUSES)
    assert stored.status == "interrupted"
    shown = stored.content.split()
    assert 10 <= len(shown) < len(words) and shown == words[: len(shown)]
    assert " ".join(shown) in " ".join(text.split())
    assert took < 5
    fault_record.surfaced = True


def test_sigint_signal_to_a_streaming_process_records_the_run(emu, tmp_path, fault_record):
    """The same stop delivered as a signal by another process (`kill -INT`), with no terminal at all."""
    db_file = tmp_path / "sig.db"
    script = _CHILD.replace("fcntl.ioctl(0, termios.TIOCSCTTY, 0)", "print('ready', flush=True)")
    child = subprocess.Popen(
        [sys.executable, "-c", script, emu.base_url, str(db_file), " ".join(f"w{i}" for i in range(200))],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert child.stdout.readline().strip() == b"ready"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with SqliteDb(db_file=db_file) as db:
                if db.get_runs("pty", statuses=RUN_STATUSES):
                    break
            time.sleep(0.05)
        time.sleep(1.5)  # a few words in (of 8 s of them), even when a loaded machine slows the child's start
        os.kill(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, err.decode()
    assert b"Traceback" not in err
    with SqliteDb(db_file=db_file) as db:
        [stored] = db.get_runs("pty", statuses=RUN_STATUSES)
    assert stored.status == "interrupted" and stored.content and stored.content.startswith("w0 w1")
    assert stored.content.split()[-1].encode() in out
    fault_record.surfaced = True
