"""`routerkit chat`: an interactive conversation kept in a SQLite session store; `routerkit sessions`."""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    apply_settings,
    build_model,
    error_line,
    explain,
    note,
    reasoning_option,
    require_key,
    stderr_is_tty,
    stdout_is_terminal,
)

if TYPE_CHECKING:
    import argparse

    from routerkit.agent import Agent
    from routerkit.agent.tools import FunctionTool
    from routerkit.db.sqlite import SqliteDb
    from routerkit.models.openrouter import OpenRouterResponses
    from routerkit.tools.mcp import MCPTools

HELP = """\
commands:
  /model ID                 switch model (e.g. /model openai/gpt-4o)
  /reasoning [EFFORT|off]   reasoning on (optionally with an effort: low, medium, high, …) or off
  /attach PATH|URL          attach a file, image, audio or video to the next message
  /clear                    start a new session (the old one stays saved)
  /history                  show this session's conversation
  /help                     this help
  /exit                     leave (also Ctrl-D, or Ctrl-C twice at the prompt)
multi-line input: end a line with \\ to continue on the next line.
Ctrl-C while an answer streams stops that answer; the chat goes on."""

PROMPT = ">>> "
CONTINUATION = "... "


def new_session_id() -> str:
    """A new session's id: its start time (sortable) and a short random suffix."""
    return time.strftime("%Y%m%d-%H%M%S-") + os.urandom(2).hex()


# ---- the conversation ----------------------------------------------------------------------------------


class Chat:
    """One interactive conversation: reads messages, runs slash commands, shows answers, keeps the session."""

    def __init__(
        self,
        args: argparse.Namespace,
        db: SqliteDb,
        given: frozenset[str] = frozenset(),
        tools: Sequence[MCPTools | FunctionTool] = (),
    ) -> None:
        """`given`: which of "model" and "reasoning" the command line set (those win over a resumed session's);
        `tools`: the connected MCP servers of `--mcp` / `--mcp-url` (their tools, with `--confirm`)."""
        from routerkit.agent import Agent

        self.args = args
        self.db = db
        self.terminal = stdout_is_terminal() and not args.plain
        self.interactive = sys.stdin.isatty()
        session_id = args.session or new_session_id()
        self.reasoning = reasoning_option(args)
        model_id = args.model
        last = _last_turn(session_id) if args.log else None
        if last is not None:  # a resumed session reopens on its last model and reasoning, unless told otherwise
            if "model" not in given:
                model_id = last.model_requested
            if "reasoning" not in given:
                self.reasoning = json.loads(last.reasoning_setting) if last.reasoning_setting else None
        model = _build_model(args, model_id, self.reasoning)
        self.pending: list[str] = list(args.attach or [])  # attached to the next message
        self.agent: Agent = Agent(
            model=model,
            instructions=args.system,
            markdown=not args.plain,
            add_history_to_context=args.history > 0,
            num_history_runs=max(args.history, 1),
            session_id=session_id,
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
                effort = {"on": {"enabled": True}, "off": None}.get(value, {"effort": value})
                self._rebuild(reasoning=effort)
        elif name == "/attach":
            if not arg:
                note("usage: /attach PATH|URL")
            else:
                self.pending.append(arg)
                note(f"{arg} will go with your next message")
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
            model_id = self.args.aliases.get(model_id, model_id) if model_id else old.id
            model = _build_model(self.args, model_id, reasoning)
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
        import time

        from ._attach import describe, load_attachments
        from ._render import drive, make_view
        from ._waiting import waiting

        started = time.perf_counter()
        try:
            media, attached = load_attachments(self.pending)
        except CliError as exc:
            note(f"error: {exc}")
            self.pending = []
            return
        self.pending = []
        if attached:
            note(describe(attached))
        view = make_view(terminal=self.terminal, show_reasoning=not self.args.hide_reasoning)
        output = None
        error: BaseException | None = None
        try:
            with waiting(self.agent.model.id, enabled=stderr_is_tty(), spin=not self.args.plain) as spinner:
                events = self.agent.run(text, stream=True, stream_events=True, **media)
                output = drive(events, view, spinner, self.agent)
            if self.args.save_images:
                from .images import save_images

                for path in save_images(output.images, self.args.save_images, output.run_id):
                    note(f"saved {path}")
        except KeyboardInterrupt as exc:
            error = exc  # the view said so; the partial answer stays in the session, marked interrupted
        except Exception as exc:
            error = exc
            sys.stderr.write(f"routerkit: error: {error_line(explain(exc, self.args))}\n")
        if self.args.log:
            from ._record import record_turn

            record_turn(
                command="chat",
                prompt=text,
                system=self.args.system,
                model_requested=self.agent.model.id,
                session_id=self.agent.session_id,
                view=view,
                started=started,
                output=output,
                error=error,
                reasoning=self.reasoning,
                attachments=attached,
            )
        self.session_total()

    def turns(self) -> str:
        """ "3 turns" or "3 turns (1 failed, 1 interrupted)": only answered turns count as turns."""
        runs = self.db.get_runs(self.agent.session_id, statuses=("completed", "interrupted", "error"))
        answered = sum(r.status == "completed" for r in runs)
        failed = sum(r.status == "error" for r in runs)
        interrupted = len(runs) - answered - failed
        text = f"{answered} turn{'s' if answered != 1 else ''}"
        others = [f"{n} {what}" for n, what in ((failed, "failed"), (interrupted, "interrupted")) if n]
        return f"{text} ({', '.join(others)})" if others else text

    def session_total(self) -> None:
        """A note with the session's answered turns and total cost so far."""
        from routerkit.console import format_cost

        for s in self.db.list_sessions():
            if s.session_id == self.agent.session_id:
                note(f"session {s.session_id}: {self.turns()} · {format_cost(s.total_cost)} total")
                return

    def loop(self) -> int:
        """Read and answer messages until /exit, Ctrl-D or Ctrl-C twice."""
        prior = self.db.get_runs(self.agent.session_id, statuses=("completed", "interrupted", "error"))
        resumed = f" (resumed: {self.turns()} earlier)" if prior else ""
        effort = "off" if not self.reasoning else self.reasoning.get("effort", "on")
        note(
            f"routerkit chat · {self.agent.model.id} · reasoning {effort} · session {self.agent.session_id}"
            f"{resumed}\n"
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
        note(f"resume with: routerkit chat --session {shlex.quote(self.agent.session_id)}")
        return EXIT_OK


def _build_model(args: argparse.Namespace, model_id: str | None, reasoning: Any) -> OpenRouterResponses:
    """The chat's model; with `--save-images` it asks for image output, as `ask --save-images` does."""
    model = build_model(args, model_id=model_id, reasoning=reasoning)
    if args.save_images:
        model.modalities = ["image", "text"]
    return model


def _last_turn(session_id: str) -> Any:
    from ._record import logbook

    with logbook() as book:
        return book.last_turn(session_id)


def run(args: argparse.Namespace) -> int:
    """`routerkit chat` (or `chat --list`)."""
    if args.list:
        from .sessions import list_sessions

        return list_sessions(args)
    require_key()
    given = frozenset(
        name
        for name, value in (
            ("model", args.model),
            ("reasoning", args.effort if args.reasoning is None else args.reasoning),
        )
        if value is not None
    )
    apply_settings(args)
    if args.continue_ and not args.session:
        from ._record import logbook

        with logbook() as book:
            args.session = book.last_session()
        if args.session is None:
            raise CliError("-c: there is no earlier conversation to resume (nothing is logged yet)", EXIT_USAGE)
    if sys.stdin.isatty():
        import contextlib

        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
    from ._mcp import mcp_servers
    from ._record import open_sessions

    db = open_sessions()
    try:
        with mcp_servers(args) as tools:
            return Chat(args, db, given, tools).loop()
    finally:
        db.close()
