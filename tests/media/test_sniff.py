"""The MIME type comes from the bytes: what a provider checks, whatever the file is called."""

from __future__ import annotations

import pytest

from routerkit.wire._media import data_url, human_size, parse_data_url, sniff_mime

from ._samples import SAMPLES


@pytest.mark.parametrize("mime", sorted(SAMPLES))
def test_each_known_type_is_recognised_from_its_first_bytes(mime: str) -> None:
    assert sniff_mime(SAMPLES[mime]) == mime


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02\x03 binary",
        b"\xff\xf1\x50\x80",  # AAC (ADTS): the MPEG sync bits but layer 0, so not MP3
        b"caf\xe9 latin-1, not UTF-8",
        b"RIFF\x00\x00\x00\x00AVI ",
    ],
)
def test_unknown_or_binary_content_is_not_guessed(data: bytes) -> None:
    assert sniff_mime(data) is None


def test_long_text_cut_inside_a_character_is_still_text() -> None:
    text = ("é" * 5000).encode()  # 10,000 bytes: the 8 KiB probe ends inside a two-byte character
    assert sniff_mime(text[:8193]) == "text/plain"


def test_data_urls_round_trip_and_bad_ones_are_none() -> None:
    url = data_url("image/png", SAMPLES["image/png"])
    assert url.startswith("data:image/png;base64,")
    assert parse_data_url(url) == ("image/png", SAMPLES["image/png"])
    assert parse_data_url("data:image/png;base64,not base64!") is None
    assert parse_data_url("data:text/plain,hello") is None  # not base64
    assert parse_data_url("https://example.com/a.png") is None


@pytest.mark.parametrize(
    ("n", "shown"), [(0, "0 B"), (1023, "1023 B"), (1024, "1 KB"), (12 * 1024 + 100, "12 KB"), (3 << 20, "3.0 MB")]
)
def test_sizes_read_as_people_write_them(n: int, shown: str) -> None:
    assert human_size(n) == shown
