"""`routerkit ask` in a subprocess against the emulator: the stdout/stderr split, options, exit codes."""

from __future__ import annotations

import json
import socket

import jsonschema
import pytest

from .conftest import TEST_KEY


def _user_text(body: dict) -> str:
    items = body["input"]
    return items[-1]["content"] if isinstance(items, list) else items


def test_piped_stdout_holds_only_the_answer(run_cli, emu):
    r = run_cli("ask", "-m", "emulator/echo", "hello", "piped", "world")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello piped world\n"
    assert "emulator/echo" in r.stderr and "tokens" in r.stderr and "$" in r.stderr
    assert "\x1b[" not in r.stdout + r.stderr
    body = emu.requests[-1].body
    assert body["model"] == "emulator/echo" and body["stream"] is True and "models" not in body


def test_reasoning_goes_to_stderr(run_cli, emu):
    r = run_cli("ask", "-m", "emulator/reasoning", "--reasoning", "think about it")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "You said: think about it\n"
    assert "I should answer directly" in r.stderr
    assert emu.requests[-1].body["reasoning"] == {"enabled": True}

    r = run_cli("ask", "-m", "emulator/reasoning", "--effort", "high", "--hide-reasoning", "again")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "You said: again\n"
    assert "I should answer directly" not in r.stderr
    assert emu.requests[-1].body["reasoning"] == {"effort": "high"}


def test_system_prompt_and_default_model_from_env(run_cli, emu):
    r = run_cli("ask", "--system", "Be terse.", "hi", env={"ROUTERKIT_MODEL": "emulator/echo"})
    assert r.returncode == 0, r.stderr
    body = emu.requests[-1].body
    assert body["model"] == "emulator/echo"
    assert body["instructions"] == "Be terse.\n\nUse markdown to format your answers."
    run_cli("ask", "--plain", "--system", "Be terse.", "hi")
    assert emu.requests[-1].body["instructions"] == "Be terse."


def test_default_model(run_cli, emu):
    r = run_cli("ask", "hi")
    assert r.returncode == 0, r.stderr
    assert emu.requests[-1].body["model"] == "openai/gpt-oss-20b"
    assert r.stdout.strip() and "openai/gpt-oss-20b" in r.stderr


def test_stdin_is_appended_to_the_prompt(run_cli, emu):
    r = run_cli("ask", "-m", "emulator/echo", "summarise", input="line one\nline two\n")
    assert r.returncode == 0, r.stderr
    assert _user_text(emu.requests[-1].body) == "summarise\n\nline one\nline two\n"

    r = run_cli("ask", "-m", "emulator/echo", input="only stdin")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "only stdin\n"


def test_fallback_routes_past_a_failing_model(run_cli, emu):
    r = run_cli("ask", "-m", "emulator/fail-502", "--fallback", "emulator/echo", "routed")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "routed\n"
    assert emu.requests[-1].body["models"] == ["emulator/fail-502", "emulator/echo"]
    assert "emulator/echo" in r.stderr and "fallback from emulator/fail-502" in r.stderr


def test_schema_prints_json_matching_the_schema(run_cli, emu, tmp_path):
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["name", "age", "tags"],
        "additionalProperties": False,
    }
    path = tmp_path / "person.json"
    path.write_text(json.dumps(schema))
    r = run_cli("ask", "-m", "emulator/json", "--schema", str(path), "invent a person")
    assert r.returncode == 0, r.stderr
    jsonschema.validate(json.loads(r.stdout), schema)
    fmt = emu.requests[-1].body["text"]["format"]
    assert fmt == {"type": "json_schema", "name": "person", "schema": schema, "strict": True}
    assert "emulator/json" in r.stderr


def test_bad_schema_file_is_a_usage_error(run_cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = run_cli("ask", "-m", "emulator/json", "--schema", str(bad), "x")
    assert r.returncode == 2
    assert r.stderr.startswith("routerkit: error: --schema") and r.stdout == ""
    r = run_cli("ask", "--schema", str(tmp_path / "missing.json"), "x")
    assert r.returncode == 2 and "cannot read" in r.stderr


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v1"


@pytest.mark.parametrize(
    ("model", "code", "words"),
    [
        ("emulator/fail-401", 3, ["Authentication failed", "HTTP 401"]),
        ("emulator/fail-402", 4, ["Insufficient credits", "HTTP 402"]),
        ("emulator/fail-429-none", 5, ["Rate limited", "HTTP 429"]),
        ("emulator/no-such-model", 6, ["Bad request", "HTTP 400", "not a valid model ID"]),
        ("emulator/fail-502", 8, ["HTTP 502"]),
        ("emulator/truncate", 7, ["Stream interrupted"]),
        ("emulator/failed", 8, ["Response failed"]),
        ("emulator/incomplete", 8, ["Response incomplete"]),
    ],
)
def test_exit_code_per_error_kind(run_cli, model, code, words):
    r = run_cli("ask", "--max-retries", "0", "-m", model, "hi")
    assert r.returncode == code, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("routerkit: error: ")
    for word in [*words, model]:
        assert word in lines[0]
    assert "Traceback" not in r.stderr
    assert TEST_KEY not in r.stdout + r.stderr


def test_network_error_exit_code(run_cli):
    r = run_cli("ask", "--max-retries", "0", "--base-url", _closed_port_url(), "hi")
    assert r.returncode == 7
    assert r.stderr.startswith("routerkit: error: Connection failed") and r.stdout == ""


def test_debug_shows_a_traceback_without_the_key(run_cli):
    r = run_cli("ask", "--debug", "--max-retries", "0", "-m", "emulator/fail-401", "hi")
    assert r.returncode == 3
    assert "Traceback (most recent call last)" in r.stderr
    assert "AuthenticationError" in r.stderr
    assert r.stderr.rstrip().splitlines()[-1].startswith("routerkit: error: Authentication failed")
    assert TEST_KEY not in r.stdout + r.stderr


def test_missing_key_and_missing_prompt_are_usage_errors(run_cli, emu):
    r = run_cli("ask", "-m", "emulator/echo", "hi", env={"OPENROUTER_API_KEY": None})
    assert r.returncode == 2 and "OPENROUTER_API_KEY is not set" in r.stderr
    r = run_cli("ask", "-m", "emulator/echo")
    assert r.returncode == 2 and "no prompt" in r.stderr
    r = run_cli("ask", "--reasoning", "what is 2+2?")  # a flag: the next word is the prompt
    assert r.returncode == 0, r.stderr
    assert emu.requests[-1].body["reasoning"] == {"enabled": True}
    r = run_cli("ask", "--max-retries", "-1", "hi")
    assert r.returncode == 2 and "usage:" in r.stderr


def test_help_and_version(run_cli):
    r = run_cli("--help")
    assert r.returncode == 0
    for line in ("3    authentication failed", "7    network", "130  interrupted"):
        assert line in r.stdout
    for command in ("ask", "chat", "sessions", "models", "emulator", "demo"):
        assert command in r.stdout
    r = run_cli("ask", "--help")
    assert "--fallback MODEL" in r.stdout and "--schema FILE.json" in r.stdout and "exit codes" in r.stdout
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("routerkit 0.")
    r = run_cli()
    assert r.returncode == 2 and "usage:" in r.stderr
