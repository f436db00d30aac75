"""OpenRouter's capabilities through `routerkit chat`, against the emulator: web search with the Sources
list, cached tokens in the footer, and generated images (`--save-images DIR`), on a terminal and piped."""

from __future__ import annotations

import re
from pathlib import Path

from routerkit.emulator import Emulator

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The emulator's cache holds a prompt's start from 1,024 tokens on: a system prompt past that is read back
# from cache on the session's second turn.
LONG_SYSTEM = "You are a careful assistant who cites sources. " * 120


def _screen(text: str) -> str:
    """What the terminal shows, without colours and with the console's line wraps joined."""
    return _ANSI.sub("", text).replace("\r", "")


def test_chat_on_a_terminal_shows_sources_and_cached_tokens(pty_run, emu: Emulator) -> None:
    p = pty_run("chat", "-m", "openai/gpt-4o:online", "-s", LONG_SYSTEM, "--session", "web")
    at = p.expect(">>> ")
    p.send("Who built the Eiffel Tower\r")
    at = p.expect("session web: 1 turn", start=at)
    cut = p.expect(">>> ", start=at)  # the first turn is shown above this prompt, the second below
    p.send("and when\r")
    p.expect("session web: 2 turns", start=cut)
    p.send("/exit\r")
    assert p.wait() == 0
    first, second = (_screen(part.decode(errors="replace")) for part in (p.output[:cut], p.output[cut:]))
    assert "searched: Who built the Eiffel Tower" in first and "Sources:" in first
    assert "[1] Who built the eiffel tower — Example Encyclopedia — " in first
    assert "https://encyclopedia.example.org/wiki/who-built-the-eiffel-tower" in first
    assert "[2] What we know about who built the eiffel tower" in first
    assert "cached" not in first  # the first turn wrote the cache …
    footer = next(line for line in second.splitlines() if line.startswith("openai/gpt-4o:online · tokens"))
    cached = emu.requests[-1]  # … the second read it: the footer says how much
    assert cached.body["session_id"] == "web"
    assert re.search(r"tokens [\d,]+ in \([\d,]+ cached\) / \d+ out", footer), footer
    assert "Sources:" in second


def test_chat_piped_keeps_stdout_the_answer(run_cli, emu: Emulator) -> None:
    r = run_cli("chat", "-m", "openai/gpt-4o:online", "-s", LONG_SYSTEM, input="Who built the Eiffel Tower\nand when\n")
    assert r.returncode == 0, r.stderr
    assert "As reported by" in r.stdout and "Sources:" not in r.stdout and "searched:" not in r.stdout
    assert r.stderr.count("Sources:") == 2
    assert "[1] Who built the eiffel tower — Example Encyclopedia — https://encyclopedia.example.org/wiki/" in r.stderr
    assert re.search(r"tokens [\d,]+ in \([\d,]+ cached\)", r.stderr)


def test_chat_save_images_writes_each_turns_images(pty_run, emu: Emulator, tmp_path: Path) -> None:
    folder = tmp_path / "images"
    p = pty_run("chat", "-m", "google/gemini-2.5-flash-image", "--save-images", str(folder))
    at = p.expect(">>> ")
    p.send("a red square\r")
    at = p.expect(r"saved \S+\.png", start=at)
    at = p.expect(">>> ", start=at)
    p.send("/model openai/gpt-4o\r")  # a switched model still asks for images
    at = p.expect(">>> ", start=at)
    p.send("a blue square\r")
    at = p.expect(r"saved \S+\.png", start=at)
    p.send("/exit\r")
    assert p.wait() == 0
    screen = _screen(p.text())
    files = sorted(folder.iterdir())
    assert len(files) == 2 and all(f.read_bytes().startswith(b"\x89PNG") for f in files)
    assert screen.count("1 image (image/png, ") == 2
    assert all(f"saved {f}" in screen for f in files)
    sent = [r.body for r in emu.requests if r.path.endswith("/responses")]
    assert [(b["model"], b["modalities"]) for b in sent] == [
        ("google/gemini-2.5-flash-image", ["image", "text"]),
        ("openai/gpt-4o", ["image", "text"]),
    ]


def test_chat_save_images_to_an_unusable_folder_is_an_error_and_the_chat_goes_on(
    run_cli, emu: Emulator, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run_cli("chat", "-m", "google/gemini-2.5-flash-image", "--save-images", str(blocker), input="one\ntwo\n")
    assert r.returncode == 0, r.stderr
    assert r.stderr.count(f"cannot create --save-images {blocker}") == 2
    assert r.stdout.count("Here is a brief answer") == 2
