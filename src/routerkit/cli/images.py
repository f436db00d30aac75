"""Writing a run's generated images to a folder (`routerkit ask --save-images DIR`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import EXIT_USAGE, CliError

if TYPE_CHECKING:
    from routerkit.agent.run import GeneratedImage

_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif"}


def save_images(images: Sequence[GeneratedImage], folder: str, run_id: str) -> list[Path]:
    """Write each image with bytes to `folder` (made if missing) as `<run id>-<n>.<ext>`; the paths written.
    An image the model gave only as a URL is listed by its URL instead of downloaded."""
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot create --save-images {folder}: {exc.strerror or exc}", EXIT_USAGE) from None
    written = []
    for n, image in enumerate(images, 1):
        if not image.data:
            continue
        path = target / f"{run_id[:8]}-{n}{_EXTENSIONS.get(image.mime_type, '.img')}"
        path.write_bytes(image.data)
        written.append(path)
    return written
