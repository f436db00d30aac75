"""Media parts at the emulator: described by ``emulator/echo``, refused when malformed as OpenRouter does."""

from __future__ import annotations

import base64
import json

import httpx2
import pytest

from routerkit.emulator import Emulator
from routerkit.errors import BadRequestError

from .helpers import sse_events, stream, validate

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(12 * 1024)).decode()
WAV = base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(500)).decode()


def ask(*parts: dict, text: str = "What is this?") -> dict:
    return {
        "model": "emulator/echo",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": text}, *parts]}],
    }


IMAGE = {"type": "input_image", "detail": "auto", "image_url": f"data:image/png;base64,{PNG}"}


def test_echo_says_what_media_it_received(client: httpx2.Client) -> None:
    body = ask(
        IMAGE,
        {"type": "input_image", "detail": "low", "image_url": "https://example.com/cat.jpg"},
        {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
        {"type": "input_file", "filename": "r.pdf", "file_data": "data:application/pdf;base64,JVBERi0xLjQK"},
        {"type": "input_video", "video_url": "https://example.com/v.mp4"},
    )
    validate("ResponsesRequest", body)
    r = client.post("/responses", json=body)
    assert r.status_code == 200
    text = r.json()["output"][0]["content"][0]["text"]
    assert text == (
        "What is this?\n\nReceived 2 images (image/png, 12 KB; https://example.com/cat.jpg), "
        "1 audio clip (audio/wav, 516 B), 1 file (r.pdf, application/pdf, 9 B), 1 video (https://example.com/v.mp4)."
    )


def test_echo_streams_the_description_of_media_alone(client: httpx2.Client) -> None:
    body = {"model": "emulator/echo", "input": [{"role": "user", "content": [IMAGE]}]}
    _, data = stream(client, body)
    done = [e for e in sse_events(data) if e["type"] == "response.output_text.done"]
    assert done[0]["text"] == "Received 1 image (image/png, 12 KB)."


@pytest.mark.parametrize(
    ("part", "path", "code"),
    [
        ({"type": "input_image", "image_url": "https://example.com/a.png"}, ["detail"], "invalid_value"),
        ({"type": "input_image", "detail": "medium", "image_url": "https://x/a.png"}, ["detail"], "invalid_value"),
        (
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "ogg"}},
            ["input_audio", "format"],
            "invalid_value",
        ),
        ({"type": "input_audio", "input_audio": "AAAA"}, ["input_audio"], "invalid_type"),
        ({"type": "input_video"}, ["video_url"], "invalid_type"),
        ({"type": "input_file", "filename": 3, "file_url": "https://x/a.pdf"}, ["filename"], "invalid_type"),
    ],
)
def test_schema_violations_get_openrouters_invalid_prompt(
    client: httpx2.Client, part: dict, path: list, code: str
) -> None:
    r = client.post("/responses", json=ask(part))
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == {"code": "invalid_prompt", "message": "Invalid Responses API request"}
    (issue,) = json.loads(body["metadata"]["raw"])
    assert issue["path"] == ["input", 0, "content", 1, *path] and issue["code"] == code


@pytest.mark.parametrize(
    ("part", "message"),
    [
        ({**IMAGE, "image_url": "data:image/png;base64,!!!"}, "Invalid base64 data in input_image"),
        (
            {**IMAGE, "image_url": "data:image/png;base64,JVBERi0xLjQK"},
            "does not represent a valid image (application/pdf)",
        ),
        ({"type": "input_audio", "input_audio": {"data": "", "format": "mp3"}}, "Invalid base64 data in input_audio"),
        ({"type": "input_file", "filename": "a.pdf"}, "Missing file data"),
        ({"type": "input_video", "video_url": "data:video/mp4;base64,iVBORw0KGgo="}, "not represent a valid video"),
    ],
)
def test_unreadable_content_is_the_providers_400(client: httpx2.Client, part: dict, message: str) -> None:
    r = client.post("/responses", json=ask(part))
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == 400 and error["message"] == "Provider returned error"
    assert message in json.loads(error["metadata"]["raw"])["error"]["message"]


def test_the_client_raises_a_typed_error_with_the_providers_reason(emu: Emulator) -> None:
    from routerkit.models.openrouter import OpenRouterResponses

    model = OpenRouterResponses(id="emulator/echo", base_url=emu.base_url, api_key="k", max_retries=0)
    bad = {**IMAGE, "image_url": "data:image/png;base64,JVBERi0xLjQK"}
    with pytest.raises(BadRequestError) as caught:
        model.invoke(ask(bad)["input"])
    assert caught.value.status == 400
    assert "does not represent a valid image" in str(caught.value)
