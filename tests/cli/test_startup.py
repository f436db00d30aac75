"""What a run loads decides how fast `routerkit` starts (issue 16: `--help` < 0.1 s, `ask` < 0.3 s whole
process). Timing is measured by benchmarks/bench_cli.py; these tests pin the causes, deterministically: the
modules a run imports and the parsers it builds."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import argparse, json, sys
built = []
_init = argparse.ArgumentParser.__init__
def counting(self, *args, **kwargs):
    built.append(kwargs.get("prog"))
    _init(self, *args, **kwargs)
argparse.ArgumentParser.__init__ = counting
from routerkit.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
sys.stderr.write(json.dumps({"code": code, "parsers": len(built), "modules": sorted(sys.modules)}) + "\\n")
"""


def _probe(cli_env, *argv: str) -> dict:
    """Run `routerkit ARGV` in a fresh interpreter; what it built and imported (counting parsers is the only
    patch: argparse's constructor, to count calls)."""
    r = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], env=cli_env(), capture_output=True, text=True, timeout=60, input=""
    )
    return json.loads(r.stderr.splitlines()[-1])


def _heavy(modules: list[str]) -> set[str]:
    return {m.split(".")[0] for m in modules} & {"pydantic", "rich", "asyncio", "sqlite3", "httpx2", "mcp", "uvicorn"}


def test_help_builds_no_command_parser_and_imports_nothing_heavy(cli_env):
    for argv in (["--help"], ["--version"], []):
        seen = _probe(cli_env, *argv)
        assert seen["code"] in (0, 2)
        assert seen["parsers"] == 1, argv  # the top-level parser only: commands are listed from a table
        assert not _heavy(seen["modules"])
        assert not {"routerkit.cli._parsers", "routerkit.cli._commands", "routerkit.cli._config"} & set(seen["modules"])


def test_a_command_builds_only_its_own_parser(cli_env):
    seen = _probe(cli_env, "logs", "--help")
    assert seen["code"] == 0
    # routerkit, logs, its five actions and the shared --debug parent: not the other 15 commands'
    assert seen["parsers"] == 8
    assert "routerkit.cli._parsers" in seen["modules"] and not _heavy(seen["modules"])


def test_ask_piped_loads_no_tool_machinery_or_terminal_rendering(cli_env, emu):
    seen = _probe(cli_env, "ask", "-m", "emulator/echo", "hi")
    assert seen["code"] == 0
    assert emu.requests[-1].body["model"] == "emulator/echo"
    assert "pydantic" not in _heavy(seen["modules"])  # no tools given: the tool schema code stays unloaded
    assert "rich" not in _heavy(seen["modules"])  # piped: plain text, no live markdown
    assert "routerkit.agent.tools" not in seen["modules"] and "mcp" not in _heavy(seen["modules"])
    assert "asyncio" not in _heavy(seen["modules"])  # a sync run: the session store offloads only async calls
