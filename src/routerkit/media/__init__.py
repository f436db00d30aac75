"""Images, audio, video and files for a run, with agno's classes: `Image`, `Audio`, `Video`, `File`.

```python
from routerkit.media import File, Image

agent.run("What is in this picture?", images=[Image(filepath="photo.png")])
agent.run("Summarise this.", files=[File(filepath="report.pdf")])
```

Each becomes an OpenRouter content part of the user's message: `input_image` (a URL, or the bytes as a data
URL, with `detail`), `input_file` (`file_url` or `file_data`, with `filename`), `input_audio` (base64 wav or
mp3) or `input_video` (a URL or a data URL). The type sent is the one the content's bytes show, not the file
name's. A missing, unreadable, empty or oversized file (see `MAX_FILE_BYTES`) is a `UsageError` before any
request. `from_source(path_or_url)` picks the class for you. This module is loaded only when media is used.
"""

from ._attach import from_source
from ._classes import MAX_FILE_BYTES, MAX_INLINE_BYTES, Audio, File, Image, Video

__all__ = ["MAX_FILE_BYTES", "MAX_INLINE_BYTES", "Audio", "File", "Image", "Video", "from_source"]
