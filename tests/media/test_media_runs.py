"""Media through real runs against the emulator: what is sent, what the model says it received."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import pytest
from rich.console import Console

from routerkit.agent import Agent, RunCompletedEvent
from routerkit.db.sqlite import SqliteDb
from routerkit.media import Audio, File, Image, Video, from_source
from routerkit.wire._media import human_size

from ..openapi_schema import validate
from ._samples import MP3, PDF, PNG, WAV, png


def every_body_is_valid(emu) -> list[dict]:
    bodies = [request.body for request in emu.requests]
    assert bodies
    for body in bodies:
        validate("ResponsesRequest", body)
    return bodies


def user_parts(body: dict) -> list[dict]:
    return body["input"][-1]["content"]


def test_an_image_file_is_sent_as_a_data_url_with_detail_and_the_model_sees_it(emu, make_model, tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(png(64, 64))
    out = Agent(model=make_model()).run("What is in this picture?", images=[Image(filepath=photo)])
    assert (
        out.content == f"What is in this picture?\n\nReceived 1 image (image/png, {human_size(photo.stat().st_size)})."
    )
    (body,) = every_body_is_valid(emu)
    text, image = user_parts(body)
    assert text == {"type": "input_text", "text": "What is in this picture?"}
    assert image == {
        "type": "input_image",
        "detail": "auto",
        "image_url": "data:image/png;base64," + base64.b64encode(photo.read_bytes()).decode(),
    }


def test_the_type_sent_is_the_one_the_bytes_show_not_the_extension(emu, make_model, tmp_path):
    lying = tmp_path / "photo.jpg"
    lying.write_bytes(PNG)
    Agent(model=make_model()).run("x", images=[Image(filepath=lying, mime_type="image/jpeg", detail="low")])
    image = user_parts(every_body_is_valid(emu)[0])[1]
    assert image["image_url"].startswith("data:image/png;base64,") and image["detail"] == "low"


@pytest.mark.parametrize("stream", [False, True])
async def test_async_runs_send_files_audio_and_video(emu, make_model, stream):
    agent = Agent(model=make_model())
    media = {
        "files": [File(content=PDF, filename="report.pdf")],
        "audio": [Audio(content=WAV)],
        "videos": [Video(url="https://example.com/clip.mp4")],
    }
    if stream:
        events = [event async for event in agent.arun("Listen and read", stream=True, stream_events=True, **media)]
        out = events[-1].output if isinstance(events[-1], RunCompletedEvent) else None
    else:
        out = await agent.arun("Listen and read", **media)
    assert out is not None
    assert out.content == (
        f"Listen and read\n\nReceived 1 audio clip (audio/wav, {human_size(len(WAV))}), "
        "1 video (https://example.com/clip.mp4), "
        f"1 file (report.pdf, application/pdf, {len(PDF)} B)."
    )
    parts = user_parts(every_body_is_valid(emu)[0])
    assert [part["type"] for part in parts] == ["input_text", "input_audio", "input_video", "input_file"]
    assert parts[1] == {"type": "input_audio", "input_audio": {"data": base64.b64encode(WAV).decode(), "format": "wav"}}
    assert parts[3]["file_data"] == "data:application/pdf;base64," + base64.b64encode(PDF).decode()


def test_a_streamed_sync_run_with_urls_sends_them_for_the_provider_to_fetch(emu, make_model):
    events = list(
        Agent(model=make_model()).run(
            "Compare",
            stream=True,
            stream_events=True,
            images=[Image(url="https://example.com/a.png", detail="high")],
            files=[File(url="https://example.com/docs/paper.pdf?dl=1")],
        )
    )
    assert events[-1].output.content.endswith(
        "Received 1 image (https://example.com/a.png), 1 file (paper.pdf, https://example.com/docs/paper.pdf?dl=1)."
    )
    parts = user_parts(every_body_is_valid(emu)[0])
    assert parts[1:] == [
        {"type": "input_image", "detail": "high", "image_url": "https://example.com/a.png"},
        {"type": "input_file", "file_url": "https://example.com/docs/paper.pdf?dl=1", "filename": "paper.pdf"},
    ]


def test_mp3_audio_and_text_files_keep_their_precise_types(emu, make_model, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# Plan\n\n- ship it\n")
    Agent(model=make_model()).run("x", audio=[Audio(content=MP3)], files=[File(filepath=notes)])
    parts = user_parts(every_body_is_valid(emu)[0])
    assert parts[1]["input_audio"]["format"] == "mp3"
    assert parts[2]["filename"] == "notes.md" and parts[2]["file_data"].startswith("data:text/markdown;base64,")


def test_media_joins_the_last_user_message_of_an_item_list(emu, make_model):
    items = [{"role": "user", "content": [{"type": "input_text", "text": "look"}]}]
    Agent(model=make_model()).run(items, images=[Image(content=PNG)])
    (body,) = every_body_is_valid(emu)
    assert len(body["input"]) == 1 and [p["type"] for p in user_parts(body)] == ["input_text", "input_image"]


def test_history_replays_media_from_sqlite_in_a_new_agent(emu, make_model, tmp_path):
    db_file = tmp_path / "chat.db"
    first = Agent(model=make_model(), db=SqliteDb(db_file=str(db_file)), session_id="s", add_history_to_context=True)
    first.run("Remember this picture", images=[Image(content=PNG)], files=[File(content=PDF, filename="r.pdf")])
    sent = emu.requests[0].body["input"][-1]
    again = Agent(model=make_model(), db=SqliteDb(db_file=str(db_file)), session_id="s", add_history_to_context=True)
    out = again.run("What did I show you?")
    assert out.content == "What did I show you?"
    bodies = every_body_is_valid(emu)
    assert bodies[1]["input"][0] == sent  # the stored item, byte for byte: image and file included
    assert bodies[1]["input"][-1] == {"role": "user", "content": "What did I show you?"}


@pytest.mark.parametrize("stream", [False, True])
def test_print_response_lists_the_attachments_in_the_message_panel(emu, make_model, tmp_path, stream):
    photo = tmp_path / "photo.png"
    photo.write_bytes(png(pad=12 * 1024))
    console = Console(file=io.StringIO(), force_terminal=True, width=100, color_system=None, record=True)
    Agent(model=make_model()).print_response(
        "Describe", stream=stream, console=console, images=[Image(filepath=photo)], files=[File(content=PDF)]
    )
    text = console.export_text()
    message = text[: text.index("Received")]
    assert "📎 photo.png (image/png, 12 KB)" in message
    assert f"📎 file (application/pdf, {len(PDF)} B)" in message


async def test_aprint_response_off_a_terminal_lists_the_attachments_too(emu, make_model):
    console = Console(file=io.StringIO(), force_terminal=False, width=100, record=True)
    notes = File(content="# Notes\n", filename="notes.md")
    await Agent(model=make_model()).aprint_response("Hi", console=console, audio=[Audio(content=WAV)], files=[notes])
    text = console.export_text()
    assert f"📎 audio (audio/wav, {human_size(len(WAV))})" in text
    assert "📎 notes.md (text/markdown, 8 B)" in text


def test_from_source_picks_the_class_from_the_content(tmp_path):
    named_txt = tmp_path / "really-a-png.txt"
    named_txt.write_bytes(PNG)
    (tmp_path / "a.wav").write_bytes(WAV)
    (tmp_path / "r.pdf").write_bytes(PDF)
    (tmp_path / "c.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40)
    assert isinstance(from_source(named_txt), Image)
    assert isinstance(from_source(str(tmp_path / "a.wav")), Audio)
    assert isinstance(from_source(tmp_path / "r.pdf"), File)
    assert isinstance(from_source(tmp_path / "c.mp4"), Video)
    assert from_source("https://example.com/x.jpeg?size=2") == Image(url="https://example.com/x.jpeg?size=2")
    assert from_source("https://example.com/paper") == File(url="https://example.com/paper")


def test_media_is_loaded_only_when_a_run_has_media():
    code = (
        "import sys, routerkit, routerkit.agent, routerkit.models.openrouter; "
        "from routerkit.emulator import Emulator; from routerkit.agent import Agent; "
        "from routerkit.models.openrouter import OpenRouterResponses as M\n"
        "with Emulator() as emu:\n"
        "    Agent(model=M(id='emulator/echo', base_url=emu.base_url, api_key='k')).run('hi')\n"
        "print([m for m in sys.modules if m.startswith('routerkit.media')])"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
