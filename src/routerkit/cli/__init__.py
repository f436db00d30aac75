"""The `routerkit` command: ask, chat, sessions, models, emulator, demo.

argparse only at import time; each command's module (and rich, sqlite, the emulator, uvicorn) is imported
when that command runs, so `routerkit --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ._common import EXIT_CODES_HELP, EXIT_USAGE, CliError, clean_arg, prepare_streams, report_error

__all__ = ["build_parser", "main"]

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")

_DESCRIPTION = "Agents on OpenRouter's Responses API, from the command line."
_EPILOG = (
    "environment:\n"
    "  OPENROUTER_API_KEY   your OpenRouter key (never printed)\n"
    "  OPENROUTER_BASE_URL  another endpoint, e.g. the local emulator\n"
    "  ROUTERKIT_MODEL      default model (openai/gpt-oss-20b)\n"
    "  ROUTERKIT_HOME       where sessions and caches are kept (default: the user data directory)\n\n" + EXIT_CODES_HELP
)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)


def _reasoning_value(value: str) -> str:
    if value not in (*REASONING_EFFORTS, "on", "off"):
        raise argparse.ArgumentTypeError(f"invalid effort {value!r} (choose from {', '.join(REASONING_EFFORTS)})")
    return value


def _non_negative(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be ≥ 0")
    return n


def _positive_float(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not n > 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return n


def _common_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback on errors")
    return parent


def _model_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("model")
    group.add_argument("-m", "--model", metavar="ID", help="model id (default: $ROUTERKIT_MODEL or openai/gpt-oss-20b)")
    group.add_argument(
        "--fallback",
        action="append",
        metavar="MODEL",
        help="a fallback model, tried in order if the model fails (repeatable; sent as `models`)",
    )
    group.add_argument(
        "--reasoning",
        nargs="?",
        const="on",
        type=_reasoning_value,
        metavar="EFFORT",
        help=f"ask the model to reason; optionally with an effort ({', '.join(REASONING_EFFORTS)})",
    )
    group.add_argument("--hide-reasoning", action="store_true", help="do not show the model's reasoning")
    group.add_argument("--system", metavar="TEXT", help="system prompt (instructions)")
    group.add_argument("--base-url", metavar="URL", help="API base URL (default: $OPENROUTER_BASE_URL or OpenRouter)")
    group.add_argument("--max-retries", type=_non_negative, metavar="N", help="retries on 429/5xx/network (default 2)")
    group.add_argument("--timeout", type=_positive_float, metavar="SECONDS", help="overall deadline per model call")
    group.add_argument("--plain", action="store_true", help="plain text, no live markdown, even on a terminal")
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The `routerkit` argument parser, with every command's options and help."""
    from routerkit import __version__

    common = _common_options()
    model = _model_options()
    parser = argparse.ArgumentParser(
        prog="routerkit", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=_Formatter
    )
    parser.add_argument("--version", action="version", version=f"routerkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser(
        "ask",
        parents=[common, model],
        formatter_class=_Formatter,
        help="ask one question",
        description="Ask one question. Text piped on stdin is appended to the prompt.\n"
        "On a terminal the answer is live markdown; piped, stdout gets only the answer\n"
        "(reasoning and the model/tokens/cost footer go to stderr).",
        epilog='examples:\n  routerkit ask "Why is the sky blue?"\n'
        '  cat notes.md | routerkit ask "summarise" > summary.txt\n'
        '  routerkit ask -m openai/gpt-4o --fallback anthropic/claude-sonnet-4.5 "hello"\n'
        '  routerkit ask --schema person.json "Invent a person" | jq .name\n\n' + EXIT_CODES_HELP,
    )
    ask.add_argument("prompt", nargs="*", metavar="PROMPT", help="the question (words are joined with spaces)")
    ask.add_argument("--save-images", metavar="DIR", help="ask for image output and write the images to DIR")
    ask.add_argument(
        "--schema", metavar="FILE.json", help="structured output: a JSON Schema file; prints the answer as JSON"
    )
    ask.set_defaults(handler="ask")

    chat = sub.add_parser(
        "chat",
        parents=[common, model],
        formatter_class=_Formatter,
        help="an interactive conversation, saved as a session",
        description="An interactive conversation with history, saved so it can be resumed.\n"
        "Type /help in the chat for commands.",
        epilog="multi-line input: end a line with \\ to continue on the next line.\n"
        "Ctrl-C stops the current answer; at the prompt, Ctrl-C twice or Ctrl-D exits.\n\n" + EXIT_CODES_HELP,
    )
    chat.add_argument("--session", metavar="NAME", help="resume (or start) the session NAME")
    chat.add_argument("--list", action="store_true", help="list saved sessions and exit")
    chat.add_argument(
        "--history", type=_non_negative, default=10, metavar="N", help="earlier turns sent as context (default 10)"
    )
    chat.set_defaults(handler="chat")

    sessions = sub.add_parser("sessions", parents=[common], formatter_class=_Formatter, help="list saved chat sessions")
    sessions.add_argument("--json", action="store_true", help="print JSON")
    sessions.set_defaults(handler="sessions")

    models = sub.add_parser(
        "models",
        parents=[common],
        formatter_class=_Formatter,
        help="list OpenRouter's models (cached for an hour)",
        description="List the models, with context length, prices per million tokens, and\n"
        "whether they support reasoning and tools. Cached on disk for an hour.",
    )
    models.add_argument("query", nargs="?", metavar="QUERY", help="only models whose id or name contains QUERY")
    models.add_argument("--json", action="store_true", help="print JSON")
    models.add_argument("--refresh", action="store_true", help="ignore the cache and fetch the list again")
    models.add_argument("--base-url", metavar="URL", help="API base URL (default: $OPENROUTER_BASE_URL or OpenRouter)")
    models.add_argument(
        "--modality", choices=["text", "image", "audio", "file", "video"], help="only models that take or make it"
    )
    models.add_argument("--tools", action="store_true", help="only models that support tool calls")
    models.add_argument("--reasoning", action="store_true", help="only models that can reason")
    models.set_defaults(handler="models")

    for name, what in (
        ("generation", "a past generation's exact cost, provider, latency and native tokens"),
        ("key", "the API key's limit, usage and rate limit"),
        ("credits", "the account's credits bought, used and left"),
    ):
        account = sub.add_parser(name, parents=[common], formatter_class=_Formatter, help=what, description=what)
        if name == "generation":
            account.add_argument("id", metavar="ID", help="the generation id (gen-…), as `x-generation-id` gives it")
        account.add_argument("--json", action="store_true", help="print OpenRouter's answer as JSON")
        account.add_argument(
            "--base-url", metavar="URL", help="API base URL (default: $OPENROUTER_BASE_URL or OpenRouter)"
        )
        account.set_defaults(handler=name, model=None, fallback=None, max_retries=None, timeout=None)

    emulator = sub.add_parser(
        "emulator",
        parents=[common],
        formatter_class=_Formatter,
        help="run the local OpenRouter emulator in the foreground",
        description="Run a local OpenRouter (/api/v1/responses and /api/v1/models) until Ctrl-C.\n"
        "Point routerkit at it with the printed OPENROUTER_BASE_URL and any OPENROUTER_API_KEY.",
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    emulator.add_argument("--port", type=_non_negative, default=8787, help="port (default 8787; 0 = any free port)")
    emulator.add_argument("--rpm", type=_non_negative, metavar="N", help="account rate limit: 429 past N requests/min")
    emulator.set_defaults(handler="emulator")

    sub.add_parser("batch", help="run a JSONL file of requests, resumably; `batch report` summarises the output")

    demo = sub.add_parser(
        "demo",
        parents=[common],
        formatter_class=_Formatter,
        help="run the three examples (offline on the local emulator when no API key is set)",
    )
    demo.add_argument("--offline", action="store_true", help="use the local emulator even if an API key is set")
    demo.set_defaults(handler="demo")
    return parser


def _load_handler(name: str) -> Callable[[argparse.Namespace], int]:
    if name == "ask":
        from .ask import run
    elif name == "chat":
        from .chat import run
    elif name == "sessions":
        from .chat import run_sessions as run
    elif name == "models":
        from .models import run
    elif name == "emulator":
        from .emulator import run
    elif name in ("generation", "key", "credits"):
        from .account import run
    else:
        from .demo import run
    return run


def _fix_reasoning_flag(argv: list[str]) -> list[str]:
    """`--reasoning` followed by a word that is not an effort is the flag alone, not a bad effort:
    `routerkit ask --reasoning "What is 2+2?"` means reasoning on, and that prompt."""
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg == "--":
            break
        if arg == "--reasoning" and out[i + 1] not in (*REASONING_EFFORTS, "on", "off"):
            out[i] = "--reasoning=on"
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `routerkit` command with `argv` (default: the process's arguments); return the exit code."""
    args_list = [clean_arg(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    try:
        prepare_streams()
    except CliError as exc:
        if sys.stderr is None:
            return exc.code
        return report_error(exc, debug=False)
    if args_list[:1] == ["batch"]:  # two forms (`batch IN -o OUT`, `batch report OUT`): it parses its own options
        from .batch import run_argv

        handler: Callable[[], int] = lambda: run_argv(args_list[1:])  # noqa: E731
        debug = "--debug" in args_list
    else:
        parser = build_parser()
        args = parser.parse_args(_fix_reasoning_flag(args_list))
        if not getattr(args, "handler", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        handler = lambda: _load_handler(args.handler)(args)  # noqa: E731
        debug = bool(getattr(args, "debug", False))
    try:
        return handler()
    except KeyboardInterrupt as exc:
        sys.stderr.write("\n")
        return report_error(exc, debug=False)
    except BrokenPipeError:
        # stdout closed early (`routerkit ask ... | head -1`): not an error worth a traceback
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:
        return report_error(exc, debug=debug)
