"""Another connection holding a SQLite database's write lock, as a second process would."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

__all__ = ["hold_write_lock"]


def hold_write_lock(db_file: Path, release: threading.Event) -> threading.Thread:
    """Take the write lock from another connection (returns once it is held); let it go when `release` is set."""
    locked = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(db_file, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(30)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(5)
    return thread
