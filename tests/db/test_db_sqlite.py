"""What only `SqliteDb` has, in one process: exact round-trips on disk, the file format, refusals, locks.

What every store promises (selection, listing, deletion, threads, surrogates) is in test_store_contract.py,
which runs against `SqliteDb` too."""

from __future__ import annotations

import inspect
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from tests.db._items import add_run, user
from tests.db._lock import hold_write_lock

from routerkit.db import SessionStore, SessionStoreError, StoredRun
from routerkit.db.sqlite import SCHEMA_VERSION, SqliteDb
from routerkit.errors import UsageError

ALL = ("running", "completed", "interrupted", "error")


@pytest.fixture
def db(tmp_path: Path):
    with SqliteDb(db_file=tmp_path / "agent.db") as store:
        yield store


def raw(db_file: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db_file)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# -- round trips -------------------------------------------------------------------------------------------


def test_items_round_trip_exactly(db: SqliteDb) -> None:
    input_items = [
        {"role": "system", "content": "Be brief."},
        user('Grüße, 世界! 🚀 "quotes" \\ back\\slash \n newline \u2028 \x00 nul'),
    ]
    output_items = [
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "Thinking…"}],
            "encrypted_content": "gAAAAABo+/=" + "Zm9v" * 5000,
        },
        {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get", "arguments": '{"q":"é"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": '{"temp": 21.5}'},
        {
            "z_last_key_first": True,
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "done", "annotations": [], "logprobs": None}],
            "nested": {"deep": [[1, 2.5, -0.0, 10**30, 1e-300], {"b": None, "a": [True, False]}]},
        },
    ]
    metrics = {"input_tokens": 10, "output_tokens": 5, "cost": 0.000123, "ttft": 0.25, "duration": 1.5}
    db.start_run("s1", "r1", input_items)
    db.finish_run(
        "s1", "r1", status="completed", output_items=output_items, content="done", model="m/x", metrics=metrics
    )

    [run] = db.get_runs("s1")
    assert isinstance(run, StoredRun)
    assert (run.run_id, run.session_id, run.status, run.content, run.model) == ("r1", "s1", "completed", "done", "m/x")
    assert run.input_items == input_items
    assert run.output_items == output_items
    assert run.metrics == metrics
    # same values *and* same key order: the JSON text is identical
    assert json.dumps(run.output_items) == json.dumps(output_items)
    assert json.dumps(run.input_items) == json.dumps(input_items)
    assert run.created_at <= run.updated_at


def test_json_is_stored_compact_and_unescaped(db: SqliteDb, tmp_path: Path) -> None:
    db.start_run("s", "r", [user("café")])
    [(text,)] = raw(tmp_path / "agent.db", "SELECT input_items FROM routerkit_runs")
    assert text == json.dumps([user("café")], ensure_ascii=False, separators=(",", ":"))
    assert "café" in text


# -- selection ---------------------------------------------------------------------------------------------


def test_a_run_another_object_left_running_reads_as_interrupted_without_being_rewritten(tmp_path: Path) -> None:
    db_file = tmp_path / "agent.db"
    with SqliteDb(db_file) as writer, SqliteDb(db_file) as reader:
        writer.start_run("s", "r1", [user("hello")])
        assert [(r.run_id, r.status) for r in writer.get_runs("s", statuses=ALL)] == [("r1", "running")]
        # another object (think: another process) cannot know the writer is alive; it reports "interrupted"
        assert [(r.run_id, r.status) for r in reader.get_runs("s", statuses=ALL)] == [("r1", "interrupted")]
        assert [r.run_id for r in reader.get_runs("s", statuses=["interrupted"])] == ["r1"]
        assert reader.get_runs("s", statuses=["running"]) == []
        assert raw(db_file, "SELECT status FROM routerkit_runs") == [("running",)]  # reading rewrote nothing
        writer.finish_run("s", "r1", status="completed", output_items=[], content="x", model="m", metrics={})
        assert [(r.run_id, r.status) for r in reader.get_runs("s", statuses=ALL)] == [("r1", "completed")]


def test_sequence_is_per_session(db: SqliteDb, tmp_path: Path) -> None:
    add_run(db, "a", "1")
    add_run(db, "b", "1")  # the same run_id in another session is another run
    add_run(db, "a", "2")
    rows = raw(tmp_path / "agent.db", "SELECT session_id, seq, run_id FROM routerkit_runs ORDER BY session_id, seq")
    assert rows == [("a", 1, "1"), ("a", 2, "2"), ("b", 1, "1")]


# -- refusals ----------------------------------------------------------------------------------------------


def test_a_missing_directory_is_created_on_first_use_not_before(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = SqliteDb(db_file="tmp/nested/agent.db")  # agno's cookbooks use this relative path everywhere
    assert not (tmp_path / "tmp").exists()
    add_run(store, "s", "r")
    store.close()
    assert (tmp_path / "tmp" / "nested" / "agent.db").is_file()
    with SqliteDb(tmp_path / "tmp" / "nested" / "agent.db") as again:
        assert [r.run_id for r in again.get_runs("s")] == ["r"]


def test_a_directory_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    store = SqliteDb(db_file=tmp_path / "file" / "agent.db")
    with pytest.raises(SessionStoreError) as info:
        store.list_sessions()
    assert str(tmp_path / "file") in str(info.value) and "db_file" in str(info.value)
    assert info.value.path == str(tmp_path / "file" / "agent.db")


def test_bad_db_file_and_table_name_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="db_file"):
        SqliteDb(db_file="")
    with pytest.raises(UsageError, match="directory"):
        SqliteDb(db_file=tmp_path)
    with pytest.raises(UsageError, match="db_file"):
        SqliteDb(db_file=42)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="db_file"):
        SqliteDb(db_file=b"agent.db")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="db_file"):
        SqliteDb(db_file=tmp_path / "a\x00b.db")
    with pytest.raises(UsageError, match="db_file"):
        SqliteDb(db_file="~no-such-user-here/agent.db")
    for name in ("", "1abc", "x; DROP TABLE y", 'a"b', "a b"):
        with pytest.raises(UsageError, match="table_name"):
            SqliteDb(db_file=tmp_path / "a.db", table_name=name)


def test_nothing_touches_disk_until_first_use(tmp_path: Path) -> None:
    db_file = tmp_path / "lazy.db"
    store = SqliteDb(db_file=str(db_file))
    assert not db_file.exists()
    store.list_sessions()
    assert db_file.exists()
    store.close()


@pytest.mark.parametrize("session_id", ["", "   ", None, 5])
def test_empty_session_id_is_refused(db: SqliteDb, session_id: Any) -> None:
    calls = [
        lambda: db.start_run(session_id, "r", []),
        lambda: db.finish_run(
            session_id, "r", status="completed", output_items=[], content=None, model=None, metrics={}
        ),
        lambda: db.get_runs(session_id),
        lambda: db.delete_session(session_id),
    ]
    for call in calls:
        with pytest.raises(UsageError, match="session_id"):
            call()


def test_bad_arguments_are_refused(db: SqliteDb) -> None:
    with pytest.raises(UsageError, match="run_id"):
        db.start_run("s", "", [])
    with pytest.raises(UsageError, match="input_items"):
        db.start_run("s", "r", {"role": "user"})  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"input_items\[1\]"):
        db.start_run("s", "r", [user("a"), "not a dict"])  # type: ignore[list-item]
    with pytest.raises(UsageError, match="input_items"):
        db.start_run("s", "r", [{"x": float("nan")}])
    db.start_run("s", "r", [])
    with pytest.raises(UsageError, match="already recorded"):
        db.start_run("s", "r", [])

    def finish(**overrides: Any) -> None:
        kwargs: dict[str, Any] = dict(status="completed", output_items=[], content=None, model=None, metrics={})
        kwargs.update(overrides)
        db.finish_run("s", "r", **kwargs)

    with pytest.raises(UsageError, match="status"):
        finish(status="running")
    with pytest.raises(UsageError, match="status"):
        finish(status="done")
    with pytest.raises(UsageError, match="metrics"):
        finish(metrics=[("cost", 1)])
    with pytest.raises(UsageError, match="metrics"):
        finish(metrics={"when": object()})
    with pytest.raises(UsageError, match="content"):
        finish(content=b"bytes")
    with pytest.raises(UsageError, match="start_run first"):
        db.finish_run("s", "ghost", status="completed", output_items=[], content=None, model=None, metrics={})
    with pytest.raises(UsageError, match="limit"):
        db.get_runs("s", limit=-1)
    with pytest.raises(UsageError, match="limit"):
        db.get_runs("s", limit=True)
    with pytest.raises(UsageError, match="statuses"):
        db.get_runs("s", statuses="completed")
    with pytest.raises(UsageError, match="statuses"):
        db.get_runs("s", statuses=["finished"])
    # nothing half-written by the refusals
    [run] = db.get_runs("s", statuses=ALL)
    assert (run.run_id, run.status) == ("r", "running")


# -- no secrets --------------------------------------------------------------------------------------------


class FakeModel:
    """Stands in for a model object holding credentials."""

    id = "openai/gpt-4o"
    api_key = "sk-or-v1-CANARY-0123456789"
    default_headers = {"Authorization": f"Bearer {api_key}"}  # noqa: RUF012


def test_the_api_takes_no_headers_config_or_model_objects(db: SqliteDb, tmp_path: Path) -> None:
    for method in (SqliteDb.__init__, db.start_run, db.finish_run, db.get_runs, db.list_sessions, db.delete_session):
        names = set(inspect.signature(method).parameters)
        assert not names & {"headers", "api_key", "config", "client", "agent", "kwargs"}, method
    db.start_run("s", "r", [user("hi")])
    with pytest.raises(UsageError, match="model must be the id"):
        db.finish_run("s", "r", status="completed", output_items=[], content=None, model=FakeModel(), metrics={})  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="output_items"):
        db.finish_run("s", "r", status="completed", output_items=[FakeModel()], content=None, model=None, metrics={})  # type: ignore[list-item]
    with pytest.raises(UsageError, match="metrics"):
        db.finish_run(
            "s", "r", status="completed", output_items=[], content=None, model=None, metrics={"m": FakeModel()}
        )
    with pytest.raises(UsageError, match="input_items"):
        db.start_run("s", "r2", [{"model": FakeModel()}])
    db.close()
    for path in tmp_path.iterdir():
        assert b"CANARY" not in path.read_bytes()


# -- file format -------------------------------------------------------------------------------------------


def test_schema_version_and_pragmas(db: SqliteDb, tmp_path: Path) -> None:
    db.list_sessions()
    db_file = tmp_path / "agent.db"
    assert raw(db_file, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert raw(db_file, "PRAGMA journal_mode") == [("wal",)]
    assert db._conn is not None
    assert db._conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    assert db._conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_a_file_from_a_newer_routerkit_is_refused(tmp_path: Path) -> None:
    db_file = tmp_path / "future.db"
    raw(db_file, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with SqliteDb(db_file) as store, pytest.raises(SessionStoreError, match="newer routerkit"):
        store.list_sessions()


def test_a_foreign_table_with_the_same_name_is_refused(tmp_path: Path) -> None:
    db_file = tmp_path / "shared.db"
    raw(db_file, "CREATE TABLE agno_sessions (session_id TEXT, data TEXT)")
    with SqliteDb(db_file, table_name="agno_sessions") as store, pytest.raises(UsageError, match="table_name"):
        store.list_sessions()
    with SqliteDb(db_file, table_name="my_runs") as store:  # other tables in the same file are fine
        add_run(store, "s", "r")
        assert len(store.get_runs("s")) == 1
    assert raw(db_file, "SELECT COUNT(*) FROM agno_sessions") == [(0,)]


# -- lifecycle, threads, locks -----------------------------------------------------------------------------


def test_close_and_context_manager(tmp_path: Path) -> None:
    with SqliteDb(tmp_path / "a.db") as store:
        add_run(store, "s", "r")
        assert isinstance(store, SessionStore)
    store.close()  # twice is fine
    with pytest.raises(UsageError, match="closed"):
        store.get_runs("s")
    with SqliteDb(tmp_path / "a.db") as again:  # and the data is still there
        assert [r.run_id for r in again.get_runs("s")] == ["r"]


def test_a_lock_held_longer_than_the_busy_timeout_is_waited_out(tmp_path: Path) -> None:
    db_file = tmp_path / "busy.db"
    with SqliteDb(db_file) as store:
        store.busy_timeout = 0.02  # SQLite gives up quickly, so the store's own retry has to carry on
        store.list_sessions()
        release = threading.Event()
        holder = hold_write_lock(db_file, release)
        threading.Timer(0.4, release.set).start()
        started = time.monotonic()
        add_run(store, "s", "r")
        waited = time.monotonic() - started
        holder.join()
        assert waited >= 0.3
        assert [r.run_id for r in store.get_runs("s")] == ["r"]


def test_a_lock_that_is_never_released_is_reported_plainly(tmp_path: Path) -> None:
    db_file = tmp_path / "stuck.db"
    with SqliteDb(db_file) as store:
        store.busy_timeout = 0.02
        store.retry_deadline = 0.2
        store.list_sessions()
        release = threading.Event()
        holder = hold_write_lock(db_file, release)
        try:
            with pytest.raises(SessionStoreError) as info:
                store.start_run("s", "r", [])
        finally:
            release.set()
            holder.join()
        assert "busy" in str(info.value) and str(db_file) in str(info.value)
        assert "database is locked" not in str(info.value)
        store.start_run("s", "r", [])  # nothing was half-written: the same run can be started now
