"""The media of one run as content parts, and `from_source` for a path or URL given on a command line."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError
from ..wire._media import human_size, sniff_mime
from ._classes import MAX_INLINE_BYTES, Attachment, Audio, File, Image, Video, _read_file

__all__ = ["attachments", "from_source"]

_KINDS: tuple[tuple[str, type[Image | Audio | Video | File]], ...] = (
    ("images", Image),
    ("audio", Audio),
    ("videos", Video),
    ("files", File),
)
_CLASSES: dict[str, type[Image | Audio | Video]] = {"image": Image, "audio": Audio, "video": Video}


def attachments(
    *,
    images: object = None,
    audio: object = None,
    videos: object = None,
    files: object = None,
) -> list[Attachment]:
    """The run's media, read and checked, in the order given: images, audio, videos, files.

    Everything is refused here, before any request: a wrong type, a missing, unreadable or oversized file,
    content that is not what its class says, or more inline data than one request carries.
    """
    given = {"images": images, "audio": audio, "videos": videos, "files": files}
    out: list[Attachment] = []
    for name, cls in _KINDS:
        value = given[name]
        if value is None:
            continue
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise UsageError(f"{name} must be a list of routerkit.media.{cls.__name__} objects, got {_shown(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, cls):
                raise UsageError(
                    f"{name}[{index}] must be a routerkit.media.{cls.__name__} "
                    f"(from routerkit.media import {cls.__name__}), got {_shown(item)}"
                )
            out.append(item._attach(f"{name}[{index}]"))
    total = sum(attachment.inline_bytes for attachment in out)
    if total > MAX_INLINE_BYTES:
        raise UsageError(
            f"the attachments carry {human_size(total)} of inline data together; one request may carry at most "
            f"{human_size(MAX_INLINE_BYTES)} — send some as url= or in another run"
        )
    return out


def from_source(source: str | os.PathLike[str]) -> Image | Audio | Video | File:
    """`Image`, `Audio`, `Video` or `File` for a local path or an http(s) URL (the CLI's `--attach`).

    A local file's class comes from its content (a PNG named `notes.txt` is an `Image`); a URL's from its
    extension, since the provider fetches it, not routerkit (`File` when the extension says nothing). A
    missing, unreadable or oversized file is a `UsageError`.
    """
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        guessed = mimetypes.guess_type(source.split("?")[0])[0] or ""
        return _CLASSES.get(guessed.partition("/")[0], File)(url=source)
    if not isinstance(source, str | os.PathLike) or not str(source):
        raise UsageError(f"from_source() takes a file path or an http(s) URL, got {_shown(source)}")
    path = Path(source)
    mime = sniff_mime(_read_file("from_source()", path))
    return _CLASSES.get((mime or "").partition("/")[0], File)(filepath=path, mime_type=mime)


def _shown(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"
