"""Errors read as sentences: nothing said twice, no Python class names."""

from __future__ import annotations

import json
import re


def test_429_message_says_each_thing_once(run_cli):
    r = run_cli("ask", "--max-retries", "0", "-m", "emulator/fail-429-none", "hi")
    assert r.returncode == 5
    line = r.stderr.strip()
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s", line) if s.strip()]
    assert len(sentences) == len(set(sentences)), line
    assert line.count("temporarily rate-limited upstream") == 1 and "provider: Emulator" in line


def test_output_errors_have_no_class_names(run_cli, tmp_path):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object", "properties": {}, "additionalProperties": False}))
    r = run_cli("ask", "-m", "emulator/echo", "--schema", str(schema), "not json at all")
    assert r.returncode == 8
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("routerkit: error: the answer is not valid JSON")
    assert not re.search(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*Error\b", line), line
