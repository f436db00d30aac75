"""Bad media is refused with a `UsageError` that names the argument and the limit, before any request."""

from __future__ import annotations

import os
import sys

import pytest

from routerkit.agent import Agent
from routerkit.errors import UsageError
from routerkit.media import MAX_FILE_BYTES, Audio, File, Image, Video

from ._samples import PDF, PNG, SAMPLES


def refused(agent: Agent, pattern: str, **media: object) -> None:
    with pytest.raises(UsageError, match=pattern):
        agent.run("x", **media)  # type: ignore[arg-type]


@pytest.fixture
def agent(make_model) -> Agent:
    return Agent(model=make_model())


def test_missing_directory_and_empty_files_are_refused(emu, agent, tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    refused(agent, r"^images\[0\]: no such file: '.*nope\.png'$", images=[Image(filepath=tmp_path / "nope.png")])
    refused(agent, r"^files\[0\]: '.*' is a directory$", files=[File(filepath=tmp_path)])
    refused(agent, r"^images\[0\]: '.*empty\.png' is empty$", images=[Image(filepath=empty)])
    refused(agent, r"^files\[1\]: content is empty$", files=[File(content=PDF), File(content=b"")])
    refused(
        agent, r"^files\[0\]: cannot read 'a\\x00b\.pdf' \(embedded null byte\)$", files=[File(filepath="a\x00b.pdf")]
    )
    assert emu.requests == []


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file; no chmod on Windows")
def test_an_unreadable_file_is_refused(emu, agent, tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)
    secret.chmod(0)
    refused(agent, r"^files\[0\]: cannot read '.*secret\.pdf' \(Permission denied\)$", files=[File(filepath=secret)])
    assert emu.requests == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_pipe_or_device_is_refused_instead_of_read_forever(emu, agent, tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    refused(agent, r"'.*pipe\.png' is not a regular file", images=[Image(filepath=fifo)])
    refused(agent, r"'/dev/zero' is not a regular file", files=[File(filepath="/dev/zero")])
    assert emu.requests == []


def test_a_file_too_large_to_send_inline_names_the_limit(emu, agent, tmp_path):
    huge = tmp_path / "scan.pdf"
    with huge.open("wb") as fh:  # sparse: the size is checked before anything is read
        fh.truncate(MAX_FILE_BYTES + 1)
    refused(
        agent,
        r"^files\[0\]: '.*scan\.pdf' is 15\.0 MB; an inline attachment may be at most 15\.0 MB "
        r"\(20\.0 MB as base64, the most providers accept inline\) — pass url= instead$",
        files=[File(filepath=huge)],
    )
    refused(agent, r"^images\[0\]: content is 15\.0 MB", images=[Image(content=b"\x89PNG" + bytes(MAX_FILE_BYTES))])
    too_long = "data:image/png;base64," + "A" * (MAX_FILE_BYTES * 4 // 3 + 8)
    refused(agent, r"^images\[0\]: the data URL is 15\.0 MB", images=[Image(url=too_long)])
    assert emu.requests == []


def test_attachments_that_fit_alone_but_not_together_are_refused(emu, agent):
    half = PDF + bytes(MAX_FILE_BYTES // 2 + 1024)
    refused(agent, r"^the attachments carry 20\.0 MB of inline data together; one request may carry at most 20\.0 MB",
            files=[File(content=half), File(content=half)])  # fmt: skip
    assert emu.requests == []


@pytest.mark.parametrize(
    ("media", "pattern"),
    [
        ({"images": [Image(content=PDF)]}, r"^images\[0\]: image holds application/pdf, not an image; pass it as File"),
        ({"images": [Image(content=b"\x00\x01junk")]}, r"^images\[0\]: cannot tell what image is from its content"),
        ({"audio": [Audio(content=SAMPLES["audio/ogg"])]}, r"^audio\[0\]: the audio is audio/ogg; .* wav and mp3"),
        ({"audio": [Audio(content=PNG)]}, r"^audio\[0\]: audio holds image/png, not audio; pass it as Image"),
        ({"audio": [Audio(url="https://example.com/a.mp3")]}, r"^audio\[0\]: OpenRouter does not fetch audio from"),
        ({"videos": [Video(content=PNG)]}, r"^videos\[0\]: video holds image/png, not video; pass it as Image"),
        ({"images": [Image(url="data:image/png;base64,@@@")]}, r"^images\[0\]: url= is a data: URL that is not valid"),
        ({"images": Image(content=PNG)}, r"^images must be a list of routerkit\.media\.Image objects, got Image"),
        ({"images": [File(content=PDF)]}, r"^images\[0\] must be a routerkit\.media\.Image .*got File"),
        ({"files": "report.pdf"}, r"^files must be a list of routerkit\.media\.File objects, got str"),
    ],
)
def test_content_of_the_wrong_kind_or_shape_is_refused(emu, agent, media, pattern):
    refused(agent, pattern, **media)
    assert emu.requests == []


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (lambda: Image(), r"^Image\(\) takes exactly one of url=, filepath= or content=; got none of them$"),
        (lambda: File(url="https://x/a.pdf", content=PDF), r"got url= and content=$"),
        (lambda: Image(url="file:///tmp/a.png"), r"must be an http\(s\) URL or a base64 data: URL.*use filepath="),
        (lambda: Image(content=PNG, detail="medium"), r"detail=...\) must be one of auto, low, high, original"),
        (lambda: Image(content="not bytes"), r"content=...\) must be bytes, got 'not bytes'"),
        (lambda: Audio(filepath=3), r"filepath=...\) must be a path"),
        (lambda: File(content=PDF, filename=""), r"filename=...\) must be a non-empty file name"),
    ],
)
def test_constructor_mistakes_fail_where_they_are_written(make, pattern):
    with pytest.raises(UsageError, match=pattern):
        make()


def test_from_source_refuses_what_it_cannot_read(tmp_path):
    from routerkit.media import from_source

    with pytest.raises(UsageError, match=r"^from_source\(\): no such file: '.*gone\.png'$"):
        from_source(tmp_path / "gone.png")
    with pytest.raises(UsageError, match=r"^from_source\(\): '.*' is a directory$"):
        from_source(tmp_path)
    with pytest.raises(UsageError, match=r"^from_source\(\) takes a file path or an http\(s\) URL, got int 3$"):
        from_source(3)  # type: ignore[arg-type]
