"""Small real files of each type the sniffer knows, built in memory (no fixtures to keep in sync)."""

from __future__ import annotations

import struct
import zlib

__all__ = ["MP3", "PDF", "PNG", "SAMPLES", "WAV", "png"]


def png(width: int = 1, height: int = 1, pad: int = 0) -> bytes:
    """A valid RGB PNG; `pad` adds an ancillary chunk of that many bytes to make it larger."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    extra = chunk(b"tEXt", b"pad\x00" + b"x" * pad) if pad else b""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + extra
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _wav(samples: int = 800) -> bytes:
    data = b"\x00\x00" * samples
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


PNG = png()
WAV = _wav()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MP3 = b"\xff\xfb\x90\x64" + b"\x00" * 400  # an MPEG-1 layer III frame header, no ID3 tag

SAMPLES = {
    "image/png": PNG,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64,
    "image/gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "image/webp": b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 32,
    "application/pdf": PDF,
    "audio/wav": WAV,
    "audio/mpeg": MP3,
    "audio/ogg": b"OggS\x00\x02" + b"\x00" * 64,
    "audio/flac": b"fLaC\x00\x00\x00\x22" + b"\x00" * 64,
    "video/mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64,
    "video/quicktime": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 64,
    "video/webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 64,
    "text/plain": "# Notes\n\nnaïve café — ok\n".encode(),
}
