"""The session store under real processes: killed writers and concurrent writers on one file."""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import IO

from routerkit.db.sqlite import SqliteDb

WORKER = Path(__file__).with_name("_db_worker.py")
_spec = importlib.util.spec_from_file_location("_routerkit_db_worker", WORKER)
assert _spec is not None and _spec.loader is not None
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

ALL = ("running", "completed", "interrupted", "error")


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_line(stream: IO[str] | None) -> str:
    assert stream is not None
    return stream.readline().strip()


def test_sigkill_mid_write_leaves_committed_runs_intact(tmp_path: Path) -> None:
    db_file = tmp_path / "crash.db"
    size = 200_000  # large items, so a kill often lands inside a transaction
    committed: dict[str, set[int]] = {}
    rng = random.Random(7)
    for round_number in range(3):  # kill, reopen and append again: recovery must hold every time
        tag = f"w{round_number}"
        proc = spawn("crash", str(db_file), "s", tag, str(size))
        try:
            seen: set[int] = set()
            target = 3 + round_number
            while len(seen) < target:
                line = read_line(proc.stdout)
                assert line.startswith("committed "), (line, proc.stderr.read() if proc.stderr else "")
                seen.add(int(line.split()[1]))
            time.sleep(rng.uniform(0, 0.02))
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        committed[tag] = seen

    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()

    with SqliteDb(db_file=db_file) as db:
        runs = db.get_runs("s", statuses=ALL)
    by_id = {run.run_id: run for run in runs}
    # one writer after another, each in its own order: (round, index) increases along the session
    order = [(int(run.run_id[1]), int(run.run_id.split("-")[1])) for run in runs]
    assert order == sorted(order)
    for tag, seen in committed.items():
        for index in seen:  # every run the writer reported as committed is there, byte for byte
            run = by_id[f"{tag}-{index}"]
            input_items, output_items = worker.make_items(tag, index, size)
            assert run.status == "completed"
            assert run.input_items == input_items
            assert run.output_items == output_items
        unfinished = [run for run in runs if run.run_id.startswith(f"{tag}-") and run.status != "completed"]
        # the run being written when the process died is absent, or reported interrupted
        assert len(unfinished) <= 1
        for run in unfinished:
            assert run.status == "interrupted"
            assert run.output_items == []
            assert run.input_items == worker.make_items(tag, int(run.run_id.split("-")[1]), size)[0]
        for run in runs:  # a run finished just before the kill (not yet announced) is intact too
            if run.run_id.startswith(f"{tag}-") and run.status == "completed":
                assert run.output_items == worker.make_items(tag, int(run.run_id.split("-")[1]), size)[1]


def test_two_processes_append_to_one_session(tmp_path: Path) -> None:
    db_file = tmp_path / "shared.db"
    go_file = tmp_path / "go"
    count = 200
    procs = [spawn("append", str(db_file), "common", tag, str(count), str(go_file)) for tag in ("a", "b")]
    try:
        for proc in procs:
            assert read_line(proc.stdout) == "ready"
        go_file.touch()  # both start appending at the same moment
        results = [proc.communicate(timeout=45) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    for proc, (stdout, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr
        assert stderr == ""
        assert "locked" not in stdout + stderr
        assert stdout.count("committed ") == count

    conn = sqlite3.connect(db_file)
    try:
        rows = conn.execute(
            "SELECT seq, run_id FROM routerkit_runs WHERE session_id = 'common' ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()
    assert [seq for seq, _ in rows] == list(range(1, 2 * count + 1))  # unique and contiguous
    for tag in ("a", "b"):  # each writer's runs keep their own order within the interleaving
        expected = [f"{tag}-{i}" for i in range(count)]
        assert [run_id for _, run_id in rows if run_id.startswith(f"{tag}-")] == expected
    writers = "".join(run_id[0] for _, run_id in rows)
    assert writers.count("ab") + writers.count("ba") > 10, writers  # the writers really did overlap

    with SqliteDb(db_file=db_file) as db:
        runs = db.get_runs("common")
        assert len(runs) == 2 * count
        assert all(run.status == "completed" for run in runs)
        [info] = db.list_sessions()
        assert info.runs == 2 * count
        assert abs(info.total_cost - 2 * count * 0.001) < 1e-9


def test_a_forked_child_opens_its_own_connection(tmp_path: Path) -> None:
    db_file = tmp_path / "fork.db"
    with SqliteDb(db_file=db_file) as db:
        db.start_run("s", "parent", [{"role": "user", "content": "hi"}])  # connection open, run live
        pid = os.fork()
        if pid == 0:  # the child: write through the inherited object, then leave without running cleanups
            code = 1
            try:
                assert [r.status for r in db.get_runs("s", statuses=ALL)] == ["interrupted"]  # not the child's run
                db.start_run("s", "child", [])
                db.finish_run("s", "child", status="completed", output_items=[], content="c", model=None, metrics={})
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        db.finish_run("s", "parent", status="completed", output_items=[], content="p", model=None, metrics={})
        assert [(r.run_id, r.content) for r in db.get_runs("s")] == [("parent", "p"), ("child", "c")]
