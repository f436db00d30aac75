"""Random ids for sessions, runs and messages."""

from __future__ import annotations

import os

__all__ = ["new_id"]


def new_id() -> str:
    """A random (version 4) UUID as text, the form `str(uuid.uuid4())` gives (agno's ids have it). Made here
    rather than with `uuid`, which on Python 3.11 imports `platform`: ~5 ms of every `routerkit ask`."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # the version: 4, random
    raw[8] = raw[8] & 0x3F | 0x80  # the variant: RFC 4122
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
