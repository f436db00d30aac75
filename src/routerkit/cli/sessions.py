"""`routerkit sessions`: list saved conversations; `show`, `export` or `rm` one."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

from ._common import EXIT_OK, EXIT_USAGE, CliError, note, stdout_is_terminal

if TYPE_CHECKING:
    import argparse

    from routerkit.db import StoredRun


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def list_sessions(args: argparse.Namespace) -> int:
    """Every session: a table on a terminal, tab-separated lines or JSON otherwise."""
    from ._record import open_sessions

    db = open_sessions()
    try:
        sessions = db.list_sessions()
    finally:
        db.close()
    if getattr(args, "json", False):
        rows = [
            {
                "session_id": s.session_id,
                "runs": s.runs,
                "created_at": s.created_at,
                "updated_at": s.updated_at,
                "total_cost": s.total_cost,
                "title": s.title,
            }
            for s in sessions
        ]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not sessions:
        note("no saved sessions yet: start one with `routerkit chat`")
        return EXIT_OK
    from routerkit.console import format_cost

    if stdout_is_terminal():
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, header_style="bold")
        table.add_column("session")
        table.add_column("runs", justify="right")
        table.add_column("last used")
        table.add_column("cost", justify="right")
        table.add_column("title", overflow="ellipsis", no_wrap=True, max_width=60)
        for s in sessions:
            table.add_row(s.session_id, str(s.runs), _when(s.updated_at), format_cost(s.total_cost), s.title or "")
        Console().print(table)
    else:
        sys.stdout.write("session\truns\tlast_used\tcost\ttitle\n")
        for s in sessions:
            title = (s.title or "").replace("\t", " ")
            sys.stdout.write(f"{s.session_id}\t{s.runs}\t{_when(s.updated_at)}\t{s.total_cost:.6f}\t{title}\n")
    return EXIT_OK


def _runs(session_id: str) -> list[StoredRun]:
    from ._record import open_sessions

    db = open_sessions()
    try:
        runs = db.get_runs(session_id, statuses=("completed", "interrupted", "error"))
    finally:
        db.close()
    if not runs:
        raise CliError(f"no session {session_id!r}; `routerkit sessions` lists them", EXIT_USAGE)
    return runs


def _markdown(session_id: str, runs: list[StoredRun]) -> str:
    from routerkit.console import items_text

    parts = [f"# Session {session_id}\n"]
    for run in runs:
        mark = "" if run.status == "completed" else f" [{run.status}]"
        parts.append(f"## You · {_when(run.created_at)}\n\n{items_text(run.input_items)}\n")
        parts.append(f"## {run.model or 'assistant'}{mark}\n\n{run.content or ''}\n")
    return "\n".join(parts)


def _json(session_id: str, runs: list[StoredRun]) -> dict[str, Any]:
    from routerkit.console import items_text

    return {
        "session_id": session_id,
        "turns": [
            {
                "run_id": r.run_id,
                "status": r.status,
                "created_at": r.created_at,
                "prompt": items_text(r.input_items),
                "answer": r.content,
                "model": r.model,
                "metrics": r.metrics,
            }
            for r in runs
        ],
    }


def _show(session_id: str) -> None:
    text = _markdown(session_id, _runs(session_id))
    if stdout_is_terminal():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text)


def _remove(session_id: str) -> None:
    from ._record import logbook, open_sessions

    db = open_sessions(deleting=True)
    try:
        runs = db.delete_session(session_id)
    finally:
        db.close()
    with logbook(deleting=True) as book:
        logged = book.delete_session(session_id)
    if not runs and not logged:
        raise CliError(f"no session {session_id!r}; `routerkit sessions` lists them", EXIT_USAGE)
    note(f"deleted session {session_id} ({runs} turn{'s' if runs != 1 else ''}, {logged} log entries)")


def run(args: argparse.Namespace) -> int:
    """`routerkit sessions [show|export|rm ID]`."""
    if args.action == "show":
        _show(args.session_id)
    elif args.action == "export":
        runs = _runs(args.session_id)
        if args.format == "json":
            sys.stdout.write(json.dumps(_json(args.session_id, runs), indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(_markdown(args.session_id, runs))
    elif args.action == "rm":
        _remove(args.session_id)
    else:
        return list_sessions(args)
    return EXIT_OK
