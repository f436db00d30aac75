"""Every `ask` and `chat` turn is logged: `routerkit logs` lists, searches, shows and deletes them,
`sessions` shows, exports and deletes conversations, `usage` totals the cost."""

from __future__ import annotations

import json
import sqlite3


def _logs(run_cli, *args: str) -> list[dict]:
    r = run_cli("logs", "--json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_ask_is_logged_with_its_facts(run_cli, emu):
    r = run_cli("ask", "-m", "emulator/reasoning", "--reasoning", "-s", "Be brief.", "why is the sky blue")
    assert r.returncode == 0, r.stderr
    [entry] = _logs(run_cli)
    assert entry["prompt"] == "why is the sky blue"
    assert entry["system"].startswith("Be brief.")
    assert entry["answer"] == "You said: why is the sky blue"
    assert "I should answer directly" in entry["reasoning"]
    assert entry["model_requested"] == entry["model_served"] == "emulator/reasoning"
    assert entry["input_tokens"] > 0 and entry["output_tokens"] > 0 and entry["cost"] > 0
    assert entry["status"] == "completed" and entry["error"] is None and entry["duration"] > 0
    assert json.loads(entry["reasoning_setting"]) == {"enabled": True}


def test_failed_turn_is_logged_with_its_error(run_cli, emu):
    r = run_cli("ask", "--max-retries", "0", "-m", "emulator/fail-402", "hi")
    assert r.returncode == 4
    [entry] = _logs(run_cli)
    assert entry["status"] == "error" and "HTTP 402" in entry["error"]
    assert entry["model_requested"] == "emulator/fail-402" and entry["answer"] is None


def test_no_log_and_logs_off(run_cli, emu, home):
    assert run_cli("ask", "--no-log", "-m", "emulator/echo", "secret").returncode == 0
    assert _logs(run_cli) == []
    assert run_cli("logs", "off").returncode == 0
    assert "log = false" in (home / "config.toml").read_text()
    assert run_cli("ask", "-m", "emulator/echo", "also secret").returncode == 0
    assert _logs(run_cli) == []
    assert "logging is off" in run_cli("logs", "status").stdout
    assert run_cli("logs", "on").returncode == 0
    assert run_cli("ask", "-m", "emulator/echo", "kept").returncode == 0
    assert [e["prompt"] for e in _logs(run_cli)] == ["kept"]


def test_search_filters_show_and_rm(run_cli, emu):
    for prompt in ("the sky is blue", "grass is green", "blue whales are big"):
        assert run_cli("ask", "-m", "emulator/echo", prompt).returncode == 0
    assert run_cli("ask", "-m", "emulator/json", "a person").returncode == 0
    assert [e["prompt"] for e in _logs(run_cli, "-q", "blue")] == ["the sky is blue", "blue whales are big"]
    assert [e["prompt"] for e in _logs(run_cli, "-q", "blue sky")] == ["the sky is blue"]
    assert _logs(run_cli, "-q", 'quote" OR *') == []  # FTS5 syntax in the user's text is just text
    assert [e["prompt"] for e in _logs(run_cli, "--model", "emulator/json")] == ["a person"]
    assert len(_logs(run_cli, "-n", "2")) == 2
    assert len(_logs(run_cli, "--since", "1h")) == 4
    assert _logs(run_cli, "--since", "2999-01-01") == []
    bad = run_cli("logs", "--since", "yesterday")
    assert bad.returncode == 2 and "--since 'yesterday'" in bad.stderr

    first = _logs(run_cli, "-q", "grass")[0]
    shown = run_cli("logs", "show", str(first["id"]))
    assert shown.returncode == 0
    assert "## Prompt\n\ngrass is green" in shown.stdout and "## Answer\n\ngrass is green" in shown.stdout
    assert run_cli("logs", "rm", str(first["id"])).returncode == 0
    assert _logs(run_cli, "-q", "grass") == []
    missing = run_cli("logs", "show", str(first["id"]))
    assert missing.returncode == 2 and f"no log entry #{first['id']}" in missing.stderr
    assert run_cli("logs", "show", "abc").returncode == 2

    listed = run_cli("logs", "-n", "1")
    assert listed.stdout.startswith("#") and "emulator/json" in listed.stdout


def test_logs_survive_hostile_text(run_cli, emu, home):
    r = run_cli("ask", "-m", "emulator/echo", "bad \udcff bytes")
    assert r.returncode == 0, r.stderr
    [entry] = _logs(run_cli)
    assert entry["prompt"] == "bad \ufffd bytes"
    with sqlite3.connect(home / "logs.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM logs_fts WHERE logs_fts MATCH 'bytes'").fetchone() == (1,)


def test_sessions_show_export_rm(run_cli, emu):
    assert run_cli("ask", "-m", "emulator/echo", "--session", "work", "first question").returncode == 0
    assert run_cli("ask", "-m", "emulator/echo", "--session", "work", "second question").returncode == 0
    shown = run_cli("sessions", "show", "work")
    assert shown.returncode == 0
    assert "## You" in shown.stdout and "first question" in shown.stdout and "second question" in shown.stdout
    md = run_cli("sessions", "export", "work", "--format", "markdown").stdout
    assert md.startswith("# Session work") and md.count("## emulator/echo") == 2
    data = json.loads(run_cli("sessions", "export", "work", "--format", "json").stdout)
    assert [t["prompt"] for t in data["turns"]] == ["first question", "second question"]
    assert data["turns"][1]["answer"] == "second question"
    r = run_cli("sessions", "rm", "work")
    assert r.returncode == 0 and "deleted session work (2 turns, 2 log entries)" in r.stderr
    assert run_cli("sessions", "show", "work").returncode == 2
    assert _logs(run_cli, "--session", "work") == []


def test_usage_totals_by_day_and_model(run_cli, emu):
    for model in ("emulator/echo", "emulator/echo", "emulator/json"):
        assert run_cli("ask", "-m", model, "count me").returncode == 0
    rows = json.loads(run_cli("usage", "--json").stdout)
    by_model = {r["model"]: r for r in rows}
    assert by_model["emulator/echo"]["turns"] == 2 and by_model["emulator/json"]["turns"] == 1
    costs = [e["cost"] for e in _logs(run_cli)]
    assert abs(sum(r["cost"] for r in rows) - sum(costs)) < 1e-12
    table = run_cli("usage").stdout.splitlines()
    assert table[0].split() == ["day", "model", "turns", "input", "output", "reasoning", "cost"]
    assert table[-1].split()[:2] == ["total", "3"]


def test_an_inbox_that_cannot_be_written_does_not_cost_the_answer(run_cli, emu, home):
    (home / "inbox.jsonl").mkdir()  # stands for a full or read-only disk (the tests may run as root)
    r = run_cli("ask", "-m", "emulator/echo", "still answered")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "still answered\n"
    assert f"warning: this turn was not kept: cannot write {home / 'inbox.jsonl'}: Is a directory" in r.stderr
