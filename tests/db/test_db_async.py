"""The async twins of `SqliteDb` never stall the event loop, even while another process holds the lock."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from tests.db._lock import hold_write_lock

from routerkit.db import SqliteDb


async def test_a_locked_store_does_not_block_the_loop(tmp_path: Path) -> None:
    db_file = tmp_path / "locked.db"
    with SqliteDb(db_file) as store:
        store.busy_timeout = 0.05  # SQLite gives up quickly, so the store's own retry loop (time.sleep) runs
        store.retry_deadline = 20
        await store.aget_runs("s")  # file and schema exist
        release = threading.Event()
        holder = hold_write_lock(db_file, release)
        ticks = 0

        async def ticker() -> None:
            # The lock is released only after the loop has run this coroutine 20 times while the write waits:
            # if the store blocked the loop, the ticker would never tick and the write would time out.
            nonlocal ticks
            while ticks < 20:
                await asyncio.sleep(0.01)
                ticks += 1
            release.set()

        try:
            write = asyncio.create_task(store.astart_run("s", "r", [{"role": "user", "content": "hi"}]))
            await asyncio.gather(write, ticker())
        finally:
            release.set()
            holder.join()
        assert ticks == 20
        assert [(r.run_id, r.status) for r in await store.aget_runs("s", statuses=["running"])] == [("r", "running")]
        await store.afinish_run("s", "r", status="completed", output_items=[], content="ok", model=None, metrics={})
        assert [r.content for r in store.get_runs("s")] == ["ok"]


async def test_reads_wait_in_a_worker_thread(tmp_path: Path) -> None:
    with SqliteDb(tmp_path / "t.db") as store:
        seen: list[str] = []
        original = store.get_runs

        def spy(*args: object, **kwargs: object) -> object:
            seen.append(threading.current_thread().name)
            return original(*args, **kwargs)  # type: ignore[arg-type]

        store.get_runs = spy  # type: ignore[method-assign]
        assert await store.aget_runs("s") == []
        assert seen and seen[0] != threading.main_thread().name
