"""Session storage: conversation history kept client-side, since the Responses API is stateless.

``from routerkit.db.sqlite import SqliteDb`` works as in agno; the names are also available here.
"""

from routerkit.db.base import (
    FINAL_STATUSES,
    RUN_STATUSES,
    SessionInfo,
    SessionStore,
    SessionStoreError,
    StoredRun,
)
from routerkit.db.memory import InMemoryDb
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
