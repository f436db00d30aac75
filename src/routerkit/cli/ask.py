"""`routerkit ask PROMPT`: one question, one answer."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    apply_settings,
    build_model,
    explain,
    note,
    reasoning_option,
    require_key,
    stderr_is_tty,
    stdout_is_terminal,
)

if TYPE_CHECKING:
    import argparse

    from routerkit.db import InMemoryDb, StoredRun


def read_prompt(parts: list[str]) -> str:
    """The prompt words, with anything piped on stdin appended (stdin is only read when it is not a tty)."""
    prompt = " ".join(parts).strip()
    piped = ""
    stdin = sys.stdin
    if stdin is not None and not stdin.isatty():
        piped = stdin.read()
    if piped.strip():
        prompt = f"{prompt}\n\n{piped}" if prompt else piped
    if not prompt.strip():
        raise CliError("no prompt: pass one as an argument, or pipe text on stdin", EXIT_USAGE)
    return prompt


def load_schema(path: str) -> dict[str, Any]:
    """The `text.format` for `--schema FILE.json`: a bare JSON Schema, or `{"name": ..., "schema": {...}}`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"cannot read --schema {path}: {exc.strerror or exc}", EXIT_USAGE) from None
    except ValueError as exc:
        raise CliError(f"--schema {path} is not valid JSON: {exc}", EXIT_USAGE) from None
    if not isinstance(data, dict):
        raise CliError(f"--schema {path} must hold a JSON object (a JSON Schema)", EXIT_USAGE)
    if isinstance(data.get("schema"), dict) and "type" not in data:
        name, schema = data.get("name"), data["schema"]
        strict = data.get("strict", True)
    else:
        name, schema, strict = None, data, True
    if not isinstance(name, str) or not name:
        name = schema.get("title") if isinstance(schema.get("title"), str) else Path(path).stem
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:64] or "output"
    return {"type": "json_schema", "name": name, "schema": schema, "strict": bool(strict)}


def _session(args: argparse.Namespace) -> tuple[str | None, bool]:
    """The conversation this turn belongs to, and whether it continues an earlier one: `--session ID`,
    `-c` (the last logged conversation), else a new one when the turn is kept at all."""
    from .chat import new_session_id

    if args.session:
        return args.session, True
    if args.continue_:
        from ._record import logbook

        with logbook() as book:
            last = book.last_session()
        if last is None:
            raise CliError("-c: there is no earlier conversation to continue (nothing is logged yet)", EXIT_USAGE)
        return last, True
    return (new_session_id(), False) if args.log else (None, False)


def _turn_store(session_id: str, continued: bool) -> tuple[InMemoryDb, frozenset[str]]:
    """The session store the turn runs with, and the ids of the runs it holds before the turn.

    It is in memory, holding the conversation's earlier runs when the turn continues one; the turn's new runs
    are then kept through the inbox with its log entry: one append, where writing the session store's file
    cost two SQLite commits and an fsync.
    """
    from routerkit.db.base import RUN_STATUSES
    from routerkit.db.memory import InMemoryDb

    db = InMemoryDb()
    if continued:
        from ._record import open_sessions

        with open_sessions() as stored:
            db.import_runs(stored.get_runs(session_id, statuses=RUN_STATUSES))
    return db, frozenset(run.run_id for run in db.get_runs(session_id, statuses=RUN_STATUSES))


def _new_runs(db: InMemoryDb | None, session_id: str | None, earlier: frozenset[str]) -> list[StoredRun]:
    """The runs this turn added to its session (none without a session). The store is in memory: nothing to
    close."""
    if db is None or session_id is None:
        return []
    from routerkit.db.base import RUN_STATUSES

    return [run for run in db.get_runs(session_id, statuses=RUN_STATUSES) if run.run_id not in earlier]


def run(args: argparse.Namespace) -> int:
    """`routerkit ask`: one streamed answer, logged; exit 8 when the response was not completed."""
    import time

    from routerkit.agent import Agent
    from routerkit.run.base import RunStatus

    from ._attach import describe, load_attachments
    from ._mcp import mcp_servers
    from ._render import drive, make_view
    from ._waiting import waiting

    started = time.perf_counter()
    prompt = read_prompt(args.prompt)
    text_format = load_schema(args.schema) if args.schema else None
    media, attached = load_attachments(args.attach or [])
    require_key()
    apply_settings(args)
    reasoning = reasoning_option(args)
    model = build_model(
        args,
        reasoning=reasoning,
        text={"format": text_format} if text_format else None,
    )
    if args.save_images:
        model.modalities = ["image", "text"]
    session_id, continued = _session(args)
    db, earlier = _turn_store(session_id, continued) if session_id is not None else (None, frozenset[str]())
    terminal = stdout_is_terminal() and not args.plain
    # The same prompt whether stdout is a terminal or a file: markdown is asked for unless --plain or --schema.
    session: dict[str, Any] = {"db": db, "session_id": session_id} if db is not None else {}
    view = make_view(terminal=terminal, show_reasoning=not args.hide_reasoning, show_answer=not text_format)
    if attached and stderr_is_tty():
        note(describe(attached))
    output = None
    error: BaseException | None = None
    try:
        with mcp_servers(args) as tools:
            agent = Agent(
                model=model,
                instructions=args.system,
                markdown=not (args.plain or text_format),
                add_history_to_context=continued,
                tools=tools,
                **session,
            )
            with waiting(model.id, enabled=stderr_is_tty(), spin=not args.plain) as spinner:
                output = drive(agent.run(prompt, stream=True, stream_events=True, **media), view, spinner, agent)
        if text_format:
            print_json(output.content or "", terminal=terminal)
        if args.save_images:
            from .images import save_images

            for path in save_images(output.images, args.save_images, output.run_id):
                note(f"saved {path}")
    except BaseException as exc:
        error = exc
        raise explain(exc, args) from None
    finally:
        if db is not None or args.log:
            from ._record import record_turn

            record_turn(
                command="ask",
                prompt=prompt,
                system=args.system,
                model_requested=model.id,
                session_id=session_id,
                view=view,
                started=started,
                output=output,
                error=error,
                reasoning=reasoning,
                attachments=attached,
                log=args.log,
                runs=_new_runs(db, session_id, earlier),
            )
    assert output is not None
    return EXIT_OK if output.status == RunStatus.completed else 8


def print_json(text: str, *, terminal: bool) -> None:
    """A structured answer as indented JSON (highlighted on a terminal); not JSON is an output error."""
    from routerkit.errors import OutputValidationError

    try:
        value = json.loads(text)
    except ValueError:
        raise OutputValidationError(f"the answer is not valid JSON: {text[:120]!r}", raw_text=text) from None
    rendered = json.dumps(value, indent=2, ensure_ascii=False)
    if terminal:
        from rich.console import Console

        Console().print_json(rendered)
    else:
        sys.stdout.write(rendered + "\n")
        sys.stdout.flush()
