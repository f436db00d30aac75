"""Server-sent events framing, fed raw bytes.

Theory of operation: an SSE stream is a sequence of blocks separated by a blank line. Each block holds
`field: value` lines; `data` lines carry the payload, `event` names it, and lines starting with `:` are
comments (OpenRouter sends `: OPENROUTER PROCESSING` keep-alives). `SSEDecoder.feed(chunk)` takes bytes split
anywhere (inside a line, inside a UTF-8 character, between the two newlines of a separator) and returns the
complete events those bytes finish; `flush()` returns a final block that was not followed by a blank line.

We decode bytes rather than text so that a split UTF-8 character never needs an incremental decoder, and so
the hot path is a `bytes.find` per event. httpx2's own SSE parser is private and text-based, which is why
this small one exists (the sans-IO `wire` layer must be fed bytes, not a response object).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["MAX_EVENT_BYTES", "SSEDecoder", "SSEEvent", "SSEFramingError"]

#: A single event larger than this is treated as a broken stream rather than buffered forever.
MAX_EVENT_BYTES = 16 * 1024 * 1024


class SSEFramingError(Exception):
    """The byte stream cannot be SSE (an event exceeded `MAX_EVENT_BYTES`)."""


class SSEEvent(NamedTuple):
    event: str
    """The `event:` field, or "message" when the block had none (OpenRouter's framing)."""
    data: bytes
    """The `data:` lines joined by newlines, still encoded (JSON parsers accept bytes)."""


class SSEDecoder:
    """Incremental SSE decoder. One instance per stream."""

    __slots__ = ("_buffer", "_held_cr", "_scanned", "comments")

    def __init__(self) -> None:
        self._buffer = b""
        self._scanned = 0
        self._held_cr = False
        self.comments = 0
        """How many comment lines (keep-alives) were seen; they never become events."""

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if self._held_cr:
            chunk = b"\r" + chunk
            self._held_cr = False
        if b"\r" in chunk:
            if chunk.endswith(b"\r"):
                # The CR may be the first half of a CRLF split across chunks.
                chunk = chunk[:-1]
                self._held_cr = True
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        buffer = self._buffer + chunk if self._buffer else chunk
        events: list[SSEEvent] = []
        start = 0
        find = buffer.find
        # Resume the search where the previous feed stopped, minus one byte for a split separator.
        end = find(b"\n\n", max(self._scanned - 1, 0))
        while end != -1:
            block = buffer[start:end]
            if block.startswith(b"data: ") and b"\n" not in block:
                events.append(SSEEvent("message", block[6:]))
            elif block:
                event = self._parse_block(block)
                if event is not None:
                    events.append(event)
            start = end + 2
            end = find(b"\n\n", start)
        rest = buffer[start:]
        if len(rest) > MAX_EVENT_BYTES:
            raise SSEFramingError(f"a server-sent event exceeded {MAX_EVENT_BYTES} bytes")
        self._buffer = rest
        self._scanned = len(rest)
        return events

    def flush(self) -> list[SSEEvent]:
        """End of stream: decode a last block that had no blank line after it."""
        block = self._buffer.rstrip(b"\n")
        self._buffer = b""
        self._scanned = 0
        self._held_cr = False
        if not block:
            return []
        event = self._parse_block(block)
        return [] if event is None else [event]

    def _parse_block(self, block: bytes) -> SSEEvent | None:
        name = "message"
        data: list[bytes] = []
        for line in block.split(b"\n"):
            if not line:
                continue
            if line.startswith(b":"):
                self.comments += 1
                continue
            field, _, value = line.partition(b":")
            if value.startswith(b" "):
                value = value[1:]
            if field == b"data":
                data.append(value)
            elif field == b"event":
                name = value.decode("utf-8", "replace")
            # `id` and `retry` carry nothing a Responses client needs; unknown fields are ignored per spec.
        if not data:
            return None
        return SSEEvent(name, b"\n".join(data))
