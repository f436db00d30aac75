"""`routerkit chat` fed on stdin: sessions resumed across processes, slash commands, `sessions` listing."""

from __future__ import annotations

import json


def _inputs(body: dict) -> list[dict]:
    return body["input"] if isinstance(body["input"], list) else [{"role": "user", "content": body["input"]}]


def test_session_resumes_across_processes(run_cli, emu):
    r = run_cli("chat", "-m", "emulator/echo", "--session", "s1", input="my name is Ada\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "my name is Ada\n"
    assert "session s1: 1 turn" in r.stderr and "emulator/echo" in r.stderr
    assert "resume with: routerkit chat --session s1" in r.stderr

    r = run_cli("chat", "-m", "emulator/echo", "--session", "s1", input="what is my name?\n/history\n")
    assert r.returncode == 0, r.stderr
    assert "resumed: 1 turn earlier" in r.stderr
    items = _inputs(emu.requests[-1].body)
    texts = [i.get("content") if isinstance(i.get("content"), str) else i["content"][0]["text"] for i in items]
    assert texts == ["my name is Ada", "my name is Ada", "what is my name?"]
    assert [i.get("role") for i in items] == ["user", "assistant", "user"]
    assert "you: my name is Ada\nassistant (emulator/echo): my name is Ada" in r.stdout
    assert "session s1: 2 turns" in r.stderr

    listed = run_cli("sessions")
    assert listed.returncode == 0
    header, row = listed.stdout.splitlines()
    assert header.split("\t") == ["session", "runs", "last_used", "cost", "title"]
    session, runs, _when, cost, title = row.split("\t")
    assert (session, runs, title) == ("s1", "2", "my name is Ada")
    assert float(cost) > 0
    assert run_cli("chat", "--list").stdout == listed.stdout
    assert json.loads(run_cli("sessions", "--json").stdout)[0]["runs"] == 2


def test_slash_commands_and_multiline_input(run_cli, emu):
    script = "\n".join(
        [
            "/help",
            "first line \\",
            "second line",
            "/model emulator/reasoning",
            "/reasoning high",
            "think",
            "/reasoning off",
            "/clear",
            "fresh start",
            "/bogus",
            "/exit",
            "never sent",
        ]
    )
    r = run_cli("chat", "-m", "emulator/echo", input=script + "\n")
    assert r.returncode == 0, r.stderr
    assert "/reasoning [EFFORT|off]" in r.stdout and "end a line with \\" in r.stdout
    sent = [req.body for req in emu.requests if req.path.endswith("/responses")]
    assert len(sent) == 3
    assert _inputs(sent[0])[-1]["content"] == "first line \nsecond line"
    assert sent[1]["model"] == "emulator/reasoning" and sent[1]["reasoning"] == {"effort": "high"}
    assert len(_inputs(sent[1])) == 3  # history: the first turn's question and answer
    assert sent[2]["model"] == "emulator/reasoning" and "reasoning" not in sent[2]
    assert len(_inputs(sent[2])) == 1  # /clear started a new session
    assert "unknown command /bogus" in r.stderr
    assert "You said: think" in r.stdout and "fresh start" in r.stdout
    assert "never sent" not in r.stdout


def test_chat_reports_errors_and_goes_on(run_cli, emu):
    r = run_cli("chat", "--max-retries", "0", "-m", "emulator/fail-401", input="hi\n/model emulator/echo\nstill here\n")
    assert r.returncode == 0, r.stderr
    assert "routerkit: error: Authentication failed (HTTP 401)" in r.stderr
    assert r.stdout == "still here\n"


def test_no_sessions_yet(run_cli):
    r = run_cli("sessions")
    assert r.returncode == 0 and r.stdout == "" and "no saved sessions" in r.stderr


def test_resumed_session_reopens_on_its_model_and_reasoning(run_cli, emu):
    r = run_cli("chat", "-m", "emulator/reasoning", "--effort", "high", "--session", "deep", input="think\n")
    assert r.returncode == 0, r.stderr
    r = run_cli("chat", "--session", "deep", input="more\n")
    assert r.returncode == 0, r.stderr
    assert "emulator/reasoning · reasoning high · session deep" in r.stderr
    body = emu.requests[-1].body
    assert body["model"] == "emulator/reasoning" and body["reasoning"] == {"effort": "high"}
    r = run_cli("chat", "--session", "deep", "-m", "emulator/echo", "--no-reasoning", input="plain\n")
    body = emu.requests[-1].body
    assert body["model"] == "emulator/echo" and "reasoning" not in body  # the command line wins


def test_failed_turns_are_marked_not_counted(run_cli, emu):
    script = "hi\n/model emulator/echo\nanswered\n/history\n"
    r = run_cli("chat", "--max-retries", "0", "-m", "emulator/fail-500", "--session", "s", input=script)
    assert r.returncode == 0, r.stderr
    assert "session s: 0 turns (1 failed)" in r.stderr
    assert "session s: 1 turn (1 failed)" in r.stderr
    assert "assistant (?) [error]" in r.stdout or "[error]" in r.stdout
    r = run_cli("chat", "--session", "s", input="")
    assert "resumed: 1 turn (1 failed) earlier" in r.stderr


def test_resume_hint_is_shell_quoted(run_cli, emu):
    r = run_cli("chat", "-m", "emulator/echo", "--session", "it's mine", input="hello\n")
    assert r.returncode == 0, r.stderr
    assert "resume with: routerkit chat --session 'it'\"'\"'s mine'" in r.stderr
