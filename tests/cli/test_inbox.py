"""`ask` keeps each turn by appending one line to the inbox; any command that reads the log or the sessions
files the inbox first. These tests hold that nothing is lost or stored twice: concurrent writers, a writer that
died mid-line, a crash between filing and emptying, damaged lines, and a log written by the previous release."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor

from tests.cli.conftest import CLI


def _logs(run_cli, *args: str) -> list[dict]:
    r = run_cli("logs", "--json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _session_rows(home) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "sessions.sqlite") as conn:
        rows = conn.execute("SELECT session_id, content FROM routerkit_runs ORDER BY session_id, seq").fetchall()
    conn.close()
    return rows


def test_a_turn_waits_in_the_inbox_until_something_reads_the_log(run_cli, emu, home):
    assert run_cli("ask", "-m", "emulator/echo", "kept for later").returncode == 0
    assert not (home / "logs.sqlite").exists() and not (home / "sessions.sqlite").exists()
    [line] = (home / "inbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["log"]["prompt"] == "kept for later"
    [entry] = _logs(run_cli)
    assert (entry["prompt"], entry["answer"]) == ("kept for later", "kept for later")
    assert (home / "inbox.jsonl").stat().st_size == 0
    assert _session_rows(home) == [(entry["session_id"], "kept for later")]


def test_an_ask_that_grows_the_inbox_past_256_kib_files_it(run_cli, emu, home):
    assert run_cli("ask", "-m", "emulator/echo", "small").returncode == 0
    r = run_cli("ask", "-m", "emulator/echo", input="y" * (300 << 10))
    assert r.returncode == 0 and r.stderr.count("\n") == 1  # the footer only
    assert (home / "inbox.jsonl").stat().st_size == 0
    with sqlite3.connect(home / "logs.sqlite") as conn:
        assert conn.execute("SELECT prompt FROM logs ORDER BY id").fetchall() == [("small",), ("y" * (300 << 10),)]
    conn.close()


def test_concurrent_asks_are_all_kept_once(cli_env, emu, home):
    def ask(i: int) -> subprocess.CompletedProcess[str]:
        argv = [*CLI, "ask", "-m", "emulator/echo", "--session", f"s{i % 3}", f"turn {i}"]
        return subprocess.run(argv, env=cli_env(), capture_output=True, text=True, input="", timeout=60)

    def logs(_: int) -> subprocess.CompletedProcess[str]:  # filing while others append
        return subprocess.run([*CLI, "logs", "-n", "1"], env=cli_env(), capture_output=True, text=True, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        asks = [pool.submit(ask, i) for i in range(12)]
        readers = [pool.submit(logs, i) for i in range(4)]
        assert all(f.result().returncode == 0 for f in asks + readers), [f.result().stderr for f in asks + readers]
    done = subprocess.run([*CLI, "logs", "--json", "-n", "100"], env=cli_env(), capture_output=True, text=True)
    prompts = sorted(entry["prompt"] for entry in json.loads(done.stdout))
    assert prompts == sorted(f"turn {i}" for i in range(12))
    rows = _session_rows(home)
    assert sorted(content for _, content in rows) == prompts
    assert {sid for sid, _ in rows} == {"s0", "s1", "s2"}


def test_a_fragment_left_by_a_dead_writer_is_set_apart_and_loses_nothing(run_cli, emu, home):
    assert run_cli("ask", "-m", "emulator/echo", "before").returncode == 0
    with open(home / "inbox.jsonl", "ab") as inbox:
        inbox.write(b'{"uid":"cut","log":{"prompt":"half a li')  # a writer killed mid-line
    assert run_cli("ask", "-m", "emulator/echo", "after").returncode == 0
    r = run_cli("logs", "--json")
    assert r.returncode == 0
    assert [e["prompt"] for e in json.loads(r.stdout)] == ["before", "after"]
    rejected = home / "inbox.jsonl.rejected"
    assert f"warning: 1 damaged line of {home / 'inbox.jsonl'} set apart in {rejected}" in r.stderr
    assert rejected.read_bytes() == b'{"uid":"cut","log":{"prompt":"half a li\n'


def test_damaged_records_are_set_apart_and_the_others_filed(run_cli, emu, home):
    assert run_cli("ask", "-m", "emulator/echo", "good one").returncode == 0
    good = json.loads((home / "inbox.jsonl").read_text(encoding="utf-8"))
    bad_run = {**good["runs"][0], "run_id": "other", "input_items": "not a list"}
    hostile = [
        "[1, 2, 3]",
        "NaN",
        json.dumps({"uid": "a", "log": {"prompt": 7, "model_requested": "m", "command": "ask", "status": "ok"}}),
        json.dumps({"uid": "b", "log": {**good["log"], "input_tokens": "many"}}),
        json.dumps({"uid": "b2", "log": {**good["log"], "output_tokens": 10**30}}),
        json.dumps({"uid": "c", "log": None, "runs": [{"run_id": "only"}]}),
        json.dumps({"uid": "d", "log": None, "runs": [bad_run]}),
        json.dumps({"log": good["log"]}),
    ]
    with open(home / "inbox.jsonl", "ab") as inbox:
        inbox.write(b"".join(line.encode() + b"\n" for line in hostile) + b"\xff\xfe not text\n")
    assert run_cli("ask", "-m", "emulator/echo", "good two").returncode == 0
    r = run_cli("logs", "--json")
    assert r.returncode == 0, r.stderr
    assert [e["prompt"] for e in json.loads(r.stdout)] == ["good one", "good two"]
    assert "warning: 9 damaged lines" in r.stderr
    assert len((home / "inbox.jsonl.rejected").read_bytes().splitlines()) == 9
    assert sorted(content for _, content in _session_rows(home)) == ["good one", "good two"]


def test_filing_the_same_turns_twice_stores_them_once(run_cli, emu, home):
    """A crash after filing but before the inbox is emptied files the same lines again on the next read."""
    for word in ("one", "two"):
        assert run_cli("ask", "-m", "emulator/echo", "--session", "s", word).returncode == 0
    waiting = (home / "inbox.jsonl").read_bytes()
    assert len(_logs(run_cli)) == 2
    (home / "inbox.jsonl").write_bytes(waiting)
    assert [e["prompt"] for e in _logs(run_cli)] == ["one", "two"]
    assert _session_rows(home) == [("s", "one"), ("s", "two")]


def test_no_log_with_a_session_keeps_the_conversation_but_no_log_entry(run_cli, emu, home):
    assert run_cli("ask", "--no-log", "-m", "emulator/echo", "--session", "quiet", "remember me").returncode == 0
    assert run_cli("ask", "--no-log", "-m", "emulator/echo", "--session", "quiet", "again").returncode == 0
    assert _logs(run_cli) == []
    assert _session_rows(home) == [("quiet", "remember me"), ("quiet", "again")]


_V1_LOG = """
CREATE TABLE logs(id INTEGER PRIMARY KEY, created_at REAL NOT NULL, command TEXT NOT NULL, session_id TEXT,
    prompt TEXT NOT NULL, system TEXT, attachments TEXT NOT NULL DEFAULT '[]', answer TEXT, reasoning TEXT,
    model_requested TEXT NOT NULL, model_served TEXT, reasoning_setting TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0, cost REAL, duration REAL, status TEXT NOT NULL, error TEXT);
CREATE INDEX logs_created ON logs(created_at);
CREATE VIRTUAL TABLE logs_fts USING fts5(prompt, answer, reasoning, system, content='logs', content_rowid='id');
CREATE TRIGGER logs_ai AFTER INSERT ON logs BEGIN
    INSERT INTO logs_fts(rowid, prompt, answer, reasoning, system)
    VALUES (new.id, new.prompt, new.answer, new.reasoning, new.system);
END;
INSERT INTO logs(created_at, command, prompt, answer, model_requested, status)
    VALUES (1700000000, 'ask', 'from the old release', 'old answer', 'openai/gpt-4o', 'completed');
PRAGMA user_version=1;
"""


def test_a_log_from_the_previous_release_gains_the_new_column(run_cli, emu, home):
    with sqlite3.connect(home / "logs.sqlite") as conn:
        conn.executescript(_V1_LOG)
    conn.close()
    assert run_cli("ask", "-m", "emulator/echo", "new turn").returncode == 0
    assert run_cli("ask", "-m", "emulator/echo", "new turn").returncode == 0
    assert [e["prompt"] for e in _logs(run_cli)] == ["from the old release", "new turn", "new turn"]
    assert [e["prompt"] for e in _logs(run_cli, "-q", "old")] == ["from the old release"]


def test_the_inbox_is_private(run_cli, emu, home):
    assert run_cli("ask", "-m", "emulator/echo", "my secret plans").returncode == 0
    assert (home / "inbox.jsonl").stat().st_mode & 0o077 == 0
