"""Helpers for the emulator tests: SSE splitting and a streaming POST."""

from __future__ import annotations

import json
from typing import Any

import httpx2

try:  # tests/ is a package (repo root on sys.path) …
    from tests.openapi_schema import validate
except ImportError:  # … or tests/ itself is the rootdir on sys.path
    from openapi_schema import validate  # type: ignore[no-redef]

__all__ = ["AUTH", "sse_events", "sse_frames", "stream", "validate"]

AUTH = {"Authorization": "Bearer test-key"}


def sse_frames(data: bytes) -> list[bytes]:
    """Split an SSE body into frames (without the blank-line separators)."""
    return [f for f in data.split(b"\n\n") if f]


def sse_events(data: bytes) -> list[dict[str, Any]]:
    """The JSON events of an SSE body, ignoring comments, ``event:`` lines and ``[DONE]``."""
    out = []
    for frame in sse_frames(data):
        for line in frame.split(b"\n"):
            if line.startswith(b"data: ") and line != b"data: [DONE]":
                out.append(json.loads(line[6:]))
    return out


def stream(client: httpx2.Client, body: dict[str, Any], **kw: Any) -> tuple[httpx2.Response, bytes]:
    with client.stream("POST", "/responses", json={**body, "stream": True}, **kw) as resp:
        data = b"".join(resp.iter_bytes())
    return resp, data
