"""Media content parts with no I/O: what a file's bytes are, data URLs, and sizes as people read them.

Shared by `routerkit.media` (which builds `input_image` / `input_file` / `input_audio` / `input_video` parts)
and the emulator (which checks and describes the parts it receives), so both agree on what a PNG is and on
what "12 KB" means. The MIME type comes from the content's first bytes, never from a file name: an extension
can lie, and a provider rejects an image whose declared type does not match its bytes.
"""

from __future__ import annotations

import base64
import binascii

__all__ = ["MEDIA_PART_TYPES", "data_url", "human_size", "parse_data_url", "sniff_mime"]

MEDIA_PART_TYPES = ("input_image", "input_file", "input_audio", "input_video")
"""The content part types that carry media rather than text."""

_FTYP_BRANDS = {
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"qt  ": "video/quicktime",
    b"avif": "image/avif",
    b"avis": "image/avif",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
}
_TEXT_PROBE = 8192


def sniff_mime(data: bytes) -> str | None:
    """The MIME type the bytes' signature shows (png, jpeg, gif, webp, pdf, wav, mp3, ogg, flac, mp4, webm,
    mov, plain text), or None when they match none of these."""
    head = bytes(data[:16])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return "audio/mpeg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    if _is_text(data):
        return "text/plain"
    return None


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MP3 without ID3 tag starts with a frame header: 11 sync bits, then a layer that is not 0 (AAC's)."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and (head[1] >> 1) & 0x3 != 0


def _is_text(data: bytes) -> bool:
    """UTF-8 without control characters other than whitespace (a multibyte character cut at the probe's
    end is fine); empty content is not text, it is nothing."""
    probe = bytes(data[:_TEXT_PROBE])
    if not probe:
        return False
    try:
        text = probe.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(data) <= _TEXT_PROBE or exc.start < len(probe) - 3:
            return False
        text = probe[: exc.start].decode("utf-8")
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def data_url(mime: str, data: bytes) -> str:
    """`data:<mime>;base64,<data>`, the form providers accept for inline images, files and videos."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def parse_data_url(url: str) -> tuple[str, bytes] | None:
    """The declared MIME type and the bytes of a base64 data URL; None if `url` is not one or does not
    decode."""
    if not url.startswith("data:"):
        return None
    header, sep, payload = url[5:].partition(",")
    params = header.split(";")
    if not sep or params[-1] != "base64":
        return None
    try:
        data = base64.b64decode(payload)  # the fast, lenient decoder: it skips characters outside the alphabet …
    except (binascii.Error, ValueError):
        return None
    if len(payload) % 4 or len(data) != len(payload) // 4 * 3 - len(payload) + len(payload.rstrip("=")):
        return None  # … so any it skipped show as missing bytes
    return params[0].strip().lower(), data


def human_size(n: int) -> str:
    """A byte count as people read it: `512 B`, `12 KB`, `3.4 MB` (1 KB = 1024 bytes)."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / (1024 * 1024):.1f} MB"
