"""A log file SQLite cannot use — not a database, truncated, another schema, locked, not a file — makes
`routerkit logs`/`usage` say so in one line naming the file and what to do (exit 1), while `ask` still
answers; its turn waits in the inbox and is filed once the log can be used again."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"this is not a database" * 100)


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _other_schema(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript("DROP TABLE logs_fts; DROP TABLE logs; CREATE TABLE logs(x);")
    conn.close()


def _not_a_file(path: Path) -> None:
    path.unlink()
    path.mkdir()


BREAKS = {"not sqlite": _not_a_database, "truncated": _truncated, "wrong schema": _other_schema}
BREAKS["a directory"] = _not_a_file


def _seeded_log(run_cli, home: Path) -> Path:
    for word in ("one", "two", "three"):
        assert run_cli("ask", "-m", "emulator/echo", word).returncode == 0
    assert run_cli("logs").stdout.count("emulator/echo") == 3  # filed from the inbox into the log
    path = home / "logs.sqlite"
    with sqlite3.connect(path) as conn:  # everything in the main file, as after a clean exit
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.mark.parametrize("how", list(BREAKS))
def test_logs_on_a_broken_log_is_one_clear_line(run_cli, emu, home, how):
    path = _seeded_log(run_cli, home)
    BREAKS[how](path)
    for command in (["logs"], ["usage"], ["logs", "show", "1"]):
        r = run_cli(*command)
        assert r.returncode == 1, (command, r.stderr)
        assert r.stdout == ""
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"routerkit: error: the log {path} cannot be used ("), r.stderr
        assert "move it away" in lines[0] and "`routerkit logs off`" in lines[0]
        assert "Traceback" not in r.stderr and "unexpected error" not in r.stderr
    r = run_cli("ask", "-m", "emulator/echo", "still answered")
    assert r.returncode == 0 and r.stdout == "still answered\n" and "warning" not in r.stderr
    path.rename(path.with_name("logs.sqlite.bad"))  # what the error line says to do
    r = run_cli("logs", "--json")
    assert r.returncode == 0, r.stderr
    assert [e["prompt"] for e in json.loads(r.stdout)] == ["still answered"]  # the turn waited, nothing lost


def test_an_ask_that_files_the_inbox_into_a_broken_log_warns_and_keeps_the_turns(run_cli, emu, home):
    """Past 256 KiB waiting, `ask` files the inbox itself; a broken log then costs a warning, not the turns."""
    path = _seeded_log(run_cli, home)
    _not_a_database(path)
    r = run_cli("ask", "-m", "emulator/echo", input="x" * (1 << 20) + " big")
    assert r.returncode == 0 and r.stdout.endswith(" big\n")
    assert "could not be filed yet (they are kept there)" in r.stderr and f"the log {path} cannot be used" in r.stderr
    r = run_cli("ask", "-m", "emulator/echo", "small")  # not past another 256 KiB: no new attempt, no warning
    assert r.returncode == 0 and "warning" not in r.stderr
    path.unlink()
    big, small = json.loads(run_cli("logs", "--json").stdout)
    assert big["prompt"].endswith(" big") and len(big["prompt"]) == (1 << 20) + 4 and small["prompt"] == "small"


_HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode=EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
conn.execute("INSERT INTO logs(created_at, command, prompt, model_requested, status) VALUES (0, 'x', 'x', 'x', 'ok')")
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_locked_log(run_cli, emu, home):
    """Another process holds the log locked (past the 5 s busy wait): `logs` says so; `ask` still answers."""
    path = _seeded_log(run_cli, home)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        r = run_cli("logs")
        assert r.returncode == 1 and r.stdout == ""
        assert f"the log {path} cannot be used (database is locked)" in r.stderr
        r = run_cli("ask", "-m", "emulator/echo", "still answered")
        assert r.returncode == 0 and r.stdout == "still answered\n" and "warning" not in r.stderr
    finally:
        holder.communicate("")
    r = run_cli("logs")  # the lock released: the log is whole again, with the turn that waited
    assert r.returncode == 0 and r.stdout.count("emulator/echo") == 4 and "still answered" in r.stdout


def test_a_broken_session_store_does_not_hide_the_log(run_cli, emu, home):
    assert run_cli("ask", "-m", "emulator/echo", "first").returncode == 0
    assert run_cli("sessions").returncode == 0  # filed
    store = home / "sessions.sqlite"
    for leftover in home.glob("sessions.sqlite-*"):
        leftover.unlink()
    store.write_bytes(b"not a database" * 100)
    assert run_cli("ask", "-m", "emulator/echo", "second").returncode == 0
    r = run_cli("logs", "--json")
    assert r.returncode == 0 and [e["prompt"] for e in json.loads(r.stdout)] == ["first", "second"]
    assert "could not be filed yet (they are kept there)" in r.stderr and str(store) in r.stderr
    r = run_cli("sessions")
    assert r.returncode == 1 and r.stdout == "" and len(r.stderr.splitlines()) == 1 and str(store) in r.stderr
    # deleting waits for both stores: the waiting turn, filed later, would bring the entry back
    r = run_cli("logs", "rm", "2")
    assert r.returncode == 1 and str(store) in r.stderr and "deleted" not in r.stderr
    store.unlink()  # moved away: the turn that waited is filed into a new store
    r = run_cli("sessions")
    assert r.returncode == 0 and "second" in r.stdout and "first" not in r.stdout
    assert run_cli("logs", "rm", "2").returncode == 0
    assert [e["prompt"] for e in json.loads(run_cli("logs", "--json").stdout)] == ["first"]
