"""The `routerkit` command: ask, chat, sessions, models, emulator, serve, demo.

argparse only at import time; each command's module (and rich, sqlite, the emulator, uvicorn) is imported
when that command runs, so `routerkit --help` stays fast.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

from ._common import EXIT_CODES_HELP, EXIT_USAGE, CliError, HelpFormatter, clean_arg, prepare_streams, report_error

__all__ = ["REASONING_EFFORTS", "build_parser", "console_entry", "main"]

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")

_DESCRIPTION = "Agents on OpenRouter's Responses API, from the command line."
_EPILOG = (
    "environment:\n"
    "  OPENROUTER_API_KEY   your OpenRouter key (never printed)\n"
    "  OPENROUTER_BASE_URL  another endpoint, e.g. the local emulator\n"
    "  ROUTERKIT_MODEL      default model (openai/gpt-oss-20b)\n"
    "  ROUTERKIT_HOME       where sessions, logs, config.toml and caches are kept (default: the user data\n"
    "                       directory)\n\n"
    + EXIT_CODES_HELP
    + "\ndocs: README.md in the routerkit repository (library, CLI, emulator, batches);\n"
    "`routerkit COMMAND --help` shows each command's options and examples."
)


#: every command: its one-line summary (the top-level help lists these, so `routerkit --help` builds no
#: command's parser) and the "module:function" of its handler, imported only when the command runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("ask one question", "ask:run"),
    "chat": ("an interactive conversation, saved as a session", "chat:run"),
    "sessions": ("list, show, export or delete saved conversations", "sessions:run"),
    "logs": ("every ask and chat turn: list, search, show, delete; `logs off` stops logging", "logs:run_logs"),
    "usage": ("cost and tokens by day and model, from the logs", "logs:run_usage"),
    "models": ("list OpenRouter's models (cached for an hour)", "models:run"),
    "emulator": ("run the local OpenRouter emulator in the foreground", "emulator:run"),
    "serve": ("serve an Agent as a Responses endpoint with a web chat page", "serve:run"),
    "generation": ("a past generation's exact cost, provider, latency and native tokens", "account:run"),
    "key": ("the API key's limit, usage and rate limit", "account:run"),
    "credits": ("the account's credits bought, used and left", "account:run"),
    "batch": ("run a JSONL file of requests, resumably; `batch report` summarises the output", "batch:run_argv"),
    "demo": ("run the three examples (offline on the local emulator when no API key is set)", "demo:run"),
    "config": ("defaults kept in config.toml (model, system prompt, effort, …)", "config:run_config"),
    "alias": ("short names for models (`-m fast`)", "config:run_alias"),
    "completion": ("print a shell completion script (bash, zsh, fish)", "completion:run"),
}

_COMMAND_LIST = "commands:\n" + "".join(f"  {name:<12}{summary}\n" for name, (summary, _) in COMMANDS.items())


def _builders() -> dict[str, Callable[[Subparsers, str, list[argparse.ArgumentParser]], None]]:
    from . import _commands as c
    from . import _parsers as p

    return {
        "ask": p.ask_parser,
        "chat": p.chat_parser,
        "sessions": c.sessions_parser,
        "logs": c.logs_parser,
        "usage": c.usage_parser,
        "models": p.models_parser,
        "emulator": p.emulator_parser,
        "serve": p.serve_parser,
        "generation": p.account_parser,
        "key": p.account_parser,
        "credits": p.account_parser,
        "batch": p.batch_parser,
        "demo": p.demo_parser,
        "config": c.config_parser,
        "alias": c.alias_parser,
        "completion": c.completion_parser,
    }


def build_parser(commands: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `routerkit` argument parser with the parsers of `commands` (default: all of them). Building a
    parser costs a millisecond or more, so a run builds only its own command's (`routerkit --help`: none)."""
    from routerkit import __version__

    parser = argparse.ArgumentParser(
        prog="routerkit",
        usage="routerkit [-h] [--version] [--debug] COMMAND ...",
        description=f"{_DESCRIPTION}\n\n{_COMMAND_LIST}",
        epilog=_EPILOG,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"routerkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command", prog="routerkit", help=argparse.SUPPRESS)
    names = list(COMMANDS if commands is None else commands)
    if names:
        from ._parsers import common_options, model_options

        builders = _builders()
        common, model = common_options(), model_options() if {"ask", "chat"} & set(names) else None
        for name in names:
            builders[name](sub, name, [common, model] if model and name in ("ask", "chat") else [common])
    return parser


def _load_handler(name: str) -> Callable[[argparse.Namespace], int]:
    import importlib

    module, function = COMMANDS[name][1].split(":")
    handler: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(f".{module}", __name__), function)
    return handler


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
        from ._usage import command_word, parse

        word = command_word(args_list)
        parser = build_parser([word] if word in COMMANDS else [])
        args = parse(parser, args_list)
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


def console_entry() -> NoReturn:
    """The `routerkit` executable (and `python -m routerkit.cli`): `main`, then exit with its code.

    Most of what a command allocates is its modules, alive until exit. At the collector's default threshold
    (700 new objects) an `ask` ran ~67 collections while importing, 23 ms of CPU that freed nothing; at 50,000
    a short command never collects, and a long-running one (`chat`, `batch`, `serve`) still does, less often.
    What is alive when the command ends is frozen out of the collector before exit: the interpreter's last
    collections would otherwise walk every object of every imported module, a fifth of the CPU of a whole
    `routerkit ask`. Exit handlers still run and files still close as usual."""
    gc.set_threshold(50_000, 10, 10)
    code = main()
    gc.freeze()
    sys.exit(code)
