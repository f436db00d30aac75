"""The log of every `ask` and `chat` turn: one SQLite file, with an FTS5 index for `routerkit logs -q`.

A row is written once, after the turn is shown, so logging costs the user no waiting. When this Python's
SQLite lacks FTS5 (rare; it is in every CPython build of the last years), search falls back to LIKE.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._entry import FIELDS, Entry

__all__ = ["Logbook", "parse_since"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS logs(
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    command TEXT NOT NULL,
    session_id TEXT,
    prompt TEXT NOT NULL,
    system TEXT,
    attachments TEXT NOT NULL DEFAULT '[]',
    answer TEXT,
    reasoning TEXT,
    model_requested TEXT NOT NULL,
    model_served TEXT,
    reasoning_setting TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    cost REAL,
    duration REAL,
    status TEXT NOT NULL,
    error TEXT,
    uid TEXT
);
CREATE INDEX IF NOT EXISTS logs_created ON logs(created_at);
"""
_FTS = """
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5(
    prompt, answer, reasoning, system, content='logs', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS logs_ai AFTER INSERT ON logs BEGIN
    INSERT INTO logs_fts(rowid, prompt, answer, reasoning, system)
    VALUES (new.id, new.prompt, new.answer, new.reasoning, new.system);
END;
CREATE TRIGGER IF NOT EXISTS logs_ad AFTER DELETE ON logs BEGIN
    INSERT INTO logs_fts(logs_fts, rowid, prompt, answer, reasoning, system)
    VALUES ('delete', old.id, old.prompt, old.answer, old.reasoning, old.system);
END;
"""
_COLUMNS = [name for name in FIELDS if name != "id"]

#: 2 added `uid`: the inbox's name for a turn, so filing a turn twice (after a crash) stores it once.
_VERSION = 2


def _text(value: str | None) -> str | None:
    """Text SQLite can store: lone surrogates (from invalid input) become U+FFFD. The pattern is compiled only
    when one is there: compiling it on import was a tenth of what logging an `ask` costs."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", "\ufffd", value)
    return value


def _entry(row: sqlite3.Row) -> Entry:
    values = dict(row)
    del values["uid"]  # the inbox's name for the turn, not part of what was said
    values["attachments"] = json.loads(values["attachments"] or "[]")
    return Entry(**values)


_SINCE = r"^(\d+)\s*([mhdw])$"
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str) -> float:
    """`--since`: `30m`, `2h`, `3d`, `1w` ago, or a date `YYYY-MM-DD` (local midnight); epoch seconds."""
    m = re.match(_SINCE, value.strip())
    if m:
        return time.time() - int(m.group(1)) * _UNITS[m.group(2)]
    try:
        return time.mktime(time.strptime(value.strip(), "%Y-%m-%d"))
    except ValueError:
        raise ValueError(f"--since {value!r}: use a duration (30m, 2h, 3d, 1w) or a date (2026-11-30)") from None


class Logbook:
    """The log store at `path` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, timeout=5)
        self.conn.row_factory = sqlite3.Row
        self.fts = True
        if self.conn.execute("PRAGMA user_version").fetchone()[0] != _VERSION:
            self._create()

    def _create(self) -> None:
        with self.conn:
            self.conn.execute("PRAGMA journal_mode=WAL")  # a commit is an append: no fsync of the main file
            self.conn.executescript(_SCHEMA)
            if "uid" not in {row[1] for row in self.conn.execute("PRAGMA table_info(logs)")}:
                self.conn.execute("ALTER TABLE logs ADD COLUMN uid TEXT")  # a version 1 log
            self.conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS logs_uid ON logs(uid)")
            try:
                self.conn.executescript(_FTS)
            except sqlite3.OperationalError:  # no FTS5 in this SQLite: `-q` uses LIKE
                self.fts = False
            self.conn.execute(f"PRAGMA user_version={_VERSION if self.fts else 0}")

    def close(self) -> None:
        self.conn.close()

    def file(self, turns: Sequence[tuple[str, Entry]]) -> int:
        """Store each entry under the inbox's `uid` for its turn, in one transaction; a turn stored already is
        skipped. Return how many were stored."""
        sql = f"INSERT OR IGNORE INTO logs({', '.join(_COLUMNS)}, uid) VALUES ({', '.join('?' * len(_COLUMNS))}, ?)"
        self.conn.execute("PRAGMA synchronous=NORMAL")
        stored = 0
        with self.conn:
            for uid, entry in turns:
                values = [_text(v) if isinstance(v, str) else v for v in (getattr(entry, n) for n in _COLUMNS)]
                values[_COLUMNS.index("attachments")] = _text(json.dumps(entry.attachments, ensure_ascii=False))
                stored += self.conn.execute(sql, [*values, uid]).rowcount
        return stored

    def get(self, entry_id: int) -> Entry | None:
        row = self.conn.execute("SELECT * FROM logs WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row) if row else None

    def delete(self, entry_id: int) -> bool:
        with self.conn:
            return self.conn.execute("DELETE FROM logs WHERE id = ?", (entry_id,)).rowcount > 0

    def delete_session(self, session_id: str) -> int:
        with self.conn:
            return self.conn.execute("DELETE FROM logs WHERE session_id = ?", (session_id,)).rowcount

    def _where(
        self, *, model: str | None, session: str | None, query: str | None, since: float | None
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if model:
            clauses.append("(model_requested = ? OR model_served = ?)")
            params += [model, model]
        if session:
            clauses.append("session_id = ?")
            params.append(session)
        if since is not None:
            clauses.append("created_at >= ?")
            params.append(since)
        if query and query.strip():
            words = _text(query.strip()) or ""
            if self.fts:
                # every word a quoted phrase: user text never hits FTS5's query syntax
                match = " ".join('"' + w.replace('"', '""') + '"' for w in words.split())
                clauses.append("id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)")
                params.append(match)
            else:
                for w in words.split():
                    like = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                    clauses.append(
                        "(prompt LIKE ? ESCAPE '\\' OR answer LIKE ? ESCAPE '\\' OR reasoning LIKE ? ESCAPE '\\')"
                    )
                    params += [like, like, like]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def recent(
        self,
        limit: int | None = 10,
        *,
        model: str | None = None,
        session: str | None = None,
        query: str | None = None,
        since: float | None = None,
    ) -> list[Entry]:
        """The newest `limit` matching entries, oldest first (as a conversation reads)."""
        where, params = self._where(model=model, session=session, query=query, since=since)
        sql = f"SELECT * FROM logs{where} ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_entry(row) for row in reversed(self.conn.execute(sql, params).fetchall())]

    def usage(self, *, since: float | None = None, model: str | None = None) -> Iterator[sqlite3.Row]:
        """Turns, tokens and cost by local day and served model, oldest day first."""
        where, params = self._where(model=model, session=None, query=None, since=since)
        return self.conn.execute(
            f"""SELECT date(created_at, 'unixepoch', 'localtime') AS day,
                       COALESCE(model_served, model_requested) AS model,
                       COUNT(*) AS turns, SUM(input_tokens) AS input_tokens,
                       SUM(output_tokens) AS output_tokens, SUM(reasoning_tokens) AS reasoning_tokens,
                       SUM(COALESCE(cost, 0)) AS cost
                FROM logs{where} GROUP BY day, model ORDER BY day, model""",
            params,
        )

    def last_turn(self, session_id: str) -> Entry | None:
        """The newest logged turn of a session."""
        row = self.conn.execute(
            "SELECT * FROM logs WHERE session_id = ? ORDER BY id DESC LIMIT 1", (session_id,)
        ).fetchone()
        return _entry(row) if row else None

    def last_session(self) -> str | None:
        """The session of the newest logged turn (`ask -c` continues it)."""
        row = self.conn.execute(
            "SELECT session_id FROM logs WHERE session_id IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return str(row[0]) if row else None
