"""`Agent.arun` stores its runs through the store's async twins: a session database locked by another process
holds up the run, never the event loop."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from routerkit.agent import Agent
from routerkit.db import SqliteDb
from tests.db._lock import hold_write_lock


@pytest.mark.parametrize("stream", [False, True], ids=["arun", "arun-stream"])
async def test_a_locked_session_database_does_not_block_the_loop(tmp_path: Path, make_model, stream: bool) -> None:
    db_file = tmp_path / "chat.db"
    store = SqliteDb(db_file)
    store.busy_timeout = 0.05  # SQLite gives up quickly, so the store's own retry loop (time.sleep) runs
    store.retry_deadline = 20
    agent = Agent(model=make_model("emulator/echo"), db=store, session_id="s", add_history_to_context=True)
    await agent.arun("first")  # file, schema and one turn of history exist
    release = threading.Event()
    holder = hold_write_lock(db_file, release)
    ticks = 0

    async def ticker() -> None:
        # The lock is let go only after the loop has run this coroutine 20 times while the run waits on the
        # store: had the agent called SQLite on the loop, nothing would tick and the run would time out.
        nonlocal ticks
        while ticks < 20:
            await asyncio.sleep(0.01)
            ticks += 1
        release.set()

    async def second_turn() -> str:
        if stream:
            async for event in agent.arun("second", stream=True, stream_events=True):
                output = getattr(event, "output", None)
            assert output is not None
            return str(output.content)
        return str((await agent.arun("second")).content)

    try:
        answer, _ = await asyncio.gather(second_turn(), ticker())
    finally:
        release.set()
        holder.join()
    store.close()
    assert ticks == 20
    assert answer == "second"
    with SqliteDb(db_file) as reopened:
        assert [run.status for run in reopened.get_runs("s")] == ["completed", "completed"]
