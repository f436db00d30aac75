"""The inbox: turns waiting to be filed into the log and the session store, one JSON line each.

Writing a turn straight into the two SQLite files cost `ask` about 7 ms of CPU (two databases opened, two
commits) and, at exit, an fsync of each; appending a line costs a tenth of a millisecond. Every command that
reads the log or the sessions files what is waiting first, so a turn can be found the moment `ask` has exited.

The file is locked while a line is written and while it is filed, so lines never interleave and nothing is
appended to a file that is being emptied. A line cut short (its writer died mid-write) is never joined to the
next one: the next writer starts on a new line, and filing sets the fragment apart instead of losing it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["FILE_AFTER", "INBOX_FILE", "file_inbox", "post"]

INBOX_FILE = "inbox.jsonl"

#: Filing is left to the next command that reads the log until the inbox holds this many bytes (about 200
#: turns); then the writer files it, so a user who only ever runs `ask` keeps a small inbox, and no one
#: command waits long for filing (200 turns take ~0.1 s; the cost per turn is ~0.4 ms however they are filed).
FILE_AFTER = 256 << 10

_CHUNK = 1 << 20
_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise write "\r\n" for "\n"


def _lock(fd: int) -> None:
    """Hold the inbox's lock until `fd` is closed (on Windows, until :func:`_unlock`)."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # the first byte stands for the file, even while it is empty
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _line(record: dict[str, Any]) -> bytes:
    """`record` as one line of JSON; a lone surrogate (from undecodable input) is kept as an escape."""
    try:
        return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(record, separators=(",", ":")) + "\n").encode("ascii")


def post(path: Path, record: dict[str, Any]) -> bool:
    """Append `record` to the inbox at `path` as one line; return whether the inbox has just grown past another
    :data:`FILE_AFTER` bytes, so the caller should file it. (Past each step, not every time past the first:
    while a store cannot be used, each `ask` would otherwise read the whole inbox again, and fail again.)

    `OSError` when the file cannot be written (a read-only or full disk): the caller says the turn was not kept.
    """
    data = _line(record)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _BINARY, 0o600)
    try:
        _lock(fd)
        try:
            size = os.fstat(fd).st_size
            if size:
                os.lseek(fd, size - 1, os.SEEK_SET)
                if os.read(fd, 1) != b"\n":  # a writer died mid-line: do not join its fragment to this line
                    data = b"\n" + data
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            return (size + len(data)) // FILE_AFTER > size // FILE_AFTER
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, _CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def file_inbox(path: Path, file: Callable[[list[dict[str, Any]]], list[int]]) -> int:
    """Hand every record waiting at `path` to `file`, then empty the inbox; return how many lines were set apart.

    `file` stores the records and returns the indexes of those it refused. Lines that are not records, and
    refused ones, are appended to `<path>.rejected` rather than lost. If `file` raises, the inbox is left as
    it was, to be filed by a later command.
    """
    try:
        if os.stat(path).st_size == 0:
            return 0
    except FileNotFoundError:
        return 0
    fd = os.open(path, os.O_RDWR | _BINARY)
    try:
        _lock(fd)
        try:
            *lines, tail = _read_all(fd).split(b"\n")  # tail: empty, or the fragment of a writer that died
            kept: list[bytes] = []
            records: list[dict[str, Any]] = []
            rejected: list[bytes] = []
            for line in lines:
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    record = None
                if isinstance(record, dict):
                    kept.append(line)
                    records.append(record)
                elif line.strip():
                    rejected.append(line)
            if records:
                rejected += [kept[index] for index in sorted(set(file(records)))]
            if tail.strip():
                rejected.append(tail)
            if rejected:
                with open(f"{path}.rejected", "ab") as aside:
                    aside.write(b"".join(line + b"\n" for line in rejected))
            os.ftruncate(fd, 0)
            return len(rejected)
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
