"""`-a/--attach PATH|URL` and `/attach`: files, images, audio and video for a turn, through
`routerkit.media.from_source` (which detects the MIME type from the content), plus what the log keeps of
each (name, kind, MIME type, SHA-256 of a local file — never its bytes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

from ._common import EXIT_USAGE, CliError

__all__ = ["Attachments", "describe", "load_attachments"]

#: media class → the `Agent.run` parameter that takes it.
_PARAMETERS = {"Image": "images", "Audio": "audio", "Video": "videos", "File": "files"}


class MediaArguments(TypedDict, total=False):
    """The media keywords of `Agent.run`."""

    images: list[Any]
    audio: list[Any]
    videos: list[Any]
    files: list[Any]


Attachments = tuple[MediaArguments, list[dict[str, Any]]]


def _sha256(path: Path) -> str:
    import hashlib  # here: only a turn with attachments needs it

    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_attachments(sources: list[str]) -> Attachments:
    """(`Agent.run` keyword arguments, log facts) for `sources`; an unreadable one is a usage error naming
    it, before any request."""
    if not sources:
        return {}, []
    from routerkit.media import from_source

    by_parameter: dict[str, list[Any]] = {}
    facts: list[dict[str, Any]] = []
    for source in sources:
        is_url = source.startswith(("http://", "https://", "data:"))
        try:
            media = from_source(source)
            sha = None if is_url else _sha256(Path(source).expanduser())
        except OSError as exc:
            raise CliError(f"-a {source}: {exc.strerror or exc}", EXIT_USAGE) from None
        parameter = _PARAMETERS.get(type(media).__name__)
        if parameter is None:
            raise CliError(f"-a {source}: not an image, audio, video or file ({type(media).__name__})", EXIT_USAGE)
        by_parameter.setdefault(parameter, []).append(media)
        name = source[:200] if is_url else Path(source).name
        facts.append({"name": name, "kind": parameter, "mime_type": getattr(media, "mime_type", None), "sha256": sha})
    kwargs: MediaArguments = {
        "images": by_parameter.get("images", []),
        "audio": by_parameter.get("audio", []),
        "videos": by_parameter.get("videos", []),
        "files": by_parameter.get("files", []),
    }
    return kwargs, facts


def describe(facts: list[dict[str, Any]]) -> str:
    """`attached: photo.png (image/png), notes.pdf (application/pdf)`."""
    return "attached: " + ", ".join(f"{f['name']} ({f['mime_type'] or f['kind']})" for f in facts)
