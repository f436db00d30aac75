"""`routerkit logs` (list, search, show, delete; on/off) and `routerkit usage` (totals by day and model)."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING

from ._common import EXIT_OK, EXIT_USAGE, CliError, data_home, note, stdout_is_terminal

if TYPE_CHECKING:
    import argparse

    from ._entry import Entry
    from ._logbook import Logbook


def _since(value: str | None) -> float | None:
    from ._logbook import parse_since

    if value is None:
        return None
    try:
        return parse_since(value)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def _one_line(text: str | None, width: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _cost(value: float | None) -> str:
    from routerkit.console import format_cost

    return format_cost(value) if value is not None else "-"


def _list(book: Logbook, args: argparse.Namespace) -> None:
    entries = book.recent(
        args.count, model=args.model, session=args.session, query=args.query, since=_since(args.since)
    )
    if args.json:
        sys.stdout.write(json.dumps([e.as_json() for e in entries], indent=2, ensure_ascii=False) + "\n")
        return
    if not entries:
        note("no logged turns match" if book.recent(1) else "nothing logged yet: `routerkit ask` logs every turn")
        return
    for e in entries:
        mark = "" if e.status == "completed" else f" [{e.status}]"
        head = f"#{e.id} {_when(e.created_at)} {e.model_served or e.model_requested}{mark} · {_cost(e.cost)}"
        if e.session_id:
            head += f" · session {e.session_id}"
        sys.stdout.write(f"{head}\n  > {_one_line(e.prompt, 100)}\n  {_one_line(e.answer or e.error, 100)}\n")


def _show(entry: Entry, *, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(entry.as_json(), indent=2, ensure_ascii=False) + "\n")
        return
    facts = [
        f"#{entry.id} · {_when(entry.created_at)} · {entry.command} · {entry.status}",
        f"model: {entry.model_requested}"
        + (f" (answered by {entry.model_served})" if entry.model_served not in (None, entry.model_requested) else ""),
        f"tokens: {entry.input_tokens} in, {entry.output_tokens} out, {entry.reasoning_tokens} reasoning · "
        f"cost {_cost(entry.cost)} · {entry.duration or 0:.2f} s",
    ]
    if entry.session_id:
        facts.append(f"session: {entry.session_id}")
    if entry.attachments:
        facts.append("attachments: " + ", ".join(str(a.get("name")) for a in entry.attachments))
    if entry.error:
        facts.append(f"error: {entry.error}")
    sections = [("System", entry.system), ("Prompt", entry.prompt), ("Reasoning", entry.reasoning)]
    sections.append(("Answer", entry.answer))
    if stdout_is_terminal():
        from rich.console import Console
        from rich.markdown import Markdown

        console = Console()
        console.print("\n".join(facts), style="dim", markup=False, highlight=False)
        for title, text in sections:
            if text:
                console.rule(title, style="dim")
                console.print(Markdown(text) if title == "Answer" else text, markup=False, highlight=False)
        return
    out = "\n".join(facts) + "\n"
    for title, text in sections:
        if text:
            out += f"\n## {title}\n\n{text}\n"
    sys.stdout.write(out)


def _set_logging(on: bool) -> None:
    from ._config import load_config

    config = load_config(data_home())
    if on:
        config.settings.pop("log", None)
    else:
        config.settings["log"] = False
    config.save()
    note("logging is on: every ask and chat turn is kept" if on else "logging is off (`routerkit logs on` to resume)")


def run_logs(args: argparse.Namespace) -> int:
    """`routerkit logs [show|rm ID | on|off|status]`."""
    if args.action in ("on", "off"):
        _set_logging(args.action == "on")
        return EXIT_OK
    from ._record import LOG_FILE, logbook

    if args.action == "status":
        from ._config import load_config

        on = load_config(data_home()).settings.get("log", True)
        sys.stdout.write(f"logging is {'on' if on else 'off'}; the log is {data_home() / LOG_FILE}\n")
        return EXIT_OK
    with logbook(deleting=args.action == "rm") as book:
        if args.action == "show":
            entry = book.get(args.log_id)
            if entry is None:
                raise CliError(f"no log entry #{args.log_id}; `routerkit logs` lists them", EXIT_USAGE)
            _show(entry, as_json=args.json)
        elif args.action == "rm":
            if not book.delete(args.log_id):
                raise CliError(f"no log entry #{args.log_id}; `routerkit logs` lists them", EXIT_USAGE)
            note(f"deleted log entry #{args.log_id}")
        else:
            _list(book, args)
    return EXIT_OK


def run_usage(args: argparse.Namespace) -> int:
    """`routerkit usage`: turns, tokens and cost by day and model, with a total."""
    from ._record import logbook

    with logbook() as book:
        rows = [dict(row) for row in book.usage(since=_since(args.since), model=args.model)]
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not rows:
        note("nothing logged yet: `routerkit ask` logs every turn")
        return EXIT_OK
    header = ("day", "model", "turns", "input", "output", "reasoning", "cost")
    table = [
        (
            r["day"],
            r["model"],
            str(r["turns"]),
            str(r["input_tokens"]),
            str(r["output_tokens"]),
            str(r["reasoning_tokens"]),
            f"${r['cost']:.6f}",
        )
        for r in rows
    ]
    total = (
        "total",
        "",
        *(str(sum(r[k] for r in rows)) for k in ("turns", "input_tokens", "output_tokens", "reasoning_tokens")),
        f"${sum(r['cost'] for r in rows):.6f}",
    )
    widths = [max(len(line[i]) for line in (header, *table, total)) for i in range(len(header))]
    for line in (header, *table, total):
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        sys.stdout.write("  ".join(cells).rstrip() + "\n")
    return EXIT_OK
