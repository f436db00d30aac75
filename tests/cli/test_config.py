"""`config` defaults in config.toml under ROUTERKIT_HOME, model `alias`es, and continuing conversations
with `ask -c` / `--session` — with flags winning over the environment, and that over the file."""

from __future__ import annotations

import tomllib


def _texts(body: dict) -> list[str]:
    items = body["input"] if isinstance(body["input"], list) else [{"content": body["input"]}]
    return [i["content"] if isinstance(i["content"], str) else i["content"][0]["text"] for i in items]


def test_config_set_get_unset_and_precedence(run_cli, emu, home):
    assert run_cli("config", "set", "model", "emulator/echo").returncode == 0
    assert run_cli("config", "set", "system", 'Say "hi" \\ then stop.\x7f').returncode == 0
    assert run_cli("config", "set", "effort", "low").returncode == 0
    data = tomllib.loads((home / "config.toml").read_text())  # what the tiny writer wrote is valid TOML
    assert data == {"model": "emulator/echo", "system": 'Say "hi" \\ then stop.\x7f', "effort": "low"}
    assert run_cli("config", "get", "model").stdout == "emulator/echo\n"

    assert run_cli("ask", "--plain", "hi").returncode == 0
    body = emu.requests[-1].body
    assert body["model"] == "emulator/echo" and body["reasoning"] == {"effort": "low"}
    assert body["instructions"] == 'Say "hi" \\ then stop.\x7f'

    run_cli("ask", "hi", env={"ROUTERKIT_MODEL": "emulator/json"})
    assert emu.requests[-1].body["model"] == "emulator/json"  # the environment beats the file
    run_cli(
        "ask",
        "-m",
        "emulator/reasoning",
        "-s",
        "Flag.",
        "--plain",
        "--no-reasoning",
        "hi",
        env={"ROUTERKIT_MODEL": "emulator/json"},
    )
    body = emu.requests[-1].body
    assert body["model"] == "emulator/reasoning" and body["instructions"] == "Flag." and "reasoning" not in body

    assert run_cli("config", "unset", "model").returncode == 0
    run_cli("ask", "hi")
    assert emu.requests[-1].body["model"] == "openai/gpt-oss-20b"
    listed = run_cli("config").stdout
    assert "effort = 'low'" in listed and "model" not in listed


def test_config_rejects_what_it_cannot_use(run_cli, home):
    r = run_cli("config", "set", "colour", "blue")
    assert r.returncode == 2 and "unknown config key 'colour'" in r.stderr and "model" in r.stderr
    r = run_cli("config", "set", "effort", "extreme")
    assert r.returncode == 2 and "expected one of none, minimal, low" in r.stderr
    r = run_cli("config", "set", "timeout", "-3")
    assert r.returncode == 2 and "config timeout" in r.stderr
    assert not (home / "config.toml").exists()
    (home / "config.toml").write_text("model = [broken")
    r = run_cli("ask", "hi")
    assert r.returncode == 2 and "config.toml is not valid TOML" in r.stderr and "Traceback" not in r.stderr


def test_aliases(run_cli, emu):
    assert run_cli("alias", "set", "fast", "emulator/echo").returncode == 0
    assert run_cli("alias", "set", "backup", "emulator/json").returncode == 0
    assert run_cli("alias").stdout == "backup\temulator/json\nfast\temulator/echo\n"
    r = run_cli("ask", "-m", "fast", "--fallback", "backup", "hi")
    assert r.returncode == 0, r.stderr
    assert emu.requests[-1].body["models"] == ["emulator/echo", "emulator/json"]
    run_cli("config", "set", "model", "fast")
    run_cli("ask", "hi")
    assert emu.requests[-1].body["model"] == "emulator/echo"
    r = run_cli("chat", input="/model backup\nhello\n")
    assert r.returncode == 0 and emu.requests[-1].body["model"] == "emulator/json"
    bad = run_cli("alias", "set", "no good", "emulator/echo")
    assert bad.returncode == 2 and "alias name 'no good'" in bad.stderr
    assert run_cli("alias", "rm", "fast").returncode == 0
    assert run_cli("alias", "rm", "fast").returncode == 2


def test_ask_continue_and_session(run_cli, emu):
    assert run_cli("ask", "-m", "emulator/echo", "my name is Ada").returncode == 0
    assert run_cli("ask", "-m", "emulator/echo", "-c", "what is my name?").returncode == 0
    assert _texts(emu.requests[-1].body) == ["my name is Ada", "my name is Ada", "what is my name?"]
    assert run_cli("ask", "-m", "emulator/echo", "--session", "side", "unrelated").returncode == 0
    assert _texts(emu.requests[-1].body) == ["unrelated"]
    assert run_cli("ask", "-m", "emulator/echo", "--session", "side", "again").returncode == 0
    assert _texts(emu.requests[-1].body) == ["unrelated", "unrelated", "again"]
    r = run_cli("chat", "-m", "emulator/echo", "-c", input="and now?\n")
    assert r.returncode == 0 and "session side" in r.stderr
    assert _texts(emu.requests[-1].body)[-1] == "and now?" and len(_texts(emu.requests[-1].body)) == 5


def test_continue_with_nothing_logged_is_a_usage_error(run_cli, emu):
    r = run_cli("ask", "-c", "hi")
    assert r.returncode == 2 and "no earlier conversation" in r.stderr and emu.requests == []
