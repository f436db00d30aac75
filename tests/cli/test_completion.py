"""`routerkit completion`: the bash script completes commands, options, choices and cached model ids when
bash runs it; zsh and fish scripts are generated from the same parser (those shells are not installed
here, so their scripts are checked as text)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _complete(run_cli, cli_env, words: list[str]) -> list[str]:
    script = run_cli("completion", "bash").stdout
    env = cli_env()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    line = " ".join(f"'{w}'" for w in words)
    program = (
        f'{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _routerkit; printf "%s\\n" "${{COMPREPLY[@]}}"'
    )
    r = subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    return [w for w in r.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_choices_and_models(run_cli, cli_env, emu):
    assert _complete(run_cli, cli_env, ["routerkit", "ses"]) == ["sessions"]
    assert sorted(_complete(run_cli, cli_env, ["routerkit", "se"])) == ["serve", "sessions"]
    assert _complete(run_cli, cli_env, ["routerkit", "ask", "--eff"]) == ["--effort"]
    assert _complete(run_cli, cli_env, ["routerkit", "ask", "--effort", "h"]) == ["high"]
    assert _complete(run_cli, cli_env, ["routerkit", "logs", "sh"]) == ["show"]
    assert _complete(run_cli, cli_env, ["routerkit", "chat", "-m", "openai/gpt-4o"]) == []  # no cache yet
    assert run_cli("models").returncode == 0  # fills the cache
    run_cli("alias", "set", "fast", "openai/gpt-4o-mini")
    assert _complete(run_cli, cli_env, ["routerkit", "chat", "-m", "openai/gpt-4o"]) == [
        "openai/gpt-4o",
        "openai/gpt-4o-mini",
    ]
    assert _complete(run_cli, cli_env, ["routerkit", "ask", "--fallback", "fa"]) == ["fast"]


def test_zsh_and_fish_scripts(run_cli):
    zsh = run_cli("completion", "zsh").stdout
    assert "bashcompinit" in zsh and "complete -o default -F _routerkit routerkit" in zsh
    fish = run_cli("completion", "fish").stdout.splitlines()
    assert all(line.startswith(("#", "complete -c routerkit")) for line in fish)
    assert any("__fish_seen_subcommand_from ask" in line and "-l effort" in line and "high" in line for line in fish)
    assert any("-l model" in line and "routerkit completion --model-ids" in line for line in fish)
    r = run_cli("completion")
    assert r.returncode == 2 and "bash, zsh or fish" in r.stderr
