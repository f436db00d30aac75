"""Two processes, one SQLite session: each runs 20 agent turns on `session_id="common"` at the same time.

The store-level version lives in tests/db; this one goes through `Agent.run`, so the store is hit the way the
agent hits it (start_run, a history read, finish_run, all interleaved with HTTP calls to the emulator).
Nothing may be lost and "database is locked" must never reach the caller.
"""

from __future__ import annotations

import subprocess
import sys

from routerkit.db.base import RUN_STATUSES
from routerkit.db.sqlite import SqliteDb

TURNS = 20

_WORKER = r"""
import sys
from routerkit.agent import Agent
from routerkit.db.sqlite import SqliteDb
from routerkit.models.openrouter import OpenRouterResponses

base_url, db_file, name, turns = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.stdin.readline()  # both workers start their turns together
model = OpenRouterResponses(id="emulator/echo", base_url=base_url, api_key="sk-or-v1-stress", max_retries=0)
for i in range(turns):
    agent = Agent(model=model, db=SqliteDb(db_file=db_file), session_id="common", add_history_to_context=True,
                  num_history_runs=2)
    out = agent.run(f"{name} turn {i}")
    assert out.content == f"{name} turn {i}", out.content
print("ok", flush=True)
"""


def test_two_processes_share_one_session_without_loss(emu, tmp_path, fault_record):
    db_file = tmp_path / "shared.db"
    SqliteDb(db_file=db_file).list_sessions()  # create the schema first, as a user's first run would
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, emu.base_url, str(db_file), name, str(TURNS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = [worker.communicate(timeout=60) for worker in workers]
    for worker, (out, err) in zip(workers, results, strict=True):
        assert "locked" not in err.lower(), err
        assert worker.returncode == 0 and out.strip() == "ok", err

    with SqliteDb(db_file=db_file) as db:
        runs = db.get_runs("common", statuses=RUN_STATUSES)
    assert all(run.status == "completed" for run in runs)
    asked = [run.input_items[-1]["content"] for run in runs]
    expected = {f"{name} turn {i}" for name in ("alpha", "beta") for i in range(TURNS)}
    assert len(asked) == 2 * TURNS and set(asked) == expected
    assert [run.content for run in runs] == asked
    # Each process's own turns keep their order within the shared sequence.
    for name in ("alpha", "beta"):
        mine = [a for a in asked if a.startswith(name)]
        assert mine == [f"{name} turn {i}" for i in range(TURNS)]
    fault_record.surfaced = True
