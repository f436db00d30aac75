"""A run checks its values where they enter it (the user's input, history read from the store, a tool's own
output), not again on every request; a value JSON cannot carry is still refused before it is sent, named by
where it came from. Over loopback to the emulator, sync and async."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from routerkit.agent import Agent
from routerkit.agent.tools import ToolResult
from routerkit.db import SqliteDb
from routerkit.errors import UsageError

MODES = ["sync", "async"]


async def _run(agent: Agent, message: str, mode: str) -> Any:
    return agent.run(message) if mode == "sync" else await agent.arun(message)


@pytest.mark.parametrize("mode", MODES)
async def test_history_holding_nan_is_refused_before_the_next_request(
    emu: Any, make_model: Any, tmp_path: Path, mode: str
) -> None:
    db_file = tmp_path / "agent.db"
    with SqliteDb(db_file) as db:
        agent = Agent(model=make_model(), db=db, session_id="s", add_history_to_context=True)
        await _run(agent, "first", mode)
        conn = sqlite3.connect(db_file)  # another program edits the file: JSON's reader takes NaN
        conn.execute("""UPDATE routerkit_runs SET output_items = '[{"role": "assistant", "content": NaN}]'""")
        conn.commit()
        conn.close()
        sent = len(emu.requests)
        with pytest.raises(UsageError, match=r"^history\[1\]\['content'\] must be a finite number"):
            await _run(agent, "second", mode)
        assert len(emu.requests) == sent


@pytest.mark.parametrize("mode", MODES)
async def test_a_tools_own_result_json_cannot_carry_is_refused_before_it_is_sent(
    emu: Any, make_model: Any, mode: str
) -> None:
    def measure(city: str) -> ToolResult:
        """A tool that builds its own result."""
        return ToolResult(output={"temperature": float("nan")}, is_error=False)  # type: ignore[arg-type]

    agent = Agent(model=make_model("emulator/tool"), tools=[measure])
    with pytest.raises(UsageError, match=r"^a tool's output\['temperature'\] must be a finite number"):
        await _run(agent, "weather", mode)
    assert len(emu.requests) == 1  # the call that asked for the tool; its result never went out
