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
    build_model,
    note,
    reasoning_option,
    require_key,
    stdout_is_terminal,
)

if TYPE_CHECKING:
    import argparse


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


def run(args: argparse.Namespace) -> int:
    """`routerkit ask`: one streamed answer; exit 8 when the response was not completed."""
    from routerkit.agent import Agent

    from ._render import drive, make_view

    prompt = read_prompt(args.prompt)
    text_format = load_schema(args.schema) if args.schema else None
    require_key()
    model = build_model(
        args,
        reasoning=reasoning_option(args.reasoning),
        text={"format": text_format} if text_format else None,
    )
    if args.save_images:
        model.modalities = ["image", "text"]
    terminal = stdout_is_terminal() and not args.plain
    # The same prompt whether stdout is a terminal or a file: markdown is asked for unless --plain or --schema.
    agent = Agent(model=model, instructions=args.system, markdown=not (args.plain or text_format))
    show_reasoning = not args.hide_reasoning
    view = make_view(terminal=terminal, show_reasoning=show_reasoning, show_answer=not text_format)
    output = drive(agent.run(prompt, stream=True), view)
    if text_format:
        print_json(output.content or "", terminal=terminal)
    if args.save_images:
        from .images import save_images

        for path in save_images(output.images, args.save_images, output.run_id):
            note(f"saved {path}")
    return EXIT_OK if output.status == "completed" else 8


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
