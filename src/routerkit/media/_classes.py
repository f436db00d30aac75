"""agno's media classes — `Image`, `Audio`, `Video`, `File` — and the OpenRouter content part each becomes.

The constructors take agno's keyword arguments and check them at once (one source of `url`, `filepath` or
`content`; known `detail` values), so a typo fails where it was written. Files are read, sniffed and
measured only when a run sends them (`_attach`), so a file changed between the two is sent as it is then.
The MIME type sent is the one the bytes show: a provider rejects an image whose declared type does not match
its content, and an extension can lie.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..errors import UsageError
from ..wire._media import data_url, human_size, parse_data_url, sniff_mime

__all__ = ["MAX_FILE_BYTES", "MAX_INLINE_BYTES", "Attachment", "Audio", "File", "Image", "Video"]

MAX_INLINE_BYTES = 20 * 1024 * 1024
"""The most base64 data one request carries inline. OpenRouter publishes no limit of its own (it refuses images
over 30 MB); 20 MB is the smallest documented inline ceiling among the large providers it routes to (Gemini's
per request), so a run within it is not refused for its size wherever it is routed."""

MAX_FILE_BYTES = MAX_INLINE_BYTES * 3 // 4
"""The largest local file or `content` that can be sent: base64 makes it 4/3 larger (15 MB → 20 MB)."""

_IMAGE_DETAILS = ("auto", "low", "high", "original")
_AUDIO_FORMATS = {"audio/wav": "wav", "audio/mpeg": "mp3"}


@dataclass(frozen=True, slots=True)
class Attachment:
    """One media item ready to send: its content part, and the line `print_response` shows for it."""

    part: dict[str, Any]
    label: str
    inline_bytes: int
    """How much base64 data the part carries (0 for a URL the provider fetches)."""


@dataclass(kw_only=True)
class _Media:
    """What the four classes share: one source (`url`, `filepath` or `content`) and its declared type."""

    url: str | None = None
    filepath: str | os.PathLike[str] | None = None
    content: bytes | None = field(default=None, repr=False)
    id: str | None = None
    format: str | None = None
    mime_type: str | None = None

    family: ClassVar[str] = ""
    """The MIME family the content must be in (`image`, `audio`, `video`; empty for any)."""

    def __post_init__(self) -> None:
        kind = type(self).__name__
        given = [name for name in ("url", "filepath", "content") if getattr(self, name) is not None]
        if len(given) != 1:
            got = " and ".join(f"{name}=" for name in given) or "none of them"
            raise UsageError(f"{kind}() takes exactly one of url=, filepath= or content=; got {got}")
        if self.url is not None and (
            not isinstance(self.url, str) or not self.url.startswith(("http://", "https://", "data:"))
        ):
            raise UsageError(
                f"{kind}(url=...) must be an http(s) URL or a base64 data: URL, got {_shown(self.url)}"
                " (for a local file use filepath=)"
            )
        if self.filepath is not None and not isinstance(self.filepath, str | os.PathLike):
            raise UsageError(f"{kind}(filepath=...) must be a path (str or pathlib.Path), got {_shown(self.filepath)}")
        if self.content is not None:
            self.content = self._content_bytes(self.content)
        for name in ("id", "format", "mime_type"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise UsageError(f"{kind}({name}=...) must be text or None, got {_shown(getattr(self, name))}")

    def _content_bytes(self, content: object) -> bytes:
        if isinstance(content, bytes | bytearray | memoryview):
            return bytes(content)
        raise UsageError(f"{type(self).__name__}(content=...) must be bytes, got {_shown(content)}")

    # Reading and sniffing, when a run sends it

    def _attach(self, where: str) -> Attachment:
        """The content part for this item; `where` (e.g. `images[0]`) names it in every error."""
        if self.url is not None and not self.url.startswith("data:"):
            return self._remote(where, self.url)
        data, name = self._local(where)
        mime = self._mime(where, data, name)
        label = f"{name or type(self).__name__.lower()} ({mime}, {human_size(len(data))})"
        return Attachment(self._inline_part(mime, data, name), label, 4 * -(-len(data) // 3))

    def _remote(self, where: str, url: str) -> Attachment:
        raise NotImplementedError

    def _inline_part(self, mime: str, data: bytes, name: str | None) -> dict[str, Any]:
        raise NotImplementedError

    def _local(self, where: str) -> tuple[bytes, str | None]:
        """The bytes to send and the file's name (None for `content` and data URLs)."""
        if self.url is not None:
            _check_size(where, len(self.url) * 3 // 4, "the data URL")  # before decoding it
            parsed = parse_data_url(self.url)
            if parsed is None:
                raise UsageError(f"{where}: url= is a data: URL that is not valid base64 (data:<type>;base64,<data>)")
            _check_size(where, len(parsed[1]), "the data URL")
            return parsed[1], None
        if self.content is not None:
            _check_size(where, len(self.content), "content")
            return bytes(self.content), None
        assert self.filepath is not None
        return _read_file(where, Path(self.filepath)), Path(self.filepath).name

    def _mime(self, where: str, data: bytes, name: str | None) -> str:
        """The type the bytes show; a declared one (`mime_type`, `format`) only when they show none."""
        sniffed = sniff_mime(data)
        family = self.family
        if sniffed is not None and (not family or sniffed.startswith(family + "/")):
            return sniffed
        what = _shown_name(name) or type(self).__name__.lower()
        if sniffed is not None:
            raise UsageError(
                f"{where}: {what} holds {sniffed}, not {_a(family)}; pass it as {_class_for(sniffed)}(...) instead"
            )
        declared = self._declared()
        if declared is not None and declared.startswith(family + "/"):
            return declared
        raise UsageError(
            f"{where}: cannot tell what {what} is from its content; this library recognises "
            f"{self._recognised()} — set mime_type= if the provider accepts another type"
        )

    def _declared(self) -> str | None:
        if self.mime_type:
            return self.mime_type.split(";")[0].strip().lower()
        if self.format:
            return mimetypes.guess_type("x." + self.format.lower().lstrip("."))[0]
        return None

    def _recognised(self) -> str:
        """The types of this class the sniffer knows, for the message when content is none of them."""
        raise NotImplementedError


@dataclass(kw_only=True)
class Image(_Media):
    """An image: `Image(filepath="photo.png")`, `Image(url="https://…")` or `Image(content=png_bytes)`.

    `detail` (`auto`, `low`, `high`, `original`) is always sent: OpenRouter's schema requires it; the default
    is `auto`.
    """

    detail: str | None = None

    family: ClassVar[str] = "image"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.detail is not None and self.detail not in _IMAGE_DETAILS:
            raise UsageError(f"Image(detail=...) must be one of {', '.join(_IMAGE_DETAILS)}, got {_shown(self.detail)}")

    def _remote(self, where: str, url: str) -> Attachment:
        return Attachment(self._part(url), _shown_url(url), 0)

    def _inline_part(self, mime: str, data: bytes, name: str | None) -> dict[str, Any]:
        return self._part(data_url(mime, data))

    def _part(self, url: str) -> dict[str, Any]:
        return {"type": "input_image", "detail": self.detail or "auto", "image_url": url}

    def _recognised(self) -> str:
        return "png, jpeg, gif, webp, avif and heic"


@dataclass(kw_only=True)
class Audio(_Media):
    """A sound clip: `Audio(filepath="note.wav")` or `Audio(content=mp3_bytes)`, sent as `input_audio`.

    OpenRouter's Responses API takes wav and mp3, as base64 (it fetches no audio URLs).
    """

    family: ClassVar[str] = "audio"

    def _remote(self, where: str, url: str) -> Attachment:
        raise UsageError(
            f"{where}: OpenRouter does not fetch audio from URLs; download it and pass Audio(filepath=...) "
            "or Audio(content=...)"
        )

    def _mime(self, where: str, data: bytes, name: str | None) -> str:
        mime = super()._mime(where, data, name)
        if mime not in _AUDIO_FORMATS:
            raise UsageError(
                f"{where}: {_shown_name(name) or 'the audio'} is {mime}; OpenRouter's Responses API accepts "
                "wav and mp3 audio (convert it, e.g. with ffmpeg)"
            )
        return mime

    def _declared(self) -> str | None:
        fmt = (self.format or "").lower()
        return {"wav": "audio/wav", "mp3": "audio/mpeg"}.get(fmt) or super()._declared()

    def _inline_part(self, mime: str, data: bytes, name: str | None) -> dict[str, Any]:
        encoded = base64.b64encode(data).decode("ascii")
        return {"type": "input_audio", "input_audio": {"data": encoded, "format": _AUDIO_FORMATS[mime]}}

    def _recognised(self) -> str:
        return "wav and mp3"


@dataclass(kw_only=True)
class Video(_Media):
    """A video: `Video(url="https://…")`, `Video(filepath="clip.mp4")` or `Video(content=...)`, sent as
    `input_video` (a URL, or the bytes as a data URL)."""

    family: ClassVar[str] = "video"

    def _remote(self, where: str, url: str) -> Attachment:
        return Attachment({"type": "input_video", "video_url": url}, _shown_url(url), 0)

    def _inline_part(self, mime: str, data: bytes, name: str | None) -> dict[str, Any]:
        return {"type": "input_video", "video_url": data_url(mime, data)}

    def _recognised(self) -> str:
        return "mp4, webm and mov"


@dataclass(kw_only=True)
class File(_Media):
    """A document: `File(filepath="report.pdf")`, `File(url="https://…/report.pdf")` or
    `File(content=..., filename="notes.md")`, sent as `input_file` with its `filename`.

    `content` may be text (sent as UTF-8), as agno allows. Plain text keeps a more precise declared text type
    (`text/markdown`, `text/csv`); any other type is the one the bytes show.
    """

    content: bytes | str | None = field(default=None, repr=False)  # type: ignore[assignment]
    filename: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        for key, value in (("filename", self.filename), ("name", self.name)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise UsageError(f"File({key}=...) must be a non-empty file name, got {_shown(value)}")

    def _content_bytes(self, content: object) -> bytes:
        return content.encode() if isinstance(content, str) else super()._content_bytes(content)

    def _local(self, where: str) -> tuple[bytes, str | None]:
        data, name = super()._local(where)
        return data, self.filename or self.name or name

    def _remote(self, where: str, url: str) -> Attachment:
        filename = self.filename or self.name or url.split("?")[0].rstrip("/").rpartition("/")[2] or "file"
        return Attachment({"type": "input_file", "file_url": url, "filename": filename}, _shown_url(url), 0)

    def _mime(self, where: str, data: bytes, name: str | None) -> str:
        sniffed = sniff_mime(data)
        declared = self._declared() or (mimetypes.guess_type(name)[0] if name else None)
        if (
            sniffed == "text/plain"
            and declared
            and (declared.startswith("text/") or declared.endswith(("json", "xml")))
        ):
            return declared
        return sniffed or declared or "application/octet-stream"

    def _inline_part(self, mime: str, data: bytes, name: str | None) -> dict[str, Any]:
        filename = name or "file" + (mimetypes.guess_extension(mime) or "")
        return {"type": "input_file", "filename": filename, "file_data": data_url(mime, data)}


def _read_file(where: str, path: Path) -> bytes:
    """The file's bytes; a missing, unreadable, special or oversized file is refused before reading it whole
    (a FIFO or /dev/zero would never end)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UsageError(f"{where}: no such file: {_shown_path(path)}") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise UsageError(
            f"{where}: cannot read {_shown_path(path)} ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise UsageError(f"{where}: {_shown_path(path)} is {kind}")
    _check_size(where, info.st_size, _shown_path(path))
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{where}: cannot read {_shown_path(path)} ({exc.strerror or exc})") from None
    _check_size(where, len(data), _shown_path(path))
    return data


def _check_size(where: str, size: int, what: str) -> None:
    """Refuse content that is empty or too large to send inline."""
    if size == 0:
        raise UsageError(f"{where}: {what} is empty")
    if size > MAX_FILE_BYTES:
        raise UsageError(
            f"{where}: {what} is {human_size(size)}; an inline attachment may be at most {human_size(MAX_FILE_BYTES)}"
            f" ({human_size(MAX_INLINE_BYTES)} as base64, the most providers accept inline) — pass url= instead"
        )


def _shown_path(path: Path) -> str:
    """The path quoted, its start cut when long: the file name at its end is what tells files apart."""
    text = str(path)
    return repr(text if len(text) <= 120 else "..." + text[-117:])


def _shown_url(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


def _shown_name(name: str | None) -> str:
    return repr(name) if name else ""


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _a(family: str) -> str:
    return "an image" if family == "image" else f"{family}"


def _class_for(mime: str) -> str:
    family = mime.partition("/")[0]
    return {"image": "Image", "audio": "Audio", "video": "Video"}.get(family, "File")
