"""MCP tool results as the text a Responses model reads in `function_call_output`.

Text blocks are passed as they are; structured content, when no text came with it, as JSON; images, audio
and binary resources cannot travel in a function call's output here, so the model is told what arrived
(kind, MIME type, size) and the full result stays in `ToolResult.value`. Whatever the server sends, the
text is capped at `MAX_OUTPUT_CHARS`.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_OUTPUT_CHARS", "result_text"]

MAX_OUTPUT_CHARS = 100_000
"""About 25k tokens: more than any model should be handed from one tool call."""


def result_text(result: Any) -> tuple[str, bool]:
    """The text for the model and whether the server flagged the result as an error (`is_error`)."""
    blocks = getattr(result, "content", None) or []
    parts = [_block_text(block) for block in blocks]
    structured = getattr(result, "structured_content", None)
    if structured is not None and not any(getattr(b, "type", None) == "text" for b in blocks):
        parts.append(_json(structured))
    text = "\n".join(parts)
    if len(text) > MAX_OUTPUT_CHARS:
        text = text[:MAX_OUTPUT_CHARS] + f"\n[truncated: the tool returned {len(text):,} characters]"
    return text, bool(getattr(result, "is_error", False))


def _block_text(block: Any) -> str:
    kind = getattr(block, "type", None)
    if kind == "text":
        return str(block.text)
    if kind in ("image", "audio"):
        return f"[{kind} {block.mime_type}, {_decoded_size(block.data):,} bytes: not shown to the model]"
    if kind == "resource_link":
        return f"[resource {block.uri} ({block.mime_type or 'unknown type'})]"
    if kind == "resource":
        resource = block.resource
        text = getattr(resource, "text", None)
        if isinstance(text, str):
            return text
        size = _decoded_size(getattr(resource, "blob", ""))
        return f"[resource {resource.uri} ({resource.mime_type or 'binary'}), {size:,} bytes: not shown to the model]"
    return f"[{kind or 'unknown'} content]"


def _decoded_size(data: object) -> int:
    """The size of base64 `data` once decoded, without decoding it."""
    if not isinstance(data, str):
        return 0
    return len(data) * 3 // 4 - data[-2:].count("=")


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return str(value)[:MAX_OUTPUT_CHARS]
