"""`routerkit batch` and `routerkit batch report` in subprocesses against the emulator: formats, resuming
after SIGKILL, a torn last line, --retry-errors, --models, --agent, the budget, and bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

TEST_KEY = "sk-or-v1-batch-canary-4f1c0e9a2b7d3c5e"
CLI = [sys.executable, "-m", "routerkit.cli", "batch"]


def _env(emu: Any, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "ROUTERKIT_", "OPENAI_"))}
    env.update(
        OPENROUTER_BASE_URL=emu.base_url,
        OPENROUTER_API_KEY=TEST_KEY,
        ROUTERKIT_HOME=str(tmp_path / "home"),
        PYTHONPATH=str(tmp_path),
    )
    return env


def _run(emu: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=_env(emu, tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=180
    )


def _write_rows(path: Path, n: int, **extra: Any) -> None:
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"custom_id": f"r{i}", "input": f"row {i}", **extra}) + "\n")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _sent_inputs(emu: Any) -> Counter[str]:
    return Counter(r.body["input"] for r in emu.requests if r.path.endswith("/responses"))


def test_output_lines_in_openai_batch_format_with_openrouter_facts(emu, tmp_path):
    src = tmp_path / "in.jsonl"
    with src.open("w") as f:
        f.write(json.dumps({"custom_id": "a", "input": "hello there", "instructions": "be brief"}) + "\n")
        body = {"model": "emulator/fail-400", "input": "x", "temperature": 0.3}
        f.write(json.dumps({"custom_id": "b", "method": "POST", "url": "/v1/responses", "body": body}) + "\n")
    r = _run(emu, tmp_path, "in.jsonl", "-o", "out.jsonl", "-m", "emulator/echo")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["ok"] == 1 and summary["errors"] == 1 and summary["rows"] == 2
    assert "1 ok, 1 errors" in r.stderr and TEST_KEY not in r.stdout + r.stderr
    lines = {line["custom_id"]: line for line in _lines(tmp_path / "out.jsonl")}
    ok = lines["a"]
    assert ok["response"]["status_code"] == 200 and ok["response"]["body"]["output_text"] == "hello there"
    assert ok["error"] is None and ok["model"] == "emulator/echo" and ok["fallback_used"] is False
    assert ok["cost"] > 0 and ok["time_to_first_token"] is not None
    bad = lines["b"]
    assert bad["response"]["status_code"] == 400 and bad["error"]["type"] == "BadRequestError"
    assert bad["error"]["status"] == 400 and "Bad request" in bad["error"]["message"]
    sent = {r.body["input"]: r.body for r in emu.requests}
    assert sent["hello there"]["instructions"] == "be brief" and sent["x"]["temperature"] == 0.3

    report = _run(emu, tmp_path, "report", "out.jsonl", "--format", "json")
    assert report.returncode == 0, report.stderr
    by_model = {m["model"]: m for m in json.loads(report.stdout)}
    assert by_model["emulator/echo"]["ok"] == 1 and by_model["emulator/echo"]["cost_usd"] > 0
    assert by_model["emulator/fail-400"]["errors_by_kind"] == {"BadRequestError": 1}
    markdown = _run(emu, tmp_path, "report", "out.jsonl").stdout
    assert markdown.startswith("| model | rows | ok |") and "| emulator/echo | 1 | 1 |" in markdown
    csv = _run(emu, tmp_path, "report", "out.jsonl", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("model,rows,ok,errors")


def test_sigkill_then_rerun_every_row_once_and_only_in_flight_rows_sent_twice(emu, tmp_path):
    _write_rows(tmp_path / "in.jsonl", 40)
    # 10 waves of 0.5 s: the kill lands after 8 lines with seconds to spare, even on a loaded machine.
    args = ["in.jsonl", "-o", "out.jsonl", "-m", "emulator/slow-500", "--concurrency", "4"]
    proc = subprocess.Popen(
        [*CLI, *args], env=_env(emu, tmp_path), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    out = tmp_path / "out.jsonl"
    deadline = time.monotonic() + 120  # a bound on a loaded machine's start-up, not a speed check
    while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 8):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    before = out.read_bytes().count(b"\n")
    assert 8 <= before < 40

    r = _run(emu, tmp_path, *args)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["skipped"] == before
    ids = Counter(line["custom_id"] for line in _lines(out))
    assert ids == Counter(f"r{i}" for i in range(40))  # every row exactly once
    sent = _sent_inputs(emu)
    assert set(sent) == {f"row {i}" for i in range(40)} and max(sent.values()) <= 2
    assert sum(1 for n in sent.values() if n == 2) <= 4  # only rows that were in flight at the kill


def test_torn_last_line_is_cut_and_error_rows_rerun_with_retry_errors(emu, tmp_path):
    _write_rows(tmp_path / "in.jsonl", 6)
    first = _run(emu, tmp_path, "in.jsonl", "-o", "out.jsonl", "-m", "emulator/echo")
    assert first.returncode == 0, first.stderr
    out = tmp_path / "out.jsonl"
    lines = out.read_text().splitlines(keepends=True)
    broken = json.loads(lines[1])
    broken["error"] = {"type": "ServerError", "code": 502, "message": "Provider returned error"}
    out.write_text(lines[0] + json.dumps(broken) + "\n" + "".join(lines[2:5]) + lines[5][:40])  # last line torn
    emu.reset()

    again = _run(emu, tmp_path, "in.jsonl", "-o", "out.jsonl", "-m", "emulator/echo")
    assert again.returncode == 0, again.stderr
    torn = json.loads(lines[5])["response"]["body"]["output_text"]
    assert list(_sent_inputs(emu)) == [torn]  # only the torn row; the error row counts as done
    emu.reset()

    retry = _run(emu, tmp_path, "in.jsonl", "-o", "out.jsonl", "-m", "emulator/echo", "--retry-errors")
    assert retry.returncode == 0, retry.stderr
    assert list(_sent_inputs(emu)) == [broken["response"]["body"]["output_text"]]
    final = _lines(out)
    assert sorted(line["custom_id"] for line in final) == [f"r{i}" for i in range(6)]
    assert all(line["error"] is None for line in final)


def test_models_runs_every_row_on_each_model_and_resumes_per_model(emu, tmp_path):
    _write_rows(tmp_path / "in.jsonl", 3)
    r = _run(emu, tmp_path, "in.jsonl", "-o", "out.jsonl", "--models", "emulator/echo,openai/gpt-4o-mini")
    assert r.returncode == 0, r.stderr
    pairs = {(line["custom_id"], line["requested_model"]) for line in _lines(tmp_path / "out.jsonl")}
    assert pairs == {(f"r{i}", m) for i in range(3) for m in ("emulator/echo", "openai/gpt-4o-mini")}
    emu.reset()
    r = _run(emu, tmp_path, "in.jsonl", "-o", "out.jsonl", "--models", "emulator/echo,emulator/reasoning")
    assert r.returncode == 0, r.stderr
    assert {req.body["model"] for req in emu.requests} == {"emulator/reasoning"}
    report = json.loads(_run(emu, tmp_path, "report", "out.jsonl", "--format", "json").stdout)
    # in the order the models first appear in the file: the first run's two (whichever answered first), then the new one
    models = [m["model"] for m in report]
    assert sorted(models[:2]) == ["emulator/echo", "openai/gpt-4o-mini"] and models[2:] == ["emulator/reasoning"]


def test_agent_with_tools_runs_per_row(emu, tmp_path):
    (tmp_path / "graders.py").write_text(
        "from routerkit.agent import Agent\n"
        "from routerkit.models.openrouter import OpenRouterResponses\n\n"
        "def add(a: int, b: int) -> int:\n"
        '    """Add two numbers."""\n'
        "    return a + b\n\n"
        "agent = Agent(model=OpenRouterResponses(id='emulator/tool'), tools=[add])\n"
    )
    _write_rows(tmp_path / "in.jsonl", 2)
    r = _run(emu, tmp_path, "in.jsonl", "-o", "out.jsonl", "--agent", "graders:agent")
    assert r.returncode == 0, r.stderr
    lines = _lines(tmp_path / "out.jsonl")
    assert len(lines) == 2 and all(line["error"] is None for line in lines)
    assert all(line["requested_model"] == "emulator/tool" for line in lines)
    outputs = [
        i for line in lines for i in line["response"]["body"]["output"] if i.get("type") == "function_call_output"
    ]
    assert len(outputs) == 2  # the tool ran once per row, in separate conversations


def test_max_cost_stops_cleanly_and_a_rerun_continues(emu, tmp_path):
    _write_rows(tmp_path / "in.jsonl", 5)
    r = _run(
        emu,
        tmp_path,
        "in.jsonl",
        "-o",
        "out.jsonl",
        "-m",
        "emulator/echo",
        "--concurrency",
        "1",
        "--max-cost",
        "0.000000001",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stopped"] == "max_cost" and "max-cost" in r.stderr
    assert len(_lines(tmp_path / "out.jsonl")) == 1
    r = _run(emu, tmp_path, "in.jsonl", "-o", "out.jsonl", "-m", "emulator/echo")
    assert json.loads(r.stdout)["skipped"] == 1 and len(_lines(tmp_path / "out.jsonl")) == 5


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"custom_id": "a", "input": "x"}', "not json"], "in.jsonl:2: not JSON"),
        (['{"custom_id": "a", "input": "x"}', '{"custom_id": "a", "input": "y"}'], "appears twice"),
        (['{"input": "x"}'], "custom_id must be a non-empty string"),
        (['{"custom_id": "a", "url": "/v1/chat/completions", "body": {"input": "x"}}'], "url must be /v1/responses"),
    ],
)
def test_bad_input_is_refused_before_any_request(emu, tmp_path, lines, message):
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    r = _run(emu, tmp_path, "in.jsonl", "-o", "out.jsonl", "-m", "emulator/echo")
    assert r.returncode == 2 and message in r.stderr
    assert emu.requests == []
