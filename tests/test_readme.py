"""Every Python block in README.md runs as written, against a local emulator.

Conventions (documented in README's Development section):

- each ```python block runs in its own subprocess, in an empty directory, with `OPENROUTER_BASE_URL`
  pointing at a test emulator and a test `OPENROUTER_API_KEY`, and a timeout;
- a block right after `<!-- readme: continues -->` runs after the block before it (same process), for
  snippets that build on the previous one;
- a block right after `<!-- readme: saved-as: NAME -->` is not run but saved as NAME in the directory of
  every block after it (a server script the next snippet starts);
- a block right after `<!-- readme: needs-key -->` is not run (it needs the real OpenRouter), nor one
  after `<!-- readme: not-run: WHY -->` (it needs what a test cannot have, e.g. a Ray cluster);
- top-level `test_*` functions a block defines are called, as pytest would.

Classes named in the README (`…Event`, `…Error`) must exist, so prose and comments cannot name a class
that is not there.
"""

from __future__ import annotations

import builtins
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from routerkit.emulator import Emulator

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(
    r"(?:<!-- readme: (?P<mark>[\w-]+)(?::\s*(?P<arg>[^>]*?))?\s*-->\s*\n)?```python[^\n]*\n(?P<code>.*?)^```",
    re.M | re.S,
)
RUN_TESTS = """
for _name, _value in list(globals().items()):
    if _name.startswith("test_") and callable(_value):
        _value()
"""
TIMEOUT_S = 60


@dataclass
class Block:
    line: int
    code: str
    mark: str | None
    arg: str | None


def blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [
        Block(text.count("\n", 0, m.start("code")) + 1, m.group("code"), m.group("mark"), m.group("arg"))
        for m in BLOCK.finditer(text)
    ]


def runnable() -> Iterator[tuple[int, str, dict[str, str]]]:
    """(first line, program, files saved before it) for each block that runs, with the blocks it continues
    before it."""
    chain = ""
    saved: dict[str, str] = {}
    for block in blocks():
        if block.mark == "saved-as" and block.arg:
            saved[block.arg] = block.code
            continue
        chain = chain + "\n" + block.code if block.mark == "continues" else block.code
        if block.mark not in ("needs-key", "not-run"):
            yield block.line, chain, dict(saved)


@pytest.fixture(scope="module")
def readme_emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


def test_the_readme_has_python_blocks() -> None:
    assert len(blocks()) >= 3
    assert all(b.mark in (None, "continues", "saved-as", "needs-key", "not-run") for b in blocks()), "unknown mark"


@pytest.mark.parametrize(
    ("line", "program", "saved"), list(runnable()), ids=lambda v: f"line-{v}" if isinstance(v, int) else ""
)
def test_python_block_runs(
    line: int, program: str, saved: dict[str, str], readme_emulator: Emulator, tmp_path: Path
) -> None:
    for name, code in saved.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    env = {
        # `python` is the interpreter running the tests, as it is for a user inside their venv
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "OPENROUTER_BASE_URL": readme_emulator.base_url,
        "OPENROUTER_API_KEY": "sk-or-v1-readme-test",
        "ROUTERKIT_HOME": str(tmp_path / "home"),
        "PYTHONUNBUFFERED": "1",
    }
    r = subprocess.run(
        [sys.executable, "-c", program + RUN_TESTS],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT_S,
    )
    assert r.returncode == 0, f"README.md block at line {line} failed:\n{r.stderr[-3000:]}"


def test_classes_named_in_the_readme_exist() -> None:
    import routerkit.agent
    import routerkit.errors

    text = README.read_text(encoding="utf-8")
    for name in set(re.findall(r"\b[A-Z]\w*Event\b", text)):
        assert hasattr(routerkit.agent, name), f"README names {name}, which routerkit.agent does not have"
    builtin = set(dir(builtins))  # TypeError and the like are Python's own
    for name in set(re.findall(r"\b[A-Z]\w*Error\b", text)) - builtin:
        assert hasattr(routerkit.errors, name), f"README names {name}, which routerkit.errors does not have"
