"""What output items carry besides text and function calls: citations, generated images, server tool calls.

Read leniently, like the rest of an answer that was already paid for: an annotation without a URL, an
image whose base64 does not decode, a server tool item of an unknown shape are skipped or read as far as
they go, never raised on. Nothing here is decoded twice: a response's images are decoded once, when read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SERVER_TOOL_ITEM_TYPES",
    "Citation",
    "GeneratedImage",
    "ServerToolCall",
    "citation",
    "citations_of",
    "generated_image",
    "is_server_tool_item",
    "server_tool_call",
]

#: OpenAI's hosted-tool items, which OpenRouter passes through; every `openrouter:*` item type is one too.
SERVER_TOOL_ITEM_TYPES = frozenset(
    {
        "web_search_call",
        "file_search_call",
        "image_generation_call",
        "code_interpreter_call",
        "computer_call",
        "local_shell_call",
        "shell_call",
        "mcp_call",
        "mcp_list_tools",
    }
)

#: A data URL's MIME type and payload; images a provider sends as bare base64 are PNG (OpenAI's default).
_DEFAULT_MIME = "image/png"


@dataclass(frozen=True, slots=True)
class Citation:
    """A source the answer cites (a `url_citation` annotation); the indexes locate the cited span in the text."""

    url: str
    title: str | None = None
    start_index: int | None = None
    end_index: int | None = None
    content: str | None = None
    """OpenRouter's excerpt of the page, when it sent one."""


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """An image the model generated: its bytes and MIME type (or only a URL, when that is all it sent)."""

    data: bytes
    mime_type: str
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class ServerToolCall:
    """A tool OpenRouter or the provider ran during the response (a web search, a fetch, the date, …).

    `detail` is what it ran on, for a reader: the search queries, the fetched URL, the image prompt.
    """

    type: str
    id: str | None = None
    status: str | None = None
    detail: str | None = None


def is_server_tool_item(item: Mapping[str, Any]) -> bool:
    kind = item.get("type")
    return isinstance(kind, str) and (kind in SERVER_TOOL_ITEM_TYPES or kind.startswith("openrouter:"))


def citation(annotation: Any) -> Citation | None:
    """The `Citation` of a `url_citation` annotation; None for other annotations and for one without a URL."""
    if not isinstance(annotation, Mapping) or annotation.get("type") != "url_citation":
        return None
    url = annotation.get("url")
    if not isinstance(url, str) or not url:
        return None
    return Citation(
        url=url,
        title=_text(annotation.get("title")),
        start_index=_index(annotation.get("start_index")),
        end_index=_index(annotation.get("end_index")),
        content=_text(annotation.get("content")),
    )


def citations_of(parts: Iterable[Any]) -> list[Citation]:
    """The citations in the annotations of a message's `output_text` parts, in order."""
    found = []
    for part in parts:
        if isinstance(part, (dict, Mapping)) and isinstance(part.get("annotations"), list):
            found += [c for c in map(citation, part["annotations"]) if c is not None]
    return found


def generated_image(item: Mapping[str, Any]) -> GeneratedImage | None:
    """The image of an `image_generation_call` (or `openrouter:image_generation`) item: `result` is a data URL,
    bare base64, or a URL. None when it holds nothing usable."""
    result = item.get("result")
    if not isinstance(result, str) or not result:
        result = item.get("imageB64") or item.get("imageUrl")
    if not isinstance(result, str) or not result:
        return None
    if result.startswith(("https://", "http://")):
        return GeneratedImage(b"", _mime_from_url(result), url=result)
    mime = _DEFAULT_MIME
    if result.startswith("data:"):
        header, _, result = result.partition(",")
        declared = header[5:].split(";", 1)[0].strip().lower()
        mime = declared if declared.startswith("image/") and len(declared) < 64 else _DEFAULT_MIME
    import base64  # only for a response that holds an image
    import binascii

    try:
        data = base64.b64decode(result + "=" * (-len(result) % 4))
    except (binascii.Error, ValueError):
        return None
    return GeneratedImage(data, mime) if data else None


def server_tool_call(item: Mapping[str, Any]) -> ServerToolCall:
    """A server tool item, summed up for a reader."""
    action = item.get("action")
    detail: str | None = None
    if isinstance(action, Mapping):
        queries = action.get("queries")
        if isinstance(queries, list) and all(isinstance(q, str) for q in queries) and queries:
            detail = "; ".join(queries)
        else:
            detail = _text(action.get("query")) or _text(action.get("url"))
    detail = detail or _text(item.get("url")) or _text(item.get("query")) or _text(item.get("prompt"))
    if detail is None and isinstance(item.get("datetime"), str):
        detail = item["datetime"]
    return ServerToolCall(
        type=str(item.get("type")), id=_text(item.get("id")), status=_text(item.get("status")), detail=detail
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _index(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _mime_from_url(url: str) -> str:
    path = url.split("?", 1)[0].lower()
    for ext, mime in ((".jpg", "image/jpeg"), (".jpeg", "image/jpeg"), (".webp", "image/webp"), (".gif", "image/gif")):
        if path.endswith(ext):
            return mime
    return _DEFAULT_MIME
