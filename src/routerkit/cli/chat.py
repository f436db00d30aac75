"""`routerkit chat`: an interactive conversation kept in a SQLite session store; `routerkit sessions`."""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._common import (
    EXIT_OK,
    build_model,
    data_home,
    error_line,
    note,
    reasoning_option,
    require_key,
    stdout_is_terminal,
)

if TYPE_CHECKING:
    import argparse

    from routerkit.agent import Agent
    from routerkit.db.sqlite import SqliteDb
    from routerkit.tools.mcp import MCPTools

HELP = """\
commands:
  /model ID                 switch model (e.g. /model openai/gpt-4o)
  /reasoning [EFFORT|off]   reasoning on (optionally with an effort: low, medium, high, …) or off
  /clear                    start a new session (the old one stays saved)
  /history                  show this session's conversation
  /help                     this help
  /exit                     leave (also Ctrl-D, or Ctrl-C twice at the prompt)
multi-line input: end a line with \\ to continue on the next line.
Ctrl-C while an answer streams stops that answer; the chat goes on."""

PROMPT = ">>> "
CONTINUATION = "... "


def open_db() -> SqliteDb:
    """The session store in the data directory."""
    from routerkit.db.sqlite import SqliteDb

    return SqliteDb(data_home() / "sessions.sqlite")


def new_session_id() -> str:
    """A new session's id: its start time (sortable) and a short random suffix."""
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:4]


# ---- routerkit sessions / chat --list ------------------------------------------------------------------


def run_sessions(args: argparse.Namespace) -> int:
    """`routerkit sessions`: a table on a terminal, tab-separated lines or JSON otherwise."""
    db = open_db()
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

    def when(ts: float) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))

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
            table.add_row(s.session_id, str(s.runs), when(s.updated_at), format_cost(s.total_cost), s.title or "")
        Console().print(table)
    else:
        sys.stdout.write("session\truns\tlast_used\tcost\ttitle\n")
        for s in sessions:
            title = (s.title or "").replace("\t", " ")
            sys.stdout.write(f"{s.session_id}\t{s.runs}\t{when(s.updated_at)}\t{s.total_cost:.6f}\t{title}\n")
    return EXIT_OK


# ---- the conversation ----------------------------------------------------------------------------------


class Chat:
    """One interactive conversation: reads messages, runs slash commands, shows answers, keeps the session."""

    def __init__(self, args: argparse.Namespace, db: SqliteDb, tools: Sequence[MCPTools] = ()) -> None:
        from routerkit.agent import Agent

        self.args = args
        self.db = db
        self.terminal = stdout_is_terminal() and not args.plain
        self.interactive = sys.stdin.isatty()
        self.reasoning = reasoning_option(args.reasoning)
        model = build_model(args, reasoning=self.reasoning)
        self.agent: Agent = Agent(
            model=model,
            instructions=args.system,
            markdown=not args.plain,
            add_history_to_context=args.history > 0,
            num_history_runs=max(args.history, 1),
            session_id=args.session or new_session_id(),
            db=db,
            tools=list(tools),
        )

    # -- input ------------------------------------------------------------------------------------------

    def read_message(self) -> str | None:
        """The next message; None to leave (EOF, or Ctrl-C twice at the prompt)."""
        lines: list[str] = []
        interrupted = False
        while True:
            prompt = (CONTINUATION if lines else PROMPT) if self.interactive else ""
            try:
                line = input(prompt)
            except EOFError:
                if self.interactive:
                    sys.stdout.write("\n")
                return None
            except KeyboardInterrupt:
                if interrupted and not lines:
                    sys.stdout.write("\n")
                    return None
                interrupted = not lines
                lines = []
                sys.stdout.write("\n")
                if interrupted:
                    note("(Ctrl-C again or Ctrl-D to exit)")
                continue
            interrupted = False
            if line.endswith("\\"):
                lines.append(line[:-1])
                continue
            lines.append(line)
            text = "\n".join(lines)
            if not text.strip():
                lines = []
                continue
            return text

    # -- commands ---------------------------------------------------------------------------------------

    def command(self, text: str) -> bool:
        """Run a slash command; False to leave the chat."""
        name, _, arg = text.strip().partition(" ")
        arg = arg.strip()
        if name in ("/exit", "/quit", "/q"):
            return False
        if name in ("/help", "/?"):
            sys.stdout.write(HELP + "\n")
        elif name == "/model":
            if not arg:
                note(f"model: {self.agent.model.id}")
            else:
                self._rebuild(model_id=arg)
        elif name == "/reasoning":
            value = arg or "on"
            from . import REASONING_EFFORTS

            if value not in (*REASONING_EFFORTS, "on", "off"):
                note(f"unknown effort {value!r}; use one of {', '.join(REASONING_EFFORTS)}, or off")
            else:
                self._rebuild(reasoning=reasoning_option(value))
        elif name == "/clear":
            self.agent.session_id = new_session_id()
            note(f"new session {self.agent.session_id}")
        elif name == "/history":
            self.show_history()
        else:
            note(f"unknown command {name}; /help lists the commands")
        return True

    def _rebuild(self, *, model_id: str | None = None, reasoning: Any = ...) -> None:
        old = self.agent.model
        if reasoning is ...:
            reasoning = self.reasoning
        try:
            model = build_model(self.args, model_id=model_id or old.id, reasoning=reasoning)
        except Exception as exc:
            note(f"error: {error_line(exc)}")
            return
        self.agent.model = model
        self.reasoning = reasoning
        effort = "off" if not reasoning else reasoning.get("effort", "on")
        note(f"model {model.id} · reasoning {effort}")

    def show_history(self) -> None:
        """`/history`: this session's turns, as stored."""
        from routerkit.console import items_text

        runs = self.db.get_runs(self.agent.session_id, statuses=("completed", "interrupted", "error"))
        if not runs:
            note("(no messages in this session yet)")
            return
        for stored in runs:
            sys.stdout.write(f"you: {items_text(stored.input_items)}\n")
            status = "" if stored.status == "completed" else f" [{stored.status}]"
            sys.stdout.write(f"assistant ({stored.model or '?'}){status}: {stored.content or ''}\n\n")
        sys.stdout.flush()

    # -- answers ----------------------------------------------------------------------------------------

    def answer(self, text: str) -> None:
        """Run one turn and show it; an error or Ctrl-C ends the turn, not the chat."""
        from ._render import drive, make_view

        view = make_view(terminal=self.terminal, show_reasoning=not self.args.hide_reasoning)
        try:
            drive(self.agent.run(text, stream=True, stream_events=True), view)
        except KeyboardInterrupt:
            pass  # the view said so; the partial answer stays in the session's history
        except Exception as exc:
            sys.stderr.write(f"routerkit: error: {error_line(exc)}\n")
        self.session_total()

    def session_total(self) -> None:
        """A note with the session's runs and total cost so far."""
        from routerkit.console import format_cost

        for s in self.db.list_sessions():
            if s.session_id == self.agent.session_id:
                runs = f"{s.runs} run{'s' if s.runs != 1 else ''}"
                note(f"session {s.session_id}: {runs} · {format_cost(s.total_cost)} total")
                return

    def loop(self) -> int:
        """Read and answer messages until /exit, Ctrl-D or Ctrl-C twice."""
        prior = self.db.get_runs(self.agent.session_id, statuses=("completed", "interrupted", "error"))
        resumed = f" (resumed: {len(prior)} earlier turn{'s' if len(prior) != 1 else ''})" if prior else ""
        note(
            f"routerkit chat · {self.agent.model.id} · session {self.agent.session_id}{resumed}\n"
            "/help for commands · Ctrl-D or /exit to leave"
        )
        while True:
            text = self.read_message()
            if text is None:
                break
            if text.lstrip().startswith("/"):
                if not self.command(text):
                    break
                continue
            self.answer(text)
        note(f"resume with: routerkit chat --session {self.agent.session_id}")
        return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """`routerkit chat` (or `chat --list`)."""
    if args.list:
        return run_sessions(args)
    require_key()
    if sys.stdin.isatty():
        import contextlib

        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
    from ._mcp import mcp_servers

    db = open_db()
    try:
        with mcp_servers(args) as tools:
            return Chat(args, db, tools).loop()
    finally:
        db.close()
