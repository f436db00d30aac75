"""`-a/--attach` on ask and `/attach` in chat: media go in the request through `routerkit.media`, and the
log keeps their names and hashes. Needs `routerkit.media` and `Agent.run(images=, files=, …)` (the media
engineer's work): skipped until those are merged."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

pytest.importorskip("routerkit.media")

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _parts(body: dict) -> list[dict]:
    items = body["input"] if isinstance(body["input"], list) else []
    return [p for item in items if isinstance(item.get("content"), list) for p in item["content"]]


def test_ask_attaches_an_image_and_logs_it(run_cli, emu, tmp_path):
    image = tmp_path / "dot.png"
    image.write_bytes(PNG)
    r = run_cli("ask", "-m", "emulator/echo", "-a", str(image), "what is this?")
    assert r.returncode == 0, r.stderr
    images = [p for p in _parts(emu.requests[-1].body) if p.get("type") == "input_image"]
    assert len(images) == 1 and images[0]["image_url"].startswith("data:image/png;base64,")
    [entry] = json.loads(run_cli("logs", "--json").stdout)
    [attached] = entry["attachments"]
    assert attached["name"] == "dot.png" and attached["kind"] == "images"
    assert attached["sha256"] == hashlib.sha256(PNG).hexdigest()


def test_unreadable_attachment_is_a_usage_error_before_any_request(run_cli, emu, tmp_path):
    r = run_cli("ask", "-m", "emulator/echo", "-a", str(tmp_path / "missing.png"), "hi")
    assert r.returncode == 2 and "missing.png" in r.stderr
    assert emu.requests == []


def test_chat_attach_goes_with_the_next_message(run_cli, emu, tmp_path):
    image = tmp_path / "dot.png"
    image.write_bytes(PNG)
    r = run_cli("chat", "-m", "emulator/echo", input=f"/attach {image}\nlook\nand again\n")
    assert r.returncode == 0, r.stderr
    sent = [req.body for req in emu.requests if req.path.endswith("/responses")]
    assert any(p.get("type") == "input_image" for p in _parts(sent[0]))
    assert "attached: dot.png (image/png)" in r.stderr
