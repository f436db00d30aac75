"""JSON from the network, made safe to hold: every value the server sends may be hostile.

`loads` is the one way `wire` and `models` read JSON bytes. It turns `NaN`/`Infinity` into None (Python's
`json` accepts them, but they would break the next request body, the session store and arithmetic), lone
UTF-16 surrogates into U+FFFD (they cannot be printed, encoded or stored), and runaway nesting into a
`ValueError` like any other malformed JSON (instead of a `RecursionError`). The common case costs a UTF-8
decode and two substring searches around the C parser: the scrub runs only when a `\\ud…` escape is present.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["loads", "scrub_text"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(data: bytes) -> Any:
    """Parse JSON text; raises `ValueError` for anything that is not (including nesting too deep to parse)."""
    # Strict UTF-8 with replacement: raw surrogate bytes (ED A0..BF ..), which `json.loads(bytes)` would let
    # through, become U+FFFD like any other invalid byte. Valid text, Hangul included, is unchanged.
    text = data.decode("utf-8", "replace")
    try:
        # The common case, one event's compact JSON, in one documented call; anything else (a BOM, whitespace
        # around the value, trailing data, invalid or too deeply nested JSON) takes the full path below.
        value, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        end = -1
    if end != len(text):
        value = _decode(text)
    if "\\ud" in text or "\\uD" in text:
        value = _scrub(value)
    return value


def _decode(text: str) -> Any:
    """The full parse: a leading BOM dropped, whitespace around the value allowed, errors named."""
    if text[:1] == "\ufeff":
        text = text[1:]
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply to parse") from None


def scrub_text(text: str) -> str:
    """`text` with lone surrogates replaced by U+FFFD (and escaped pairs joined), so it encodes as UTF-8."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _no_constant(name: str) -> None:
    """`NaN`, `Infinity`, `-Infinity` are not JSON numbers: read them as absent."""
    return None


#: One decoder for every call: `json.loads` with any option builds a new one each time, per event.
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _scrub(value: Any) -> Any:
    """Replace lone surrogates in every string of a parsed document (iteratively: nesting may be deep)."""
    if isinstance(value, str):
        return scrub_text(value)
    root = [value]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        keys = range(len(node)) if isinstance(node, list) else list(node)
        for key in keys:
            item = node[key]
            if isinstance(item, str):
                node[key] = scrub_text(item)
            elif isinstance(item, (list, dict)):
                stack.append(item)
            if isinstance(key, str) and _SURROGATE.search(key):
                node[scrub_text(key)] = node.pop(key)
    return root[0]
