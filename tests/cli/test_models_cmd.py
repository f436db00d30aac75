"""`routerkit models`: the list, the filter, JSON, and the on-disk cache."""

from __future__ import annotations

import json

from routerkit.emulator import Emulator


def test_models_table_filter_and_json(run_cli, emu):
    r = run_cli("models")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split("\t") == [
        "id",
        "context_length",
        "prompt_per_million",
        "completion_per_million",
        "reasoning",
        "tools",
        "input",
        "output",
    ]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert rows["openai/gpt-oss-20b"] == ["openai/gpt-oss-20b", "131072", "0.03", "0.14", "yes", "yes", "text", "text"]
    assert rows["openai/gpt-4o"][4:] == ["-", "yes", "text+image", "text"]
    assert emu.requests[-1].headers["authorization"].startswith("Bearer ")

    r = run_cli("models", "GPT-4O")
    ids = [line.split("\t")[0] for line in r.stdout.splitlines()[1:]]
    assert ids == ["openai/gpt-4o", "openai/gpt-4o-mini"]

    r = run_cli("models", "--json", "oss")
    data = json.loads(r.stdout)
    assert data == [
        {
            "id": "openai/gpt-oss-20b",
            "name": "OpenAI: gpt-oss-20b",
            "context_length": 131072,
            "prompt_per_million": 0.03,
            "completion_per_million": 0.14,
            "reasoning": True,
            "tools": True,
            "input": "text",
            "output": "text",
        }
    ]
    r = run_cli("models", "nothing-matches-this")
    assert r.returncode == 0 and r.stdout == "" and "no model matches" in r.stderr


def test_models_cache_serves_without_network(run_cli, home):
    with Emulator() as own:
        env = {"OPENROUTER_BASE_URL": own.base_url}
        first = run_cli("models", env=env)
        assert first.returncode == 0, first.stderr
        assert len([r for r in own.requests if r.path.endswith("/models")]) == 1
        again = run_cli("models", env=env)
        assert again.stdout == first.stdout
        assert len([r for r in own.requests if r.path.endswith("/models")]) == 1  # from the cache
    # the emulator is gone: the cache still answers
    offline = run_cli("models", "--json", env=env)
    assert offline.returncode == 0, offline.stderr
    assert len(json.loads(offline.stdout)) == len(first.stdout.splitlines()) - 1
    cache = list((home / "cache").glob("models-*.json"))
    assert len(cache) == 1 and "sk-or" not in cache[0].read_text()
    # --refresh cannot reach the server: the stale list is used, with a warning
    refreshed = run_cli("models", "--refresh", env=env)
    assert refreshed.returncode == 0 and refreshed.stdout == first.stdout
    assert "warning: could not fetch" in refreshed.stderr


def test_models_network_error_without_cache(run_cli):
    r = run_cli("models", "--base-url", "http://127.0.0.1:9/api/v1")
    assert r.returncode == 7
    assert r.stderr.startswith("routerkit: error: Connection failed")
