"""One contract for every session store: what the agent and the CLI rely on, whichever store holds the runs.

Each test runs against `InMemoryDb` (the default) and `SqliteDb`; a store that answers differently from the
other fails here, not in a user's second process.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.db._items import add_run, answer, user

from routerkit.db import InMemoryDb, SessionStore, SqliteDb, StoredRun
from routerkit.errors import UsageError

ALL = ("running", "completed", "interrupted", "error")


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[InMemoryDb | SqliteDb]:
    made = InMemoryDb() if request.param == "memory" else SqliteDb(tmp_path / "agent.db")
    yield made
    made.close()


def ids(runs: list[StoredRun]) -> list[str]:
    return [run.run_id for run in runs]


def test_every_store_offers_the_interface(store: SessionStore) -> None:
    assert isinstance(store, SessionStore)


def test_items_read_back_equal_and_are_copies(store: SessionStore) -> None:
    given = [user("Grüße 🚀 \x00 nul"), {"type": "reasoning", "encrypted_content": "gAAA" * 100, "summary": []}]
    output = [answer("done"), {"z": 1, "a": [1.5, None, True, 10**30]}]
    store.start_run("s", "r", given)
    store.finish_run("s", "r", status="completed", output_items=output, content="done", model="m", metrics={"x": 1})
    given[0]["content"] = "changed by the caller"  # the caller's later changes do not reach the store
    output.append({"late": True})
    [run] = store.get_runs("s")
    assert json.dumps(run.input_items) == json.dumps([user("Grüße 🚀 \x00 nul"), given[1]])  # same key order too
    assert run.output_items == [answer("done"), {"z": 1, "a": [1.5, None, True, 10**30]}]
    run.input_items.clear()  # nor do changes to what was read back
    assert store.get_runs("s")[0].input_items != []
    assert (run.status, run.content, run.model, run.metrics) == ("completed", "done", "m", {"x": 1})
    assert run.created_at <= run.updated_at


def test_runs_come_oldest_first_and_limit_takes_the_last(store: SessionStore) -> None:
    for i in range(5):
        add_run(store, "s", f"r{i}")
    assert ids(store.get_runs("s")) == ["r0", "r1", "r2", "r3", "r4"]
    assert ids(store.get_runs("s", limit=None)) == ["r0", "r1", "r2", "r3", "r4"]
    assert ids(store.get_runs("s", limit=2)) == ["r3", "r4"]
    assert ids(store.get_runs("s", limit=1)) == ["r4"]
    assert ids(store.get_runs("s", limit=50)) == ["r0", "r1", "r2", "r3", "r4"]
    assert store.get_runs("s", limit=0) == []
    assert store.get_runs("never seen") == []


@pytest.mark.parametrize("limit", [-1, True, 1.5, "3"])
def test_a_bad_limit_is_refused(store: SessionStore, limit: Any) -> None:
    with pytest.raises(UsageError, match="limit"):
        store.get_runs("s", limit=limit)


def test_statuses_select_runs_and_combine_with_limit(store: SessionStore) -> None:
    add_run(store, "s", "a")
    add_run(store, "s", "b", status="error")
    add_run(store, "s", "c", status="interrupted")
    add_run(store, "s", "d")
    store.start_run("s", "e", [user("going")])
    assert ids(store.get_runs("s")) == ["a", "d"]
    assert ids(store.get_runs("s", statuses={"error"})) == ["b"]
    assert ids(store.get_runs("s", statuses=["interrupted"])) == ["c"]
    assert [(r.run_id, r.status) for r in store.get_runs("s", statuses=("running",))] == [("e", "running")]
    assert ids(store.get_runs("s", statuses=ALL)) == ["a", "b", "c", "d", "e"]
    assert ids(store.get_runs("s", statuses=("completed", "error"), limit=2)) == ["b", "d"]
    assert store.get_runs("s", statuses=()) == []
    [running] = store.get_runs("s", statuses=["running"])
    assert (running.output_items, running.content, running.model, running.metrics) == ([], None, None, {})


@pytest.mark.parametrize("statuses", ["completed", b"completed", ["finished"], 3, None, [["completed"]], [None]])
def test_bad_statuses_are_refused(store: SessionStore, statuses: Any) -> None:
    with pytest.raises(UsageError, match="statuses"):
        store.get_runs("s", statuses=statuses)


def test_sessions_list_newest_first_with_counts_costs_and_titles(store: SessionStore) -> None:
    assert store.list_sessions() == []
    add_run(store, "old", "1", text="  First   question\nabout things ", metrics={"cost": 0.5})
    add_run(store, "old", "2", text="second", metrics={"cost": 0.25})
    add_run(store, "old", "3", status="error", metrics={"cost": "free"})  # not a number: counts as 0
    add_run(store, "new", "1", text="x" * 200, metrics={"cost": True})  # a bool is not a cost either
    store.start_run("plain", "1", [{"role": "system", "content": "sys"}, {"role": "user", "content": "plain text"}])
    store.start_run("tools", "1", [{"type": "function_call_output", "call_id": "c", "output": "x"}])
    add_run(store, "tools", "2", text="asked later")

    infos = store.list_sessions()
    assert [info.session_id for info in infos] == ["tools", "plain", "new", "old"]
    by_id = {info.session_id: info for info in infos}
    assert [by_id[s].runs for s in ("old", "new", "plain", "tools")] == [3, 1, 1, 2]
    assert by_id["old"].total_cost == pytest.approx(0.75)
    assert by_id["new"].total_cost == 0.0
    assert by_id["old"].title == "First question about things"
    assert by_id["plain"].title == "plain text"
    assert by_id["tools"].title == "asked later"  # the first run with user text gives the title
    new_title = by_id["new"].title
    assert new_title is not None and len(new_title) == 60 and new_title.endswith("…")
    assert by_id["old"].created_at <= by_id["old"].updated_at <= by_id["new"].created_at

    add_run(store, "old", "4")  # activity moves a session to the top
    assert store.list_sessions()[0].session_id == "old"
    store.start_run("empty", "1", [])
    assert store.list_sessions()[0].title is None


def test_delete_session(store: SessionStore) -> None:
    add_run(store, "a", "1")
    store.start_run("a", "2", [user("live")])
    add_run(store, "b", "1")
    assert store.delete_session("a") == 2
    assert store.delete_session("a") == 0
    assert store.get_runs("a", statuses=ALL) == []
    assert [info.session_id for info in store.list_sessions()] == ["b"]
    add_run(store, "a", "1")  # the same ids can be used again
    assert ids(store.get_runs("a")) == ["1"]


def test_lone_surrogates_never_crash(store: SessionStore) -> None:
    items = [user("bad \ud800 half"), {"type": "x", "text": "\udfff"}]  # json.loads('"\\ud800"') makes these
    store.start_run("s", "r", items)
    store.finish_run(
        "s", "r", status="completed", output_items=items, content="c \udc80", model="m\ud800", metrics={"k": "\ud800"}
    )
    [run] = store.get_runs("s")
    assert run.input_items == items and run.output_items == items  # items are replayed: kept exactly
    assert run.metrics == {"k": "\ud800"}
    assert (run.content, run.model) == ("c \ufffd", "m\ufffd")  # display text: printable
    [info] = store.list_sessions()
    assert info.title == "bad \ufffd half"
    assert info.title.encode("utf-8")
    for bad in ("s\ud800", "\udcff"):
        with pytest.raises(UsageError, match="session_id"):
            store.start_run(bad, "r2", [])
        with pytest.raises(UsageError, match="run_id"):
            store.start_run("s", bad, [])


def test_huge_content_round_trips(store: SessionStore) -> None:
    content = "長い" * 2_000_000 + "🚀"  # ~12 MB of UTF-8
    blob = "A" * 8_000_000
    store.start_run("s", "r", [user(content)])
    store.finish_run(
        "s",
        "r",
        status="completed",
        output_items=[{"type": "reasoning", "encrypted_content": blob}],
        content=content,
        model="m",
        metrics={},
    )
    [run] = store.get_runs("s")
    assert run.content == content
    assert run.output_items[0]["encrypted_content"] == blob
    [info] = store.list_sessions()
    assert info.title is not None and len(info.title) == 60


def test_hostile_values_are_refused_or_harmless(store: SessionStore) -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(UsageError, match="input_items"):
        store.start_run("s", "r", [{"nested": deep}])
    store.start_run("s", "r", [user("hi")])
    store.finish_run("s", "r", status="completed", output_items=[], content=None, model=None, metrics={"cost": 10**400})
    add_run(store, "s", "r2", metrics={"cost": -0.25, "n": 10**400})
    assert store.list_sessions()[0].total_cost == -0.25  # a cost too large for a float counts as 0
    assert store.get_runs("s")[0].metrics == {"cost": 10**400}


def test_threads_share_one_store(store: SessionStore) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                add_run(store, "s", f"t{n}-{i}")
                store.get_runs("s", limit=2)
                store.list_sessions()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    runs = ids(store.get_runs("s"))
    assert len(runs) == 80 and len(set(runs)) == 80
    for n in range(4):  # each thread's runs keep their order
        assert [r for r in runs if r.startswith(f"t{n}-")] == [f"t{n}-{i}" for i in range(20)]
    assert store.list_sessions()[0].runs == 80


def _calls(store: SessionStore) -> list[tuple[str, Any]]:
    def finish(**overrides: Any) -> Any:
        kwargs: dict[str, Any] = dict(status="completed", output_items=[], content=None, model=None, metrics={})
        kwargs.update(overrides)
        return lambda: store.finish_run("s", "r", **kwargs)

    return [
        ("session_id", lambda: store.start_run("", "r", [])),
        ("session_id", lambda: store.get_runs("   ")),
        ("session_id", lambda: store.delete_session(None)),  # type: ignore[arg-type]
        (
            "session_id",
            lambda: store.finish_run(5, "r", status="completed", output_items=[], content=None, model=None, metrics={}),  # type: ignore[arg-type]
        ),
        ("run_id", lambda: store.start_run("s", "", [])),
        ("input_items", lambda: store.start_run("s", "r2", {"role": "user"})),  # type: ignore[arg-type]
        (r"input_items\[1\]", lambda: store.start_run("s", "r2", [user("a"), "not a dict"])),  # type: ignore[list-item]
        ("input_items", lambda: store.start_run("s", "r2", [{"x": float("nan")}])),
        ("input_items", lambda: store.start_run("s", "r2", [{"x": object()}])),
        ("already recorded", lambda: store.start_run("s", "r", [])),
        ("status", finish(status="running")),
        ("status", finish(status="done")),
        ("status", finish(status=["completed"])),
        ("session_id", lambda: store.get_runs("x" * 1_000_000 + "\ud800")),
        ("output_items", finish(output_items=[1])),
        ("metrics", finish(metrics=[("cost", 1)])),
        ("metrics", finish(metrics={"cost": float("inf")})),
        ("content", finish(content=b"bytes")),
        ("model", finish(model=object())),
        (
            "start_run first",
            lambda: store.finish_run(
                "s", "ghost", status="completed", output_items=[], content=None, model=None, metrics={}
            ),
        ),
    ]


def test_every_store_refuses_the_same_arguments_and_writes_nothing(store: SessionStore) -> None:
    store.start_run("s", "r", [user("kept")])
    for match, call in _calls(store):
        with pytest.raises(UsageError, match=match):
            call()
    [run] = store.get_runs("s", statuses=ALL)
    assert (run.run_id, run.status, run.input_items) == ("r", "running", [user("kept")])
    assert [info.session_id for info in store.list_sessions()] == ["s"]


def test_a_closed_store_refuses_calls(store: SessionStore) -> None:
    add_run(store, "s", "r")
    store.close()
    store.close()  # twice is fine
    for call in (lambda: store.get_runs("s"), store.list_sessions, lambda: store.start_run("s", "r2", [])):
        with pytest.raises(UsageError, match="closed"):
            call()


async def test_async_twins_do_what_the_sync_calls_do(store: SessionStore) -> None:
    await store.astart_run("s", "r", [user("async")])
    assert [(r.run_id, r.status) for r in await store.aget_runs("s", statuses=ALL)] == [("r", "running")]
    await store.afinish_run(
        "s", "r", status="completed", output_items=[answer("ok")], content="ok", model="m", metrics={"cost": 1}
    )
    add_run(store, "s", "sync")
    assert await store.aget_runs("s", limit=5) == store.get_runs("s", limit=5)
    assert ids(await store.aget_runs("s", limit=1)) == ["sync"]
    with pytest.raises(UsageError, match="limit"):
        await store.aget_runs("s", limit=-1)
    with pytest.raises(UsageError, match="already recorded"):
        await store.astart_run("s", "r", [])
    results = await asyncio.gather(*(store.astart_run("s", f"g{i}", [user(str(i))]) for i in range(10)))
    assert results == [None] * 10
    assert len(await store.aget_runs("s", statuses=["running"])) == 10


# -- users -------------------------------------------------------------------------------------------------


def test_user_id_is_stored_and_filters_runs_and_sessions(store: SessionStore) -> None:
    store.start_run("s1", "r1", [user("from ava")], user_id="ava")
    store.start_run("s1", "r2", [user("from bob")], user_id="bob")
    store.start_run("s2", "r3", [user("no user")])
    assert [run.user_id for run in store.get_runs("s1", statuses=ALL)] == ["ava", "bob"]
    assert [run.run_id for run in store.get_runs("s1", statuses=ALL, user_id="ava")] == ["r1"]
    assert store.get_runs("s2", statuses=ALL, user_id="ava") == []
    assert store.get_runs("s2", statuses=ALL)[0].user_id is None
    assert [info.session_id for info in store.list_sessions(user_id="bob")] == ["s1"]
    assert {info.session_id: info.user_id for info in store.list_sessions()} == {"s1": "bob", "s2": None}


@pytest.mark.parametrize("bad", ["", "  ", 42, "\ud800"])
def test_a_bad_user_id_is_refused_before_anything_is_written(store: SessionStore, bad: Any) -> None:
    with pytest.raises(UsageError, match="user_id"):
        store.start_run("s", "r", [user("x")], user_id=bad)
    with pytest.raises(UsageError, match="user_id"):
        store.get_runs("s", user_id=bad)
    assert store.list_sessions() == []


@pytest.mark.parametrize("source_kind", ["memory", "sqlite"])
def test_runs_imported_from_another_store_keep_ids_times_and_order(
    store: SessionStore, source_kind: str, tmp_path: Path
) -> None:
    source = InMemoryDb() if source_kind == "memory" else SqliteDb(tmp_path / "source.db")
    add_run(source, "s", "a", text="first", metrics={"cost": 0.5})
    add_run(source, "s", "b", status="error", content=None)
    source.start_run("s", "c", [user("cut off")], user_id="ann")  # still running where it was recorded
    add_run(store, "s", "earlier")  # the session may already hold runs: imported ones follow them
    exported = source.get_runs("s", statuses=ALL)
    source.close()

    assert store.import_runs(exported) == 3
    assert store.import_runs(exported) == 0  # importing again adds nothing
    runs = store.get_runs("s", statuses=ALL)
    assert ids(runs) == ["earlier", "a", "b", "c"]
    by_id = {run.run_id: run for run in runs}
    for run in exported:
        got = by_id[run.run_id]
        assert (got.input_items, got.output_items, got.content, got.model, got.metrics, got.user_id) == (
            run.input_items,
            run.output_items,
            run.content,
            run.model,
            run.metrics,
            run.user_id,
        )
        assert (got.created_at, got.updated_at) == (run.created_at, run.updated_at)
    assert [by_id[r].status for r in ("a", "b", "c")] == ["completed", "error", "interrupted"]
    [info] = store.list_sessions()
    assert (info.runs, info.total_cost) == (4, 0.5)


def test_a_bad_imported_run_adds_none(store: SessionStore) -> None:
    good = StoredRun("r1", "s", "completed", [user("hi")], [], "ok", "m", {}, 1.0, 2.0)
    bad_values: list[Any] = [
        {"run_id": "r2"},  # not a StoredRun
        StoredRun("r2", "s", "completed", "not a list", [], None, None, {}, 1.0, 2.0),  # type: ignore[arg-type]
        StoredRun("r2", "s", "finished", [], [], None, None, {}, 1.0, 2.0),
        StoredRun("r2", "s", "completed", [], [], None, None, {}, float("nan"), 2.0),
        StoredRun("r2", "", "completed", [], [], None, None, {}, 1.0, 2.0),
        StoredRun("r2", "s", "completed", [], [], None, None, {"x": float("inf")}, 1.0, 2.0),
    ]
    for bad in bad_values:
        with pytest.raises(UsageError):
            store.import_runs([good, bad])
    assert store.get_runs("s", statuses=ALL) == []
