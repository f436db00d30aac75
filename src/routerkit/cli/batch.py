"""`routerkit batch IN.jsonl -o OUT.jsonl` and `routerkit batch report OUT.jsonl`.

The output file is the checkpoint: each finished row is appended and flushed as it finishes, so after a
crash or Ctrl-C the same command skips the rows already there (a torn last line is cut) and sends only the
rest — a finished row is never paid for twice. The engine is `routerkit.batch.Batch`; this module reads
options, rows and the checkpoint, shows progress on stderr and prints a JSON summary on stdout.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import EXIT_OK, CliError, default_model, require_key, stderr_is_terminal
from ._parsers import at_least, positive_float

if TYPE_CHECKING:
    from routerkit.agent import Agent
    from routerkit.batch import Batch, BatchRow

__all__ = ["run_argv"]

_EPILOG = """\
input lines (JSONL), either format:
  {"custom_id": "q1", "method": "POST", "url": "/v1/responses", "body": {"model": "...", "input": "..."}}
  {"custom_id": "q1", "input": "What is 2+2?", "model": "openai/gpt-4o"?, "instructions": "..."?}

examples:
  routerkit batch questions.jsonl -o answers.jsonl -m openai/gpt-4o-mini --concurrency 32 --rpm 600
  routerkit batch questions.jsonl -o compare.jsonl --models openai/gpt-4o,anthropic/claude-sonnet-4.5
  routerkit batch questions.jsonl -o answers.jsonl --retry-errors     # run the failed rows again
  routerkit batch report answers.jsonl --format markdown
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="routerkit batch",
        description="Run every line of a JSONL file through a model, resumably.\n"
        "`routerkit batch report OUT.jsonl` summarises an output file per model.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="IN.jsonl", help="requests, one JSON object a line")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.jsonl", help="results; also the checkpoint")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("-m", "--model", metavar="ID", help="model for rows that name none (default: $ROUTERKIT_MODEL)")
    which.add_argument("--models", metavar="A,B,C", help="run every row on each of these models, for comparisons")
    which.add_argument("--agent", metavar="MODULE:ATTR", help="an Agent (or a function returning one) run per row")
    parser.add_argument("--concurrency", type=at_least(0), default=16, metavar="N", help="calls in flight (16)")
    parser.add_argument("--rpm", type=positive_float, metavar="N", help="requests per minute, spread evenly")
    parser.add_argument("--tpm", type=positive_float, metavar="N", help="tokens per minute, spread evenly")
    parser.add_argument("--max-cost", type=positive_float, metavar="USD", help="stop starting rows past this cost")
    parser.add_argument("--max-retries", type=at_least(0), default=6, metavar="N", help="retries a row (6)")
    parser.add_argument("--retry-errors", action="store_true", help="run again the rows whose output is an error")
    parser.add_argument("--base-url", metavar="URL", help="API base URL (default: $OPENROUTER_BASE_URL or OpenRouter)")
    parser.add_argument("--timeout", type=positive_float, metavar="SECONDS", help="deadline per call (600)")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return parser


def _report_parser() -> argparse.ArgumentParser:
    from routerkit.batch._report import FORMATS

    parser = argparse.ArgumentParser(
        prog="routerkit batch report",
        description="Per model: rows ok, errors by kind, latency p50/p95, tokens, total and per-row cost.",
    )
    parser.add_argument("output", metavar="OUT.jsonl", help="the -o file of a `routerkit batch` run")
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="markdown (default), csv or json")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return parser


def run_argv(argv: list[str]) -> int:
    """Entry point from `routerkit batch ...` (it has two forms, so it parses its own arguments)."""
    if argv[:1] == ["report"]:
        return _report(_report_parser().parse_args(argv[1:]))
    return _run(_parser().parse_args(argv))


def _report(args: argparse.Namespace) -> int:
    from routerkit.batch._report import format_report, read_report

    sys.stdout.write(format_report(read_report(Path(args.output)), args.format))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from routerkit.batch import Batch
    from routerkit.batch._jsonl import read_checkpoint, read_rows

    source, out = Path(args.input), Path(args.output)
    if not source.is_file():
        raise CliError(f"{source}: no such file")
    if source.resolve() == out.resolve():
        raise CliError("-o must be another file than the input")
    require_key()
    agent = _load_agent(args.agent) if args.agent else None
    model = None if agent else _model(args)
    batch = Batch(
        model=model,
        agent=agent,
        concurrency=args.concurrency,
        rpm=args.rpm,
        tpm=args.tpm,
        max_cost=args.max_cost,
        max_retries=args.max_retries,
    )
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    default = model.id if model is not None else agent().model.id if agent else default_model()
    rows = sum(1 for _ in _checked_ids(read_rows(source)))  # every line valid, ids unique: before any request
    done = read_checkpoint(out, retry_errors=args.retry_errors)
    jobs = _jobs(read_rows(source), models, default, done)
    total = rows * (len(models) if models else 1)
    started = time.perf_counter()
    show = _Progress(batch, total, len(done))
    try:
        asyncio.run(_write(batch, jobs, out, show))
    finally:
        show.close()
    elapsed = time.perf_counter() - started
    stats = batch.stats
    summary = {
        "input": str(source),
        "output": str(out),
        "rows": total,
        "skipped": len(done),
        "ran": stats.done,
        "ok": stats.done - stats.errors,
        "errors": stats.errors,
        "cost_usd": round(stats.cost, 10),
        "elapsed_s": round(elapsed, 3),
        "rows_per_s": round(stats.done / elapsed, 2) if elapsed > 0 else None,
        "rate_limited": stats.rate_limited,
        "retries": stats.retries,
        "stopped": stats.stopped,
    }
    if not show.live:
        sys.stderr.write(
            f"routerkit batch: {summary['ok']} ok, {stats.errors} errors, {len(done)} already done, "
            f"${stats.cost:.4f}, {summary['rows_per_s']} rows/s"
            + (" — stopped: --max-cost reached" if stats.stopped == "max_cost" else "")
            + "\n"
        )
    sys.stdout.write(json.dumps(summary) + "\n")
    return EXIT_OK


async def _write(batch: Batch, jobs: Iterator[BatchRow], out: Path, show: _Progress) -> None:
    from routerkit.batch._jsonl import result_line

    with out.open("a", encoding="utf-8") as f:
        async for result in batch.arun(jobs):
            f.write(json.dumps(result_line(result)) + "\n")
            f.flush()
            show.update()


def _checked_ids(rows: Iterator[tuple[int, BatchRow]]) -> Iterator[str]:
    seen: set[str] = set()
    for number, row in rows:
        if row.custom_id in seen:
            raise CliError(f"line {number}: custom_id {row.custom_id!r} appears twice; each row needs its own id")
        seen.add(row.custom_id)
        yield row.custom_id


def _jobs(
    rows: Iterator[tuple[int, BatchRow]], models: list[str] | None, default: str, done: set[tuple[str, str]]
) -> Iterator[BatchRow]:
    """The rows still to run: each on each model of `--models`, without those the output already holds."""
    for _, row in rows:
        for model in models or [row.model or default]:
            if (row.custom_id, model) not in done:
                yield dataclasses.replace(row, model=model)


def _model(args: argparse.Namespace) -> Any:
    from routerkit.models.openrouter import OpenRouterResponses

    kwargs: dict[str, Any] = {"id": args.model or default_model(), "app_title": "routerkit batch"}
    if args.base_url:
        kwargs["base_url"] = args.base_url
    if args.timeout:
        kwargs["timeout"] = args.timeout
    return OpenRouterResponses(**kwargs)


def _load_agent(spec: str) -> Callable[[], Agent]:
    """`module:attr` → a function giving a fresh Agent per row (rows must not share a conversation)."""
    import importlib
    import os
    import uuid

    from routerkit.agent import Agent
    from routerkit.db.memory import InMemoryDb

    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise CliError(f"--agent must be MODULE:ATTR such as mypkg.agents:grader, got {spec!r}")
    sys.path.insert(0, os.getcwd())
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise CliError(f"--agent {spec}: {exc}") from None
    if isinstance(target, Agent):
        template = target

        def fresh() -> Agent:
            db = None if isinstance(template.db, InMemoryDb) else template.db
            return dataclasses.replace(template, session_id=str(uuid.uuid4()), db=db)

        return fresh
    if callable(target):
        return lambda: _checked_agent(target(), spec)
    raise CliError(f"--agent {spec} is a {type(target).__name__}, not an Agent or a function returning one")


def _checked_agent(value: Any, spec: str) -> Agent:
    from routerkit.agent import Agent

    if not isinstance(value, Agent):
        raise CliError(f"--agent {spec} returned a {type(value).__name__}, not an Agent")
    return value


class _Progress:
    """A rich progress bar on a terminal (rows, rate, errors, cost, ETA); nothing until the summary otherwise."""

    def __init__(self, batch: Batch, total: int, skipped: int) -> None:
        self.batch = batch
        self.live = stderr_is_terminal()
        self._bar: Any = None
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("batch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[facts]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._task = self._bar.add_task("batch", total=total, completed=skipped, facts="")
            self._bar.start()
        self._started = time.perf_counter()

    def update(self) -> None:
        if self._bar is None:
            return
        stats = self.batch.stats
        rate = stats.done / max(time.perf_counter() - self._started, 1e-9)
        facts = f"{rate:.1f} rows/s · {stats.errors} errors · ${stats.cost:.4f}"
        self._bar.update(self._task, advance=1, facts=facts)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
