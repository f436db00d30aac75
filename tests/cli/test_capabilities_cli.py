"""The CLI's OpenRouter capabilities against the emulator: Sources after a web-search answer (stderr when
piped, so stdout stays the answer), `ask --save-images DIR`, `generation ID` / `key` / `credits`, and the
`models` modality columns and filters."""

from __future__ import annotations

import json
from pathlib import Path

from routerkit.emulator import Emulator
from routerkit.models.openrouter import OpenRouterResponses


def test_ask_prints_sources_on_stderr_when_piped(run_cli, emu: Emulator) -> None:
    r = run_cli("ask", "-m", "openai/gpt-4o:online", "Who built the Eiffel Tower")
    assert r.returncode == 0, r.stderr
    assert "Sources:" not in r.stdout and "As reported by" in r.stdout
    assert "Sources:" in r.stderr
    assert "[1] Who built the eiffel tower — Example Encyclopedia — https://encyclopedia.example.org/wiki/" in r.stderr
    assert "searched: Who built the Eiffel Tower" in r.stderr


def test_ask_save_images_writes_them_and_prints_the_paths(run_cli, emu: Emulator, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    r = run_cli("ask", "-m", "google/gemini-2.5-flash-image", "--save-images", str(folder), "a red square")
    assert r.returncode == 0, r.stderr
    files = list(folder.iterdir())
    assert len(files) == 1 and files[0].suffix == ".png"
    assert files[0].read_bytes().startswith(b"\x89PNG")
    assert f"saved {files[0]}" in r.stderr
    assert "1 image (image/png" in r.stderr
    assert emu.requests[-1].body["modalities"] == ["image", "text"]


def test_generation_key_and_credits(run_cli, emu: Emulator) -> None:
    model = OpenRouterResponses(id="openai/gpt-4o", base_url=emu.base_url, api_key="sk-or-v1-test")
    gen_id = model.invoke("hello").generation_id
    assert gen_id
    r = run_cli("generation", gen_id)
    assert r.returncode == 0, r.stderr
    assert f"id: {gen_id}" in r.stdout and "provider_name: OpenAI" in r.stdout and "total_cost: $" in r.stdout
    data = json.loads(run_cli("generation", gen_id, "--json").stdout)
    assert data["id"] == gen_id and data["model"] == "openai/gpt-4o"
    r = run_cli("key")
    assert r.returncode == 0 and "limit: $10" in r.stdout and "usage: $" in r.stdout
    r = run_cli("credits")
    assert r.returncode == 0 and "total_credits: $10" in r.stdout and "remaining: $" in r.stdout
    r = run_cli("generation", "gen-unknown")
    assert r.returncode != 0 and "404" in r.stderr


def test_models_modality_columns_and_filters(run_cli, emu: Emulator) -> None:
    r = run_cli("models", "--modality", "image", "--refresh")
    assert r.returncode == 0, r.stderr
    header, *rows = r.stdout.strip().splitlines()
    assert header.endswith("\tinput\toutput")
    ids = {row.split("\t")[0] for row in rows}
    assert "google/gemini-2.5-flash-image" in ids and "openai/gpt-oss-20b" not in ids
    image_row = next(row for row in rows if row.startswith("google/gemini-2.5-flash-image\t"))
    assert image_row.endswith("\ttext+image\ttext+image")
    reasoning = run_cli("models", "--reasoning").stdout
    assert "openai/gpt-oss-20b" in reasoning and "openai/gpt-4o\t" not in reasoning
    tools = run_cli("models", "--tools").stdout
    assert "openai/gpt-4o\t" in tools
