"""Text made encodable where it enters the agent.

A Python `str` may hold lone surrogates (`os.fsdecode(b"\\xff")`, a `\\udcff` escape in JSON from the
network). UTF-8 cannot encode them, so one such character in a tool result, in the instructions or in a
stored run would make every later request of the session fail. They become U+FFFD on the way in.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, cast

__all__ = ["encodable"]

T = TypeVar("T")

_encode = json.JSONEncoder(ensure_ascii=False).encode
"""`json.dumps(value, ensure_ascii=False)` without building an encoder per call (every response passes here)."""


def encodable(value: T) -> T:
    """`value` with every lone surrogate in its strings (inside dicts and lists too) replaced by U+FFFD.

    `value` itself when nothing needs replacing (the common case, checked by the C JSON encoder rather than
    a walk in Python); otherwise a cleaned copy.
    """
    if isinstance(value, str):
        return cast(T, _clean(value))
    try:
        _encode(value).encode()
    except (UnicodeEncodeError, TypeError, ValueError):
        return cast(T, _clean(value))
    return value


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # Through UTF-16: a surrogate pair written as two escapes becomes its character again.
            return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return value
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
