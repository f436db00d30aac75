"""A session store's file is hostile or unusable: damaged, truncated, not SQLite, a FIFO, a directory,
read-only, full. Every case ends in the right answer or a `SessionStoreError` naming the file and what to do,
never a raw `sqlite3` error, never a hang, and never a change to a file that is not ours.

Read-only cases need a user who really cannot write: as root (who can write anything), the reads run in a
forked child that has dropped to `nobody`.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from routerkit.agent import Agent
from routerkit.db import RUN_STATUSES, SCHEMA_VERSION, SessionStoreError, SqliteDb
from routerkit.errors import UsageError

pytestmark = pytest.mark.timeout(20)  # a FIFO opened the wrong way blocks forever: fail fast, count a hang

NOBODY = 65534


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def fill(db_file: Path, runs: int = 3, size: int = 100) -> None:
    with SqliteDb(db_file) as db:
        for i in range(runs):
            db.start_run("s", f"r{i}", [user(f"question {i} " + "x" * size)])
            db.finish_run(
                "s",
                f"r{i}",
                status="completed",
                output_items=[{"type": "message", "role": "assistant", "content": "y" * size}],
                content=f"answer {i}",
                model="m",
                metrics={"cost": 0.5},
            )


def store_error(db_file: Path, call: Callable[[], object], *words: str) -> SessionStoreError:
    """``call`` must raise a SessionStoreError that names ``db_file`` and says ``words``."""
    with pytest.raises(SessionStoreError) as info:
        call()
    error = info.value
    assert not isinstance(error, sqlite3.Error)
    assert error.path == str(db_file) and str(db_file) in str(error), str(error)
    for word in words:
        assert word in str(error), str(error)
    return error


# -- damaged files -----------------------------------------------------------------------------------------


def _damaged(kind: str, db_file: Path) -> None:
    if kind == "text file":
        db_file.write_text("notes I keep next to my agent\n" * 200)
        return
    if kind == "random bytes":
        db_file.write_bytes(random.Random(1).randbytes(8192))
        return
    fill(db_file, runs=30, size=20_000)
    data = bytearray(db_file.read_bytes())
    if kind == "truncated":
        del data[len(data) // 3 :]
    elif kind == "damaged header":
        data[:100] = random.Random(2).randbytes(100)
    elif kind == "damaged page":
        middle = len(data) // 2
        data[middle : middle + 4096] = random.Random(3).randbytes(4096)
    db_file.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["text file", "random bytes", "truncated", "damaged header", "damaged page"])
def test_a_damaged_file_is_reported_not_rewritten(tmp_path: Path, kind: str, fault_record: Any) -> None:
    db_file = tmp_path / "agent.db"
    _damaged(kind, db_file)
    before = db_file.read_bytes()
    with SqliteDb(db_file) as db:
        store_error(db_file, lambda: db.get_runs("s"), "damaged", "db_file")
        store_error(db_file, db.list_sessions, "damaged")
        if kind != "damaged page":  # a write may land on intact pages; then it simply works
            store_error(db_file, lambda: db.start_run("s", "new", [user("hi")]), "damaged")
            assert db_file.read_bytes() == before  # somebody's file is never overwritten
    fault_record.surfaced = True


def test_an_empty_file_is_a_new_database(tmp_path: Path, fault_record: Any) -> None:
    db_file = tmp_path / "agent.db"
    db_file.touch()
    fill(db_file, runs=1)
    with SqliteDb(db_file) as db:
        assert [r.content for r in db.get_runs("s")] == ["answer 0"]
    fault_record.surfaced = True


@pytest.mark.parametrize(
    "edit",
    [
        "input_items = '[{\"role\": '",
        'output_items = \'{"not": "a list"}\'',
        "metrics = 'NaN'",
        "content = X'00ff'",
        "created_at = 'yesterday'",
        "input_items = '" + "[" * 100_000 + "]" * 100_000 + "'",
    ],
    ids=["broken json", "object for list", "nan metrics", "blob content", "text timestamp", "deep nesting"],
)
def test_a_damaged_row_is_reported_and_the_rest_still_lists(tmp_path: Path, edit: str, fault_record: Any) -> None:
    db_file = tmp_path / "agent.db"
    fill(db_file, runs=2)
    conn = sqlite3.connect(db_file)  # another program edits the file behind routerkit's back
    conn.execute(f"UPDATE routerkit_runs SET {edit} WHERE run_id = 'r0'")
    conn.commit()
    conn.close()
    with SqliteDb(db_file) as db:
        store_error(db_file, lambda: db.get_runs("s"), "'r0'", "damaged")
        [info] = db.list_sessions()
        assert info.runs == 2 and info.total_cost in (0.5, 1.0)
        assert [r.run_id for r in db.get_runs("s", limit=1)] == ["r1"]  # the intact run is still replayed
    fault_record.surfaced = True


def test_costs_that_are_not_finite_numbers_count_as_zero(tmp_path: Path, fault_record: Any) -> None:
    db_file = tmp_path / "agent.db"
    fill(db_file, runs=3)
    conn = sqlite3.connect(db_file)
    conn.execute("""UPDATE routerkit_runs SET metrics = '{"cost": 1e999}' WHERE run_id = 'r0'""")
    conn.execute(f"""UPDATE routerkit_runs SET metrics = '{{"cost": {10**400}}}' WHERE run_id = 'r1'""")
    conn.commit()
    conn.close()
    with SqliteDb(db_file) as db:
        [info] = db.list_sessions()
    assert info.total_cost == 0.5
    fault_record.surfaced = True


def test_an_agent_on_a_damaged_file_fails_before_any_request(
    tmp_path: Path, emu: Any, make_model: Any, fault_record: Any
) -> None:
    db_file = tmp_path / "agent.db"
    _damaged("text file", db_file)
    sent = len(emu.requests)
    agent = Agent(model=make_model(), db=SqliteDb(db_file), session_id="s", add_history_to_context=True)
    store_error(db_file, lambda: agent.run("hello"), "damaged")
    assert len(emu.requests) == sent
    fault_record.surfaced = True


# -- not a regular file --------------------------------------------------------------------------------------


def test_a_fifo_is_refused_without_blocking(tmp_path: Path, fault_record: Any) -> None:
    db_file = tmp_path / "agent.db"
    os.mkfifo(db_file)
    fault_record.hang = True  # until the calls return: a case killed by the timeout counts as a hang
    with SqliteDb(db_file) as db:
        store_error(db_file, lambda: db.get_runs("s"), "FIFO", "db_file")
        store_error(db_file, lambda: db.start_run("s", "r", []), "FIFO")
    fault_record.hang = False
    assert stat.S_ISFIFO(os.stat(db_file).st_mode)
    fault_record.surfaced = True


def test_a_path_that_became_a_directory_is_refused(tmp_path: Path, fault_record: Any) -> None:
    db_file = tmp_path / "agent.db"
    db = SqliteDb(db_file)
    db_file.mkdir()
    store_error(db_file, db.list_sessions, "directory", "db_file")
    with pytest.raises(UsageError, match="directory"):  # given a directory up front, the argument is refused
        SqliteDb(db_file)
    fault_record.surfaced = True


# -- read-only -----------------------------------------------------------------------------------------------


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory outside pytest's private tmp tree, so that `nobody` can reach it."""
    path = Path(tempfile.mkdtemp(prefix="routerkit-ro-"))
    path.chmod(0o755)
    yield path
    for child in [path, *path.rglob("*")]:
        if child.is_dir():
            child.chmod(0o755)
    shutil.rmtree(path)


def as_reader(check: Callable[[], None]) -> None:
    """Run ``check`` as a user without write access to the test's files (``nobody`` in a child, if root)."""
    if os.geteuid() != 0:
        check()
        return
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            check()
            code = 0
        except BaseException:
            os.write(write_end, traceback.format_exc().encode())
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as report:
        failure = report.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, failure


def _reads_work_and_writes_are_refused(db_file: Path, why: str) -> None:
    with SqliteDb(db_file) as db:
        runs = db.get_runs("s", statuses=RUN_STATUSES)
        assert [(r.run_id, r.content) for r in runs] == [(f"r{i}", f"answer {i}") for i in range(3)]
        assert db.get_runs("s", limit=1)[0].input_items == [user("question 2 " + "x" * 100)]
        [info] = db.list_sessions()
        assert (info.runs, info.total_cost) == (3, 1.5)
        store_error(db_file, lambda: db.start_run("s", "new", [user("hi")]), "read-only", why, "db_file")
        store_error(db_file, lambda: db.delete_session("s"), "read-only")


@pytest.mark.parametrize("name", ["agent.db", "my agent ?#%&=.db"])  # the read-only open goes through a URI
def test_a_file_in_a_read_only_directory_is_read(shared_dir: Path, name: str, fault_record: Any) -> None:
    db_file = shared_dir / name
    fill(db_file)  # closed cleanly: no -wal or -shm file is left, and none can be created now
    assert [p.name for p in shared_dir.iterdir()] == [name]
    shared_dir.chmod(0o555)
    as_reader(lambda: _reads_work_and_writes_are_refused(db_file, "directory is not writable"))
    assert [p.name for p in shared_dir.iterdir()] == [name]
    fault_record.surfaced = True


def test_a_read_only_directory_with_a_live_wal_is_read(shared_dir: Path, fault_record: Any) -> None:
    db_file = shared_dir / "agent.db"
    with SqliteDb(db_file) as writer:  # still open: its last commits are only in the -wal file
        fill(db_file)
        writer.list_sessions()
        assert (shared_dir / "agent.db-wal").exists()
        shared_dir.chmod(0o555)
        try:
            as_reader(lambda: _reads_work_and_writes_are_refused(db_file, "not writable"))
        finally:
            shared_dir.chmod(0o755)
    fault_record.surfaced = True


def test_a_read_only_file_is_read(shared_dir: Path, fault_record: Any) -> None:
    db_file = shared_dir / "agent.db"
    fill(db_file)
    db_file.chmod(0o444)
    shared_dir.chmod(0o777)  # the directory is writable for everyone; only the file is not
    as_reader(lambda: _reads_work_and_writes_are_refused(db_file, "file is not writable"))
    fault_record.surfaced = True


def test_a_new_file_in_a_read_only_directory_is_refused(shared_dir: Path, fault_record: Any) -> None:
    db_file = shared_dir / "agent.db"
    shared_dir.chmod(0o555)

    def check() -> None:
        with SqliteDb(db_file) as db:
            store_error(db_file, db.list_sessions, "not writable", "db_file")
            store_error(db_file, lambda: db.start_run("s", "r", []), "not writable")

    as_reader(check)
    assert not db_file.exists()
    fault_record.surfaced = True


# -- limits of the disk and of SQLite ----------------------------------------------------------------------


def test_a_full_disk_is_reported_and_nothing_half_written(tmp_path: Path, fault_record: Any) -> None:
    db_file = tmp_path / "agent.db"
    fill(db_file, runs=1)
    with SqliteDb(db_file) as db:
        db.list_sessions()
        assert db._conn is not None
        # A full disk cannot be had here; SQLite reports a page cap the same way (SQLITE_FULL).
        pages = db._conn.execute("PRAGMA page_count").fetchone()[0]
        db._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        store_error(db_file, lambda: db.start_run("s", "big", [user("z" * 200_000)]), "full")
        assert [r.run_id for r in db.get_runs("s", statuses=RUN_STATUSES)] == ["r0"]
        db.start_run("s", "small", [user("fits")])  # the store is still usable
    fault_record.surfaced = True


def test_a_value_over_sqlites_size_limit_is_reported(tmp_path: Path, fault_record: Any) -> None:
    db_file = tmp_path / "agent.db"
    with SqliteDb(db_file) as db:
        db.start_run("s", "r", [user("hi")])
        assert db._conn is not None
        # SQLite's limit is 1 GB by default, too much to allocate on a shared test machine; lower it instead.
        db._conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 100_000)
        store_error(
            db_file,
            lambda: db.finish_run(
                "s", "r", status="completed", output_items=[], content="c" * 200_000, model=None, metrics={}
            ),
            "too large",
        )
        [run] = db.get_runs("s", statuses=RUN_STATUSES)
        assert run.status == "running"  # nothing was half-written
    fault_record.surfaced = True


_V1_TABLE = """CREATE TABLE routerkit_runs (
    session_id TEXT NOT NULL, seq INTEGER NOT NULL, run_id TEXT NOT NULL, status TEXT NOT NULL,
    input_items TEXT NOT NULL, output_items TEXT NOT NULL DEFAULT '[]', content TEXT, model TEXT,
    metrics TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (session_id, seq), UNIQUE (session_id, run_id))"""


def _v1_file(db_file: Path) -> None:
    """A file as routerkit's schema version 1 wrote it (before runs had a user_id), with one run."""
    conn = sqlite3.connect(db_file)
    with conn:
        conn.execute(_V1_TABLE)
        conn.execute(
            "INSERT INTO routerkit_runs VALUES "
            "('s', 1, 'r1', 'completed', ?, '[]', 'old', 'openai/gpt-4o', '{}', 1, 2)",
            ('[{"role": "user", "content": "old question"}]',),
        )
    conn.execute("PRAGMA user_version = 1")
    conn.close()


def test_a_version_1_file_gains_user_ids_and_keeps_its_runs(tmp_path: Path) -> None:
    db_file = tmp_path / "v1.db"
    _v1_file(db_file)
    with SqliteDb(db_file) as store:
        (old,) = store.get_runs("s")
        assert old.content == "old" and old.user_id is None
        store.start_run("s", "r2", [{"role": "user", "content": "new"}], user_id="ava")
        assert [run.user_id for run in store.get_runs("s", statuses=("completed", "running"))] == [None, "ava"]
    conn = sqlite3.connect(db_file)
    assert conn.execute("PRAGMA user_version").fetchall() == [(SCHEMA_VERSION,)] == [(2,)]
    conn.close()


def test_a_read_only_version_1_file_is_read_without_users(shared_dir: Path) -> None:
    db_file = shared_dir / "v1.db"
    _v1_file(db_file)
    db_file.chmod(0o444)
    shared_dir.chmod(0o555)

    def check() -> None:
        with SqliteDb(db_file) as store:
            assert [run.content for run in store.get_runs("s")] == ["old"]
            assert store.get_runs("s", user_id="ava") == []
            assert [info.user_id for info in store.list_sessions()] == [None]
            assert store.list_sessions(user_id="ava") == []

    as_reader(check)
