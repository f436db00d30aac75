"""Session storage: conversation history kept client-side, since the Responses API is stateless.

``from routerkit.db.sqlite import SqliteDb`` works as in agno; the names are also available here. ``SqliteDb``
is loaded on first use: an agent with the default in-memory store never imports ``sqlite3`` (~8 ms).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from routerkit.db.base import (
    FINAL_STATUSES,
    RUN_STATUSES,
    SessionInfo,
    SessionStore,
    SessionStoreError,
    StoredRun,
)
from routerkit.db.memory import InMemoryDb

if TYPE_CHECKING:
    from routerkit.db.sqlite import SCHEMA_VERSION, SqliteDb

__all__ = [
    "FINAL_STATUSES",
    "RUN_STATUSES",
    "SCHEMA_VERSION",
    "InMemoryDb",
    "SessionInfo",
    "SessionStore",
    "SessionStoreError",
    "SqliteDb",
    "StoredRun",
]


def __getattr__(name: str) -> Any:
    if name not in ("SqliteDb", "SCHEMA_VERSION"):
        raise AttributeError(f"module 'routerkit.db' has no attribute {name!r}")
    from routerkit.db import sqlite

    value = getattr(sqlite, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
