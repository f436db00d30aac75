"""The `routerkit` command: ask, chat, sessions, models, emulator, serve, demo.

argparse only at import time; each command's module (and rich, sqlite, the emulator, uvicorn) is imported
when that command runs, so `routerkit --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ._common import EXIT_CODES_HELP, EXIT_USAGE, CliError, HelpFormatter, clean_arg, prepare_streams, report_error

__all__ = ["REASONING_EFFORTS", "build_parser", "main"]

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
    group.add_argument(
        "-m", "--model", metavar="ID", help="model id or alias (default: $ROUTERKIT_MODEL, config, openai/gpt-oss-20b)"
    )
    group.add_argument(
        "--fallback",
        action="append",
        metavar="MODEL",
        help="a fallback model, tried in order if the model fails (repeatable; sent as `models`)",
    )
    group.add_argument(
        "--reasoning",
        action=argparse.BooleanOptionalAction,
        help="ask the model to reason (--no-reasoning: do not, whatever the config says)",
    )
    group.add_argument(
        "--effort", choices=REASONING_EFFORTS, metavar="LEVEL", help=f"reasoning effort: {', '.join(REASONING_EFFORTS)}"
    )
    group.add_argument("--hide-reasoning", action="store_true", help="do not show the model's reasoning")
    group.add_argument("-s", "--system", metavar="TEXT", help="system prompt (instructions)")
    group.add_argument("--base-url", metavar="URL", help="API base URL (default: $OPENROUTER_BASE_URL or OpenRouter)")
    group.add_argument("--max-retries", type=_non_negative, metavar="N", help="retries on 429/5xx/network (default 2)")
    group.add_argument("--timeout", type=_positive_float, metavar="SECONDS", help="overall deadline per model call")
    group.add_argument("--plain", action="store_true", help="plain text, no live markdown, even on a terminal")
    group.add_argument("--no-log", action="store_true", help="keep no log of this turn (see `routerkit logs`)")
    group.add_argument(
        "-a",
        "--attach",
        action="append",
        metavar="PATH|URL",
        help="attach an image, PDF or other file, audio or video (repeatable)",
    )
    tools = parent.add_argument_group("tools")
    tools.add_argument(
        "--mcp",
        action="append",
        metavar='"COMMAND ARGS"',
        help="give the model the tools of an MCP server started with this command, over stdio (repeatable)",
    )
    tools.add_argument(
        "--mcp-url",
        action="append",
        metavar="URL",
        help="the tools of an MCP server at URL, streamable HTTP (repeatable)",
    )
    return parent


def _ask_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    ask = sub.add_parser(
        "ask",
        parents=parents,
        formatter_class=HelpFormatter,
        help="ask one question",
        description="Ask one question. Text piped on stdin is appended to the prompt.\n"
        "On a terminal the answer is live markdown; piped, stdout gets only the answer\n"
        "(reasoning and the model/tokens/cost footer go to stderr). Every turn is logged\n"
        "(`routerkit logs`) unless --no-log or `routerkit logs off`.",
        epilog='examples:\n  routerkit ask "Why is the sky blue?"\n'
        '  cat notes.md | routerkit ask "summarise" > summary.txt\n'
        '  routerkit ask -c "and in one sentence?"        # continue the last conversation\n'
        '  routerkit ask --reasoning --effort high "What is 25 * 37?"\n'
        '  routerkit ask -a photo.png -a notes.pdf "what do these show?"\n'
        '  routerkit ask -m openai/gpt-4o --fallback anthropic/claude-sonnet-4.5 "hello"\n'
        '  routerkit ask --schema person.json "Invent a person" | jq .name\n\n' + EXIT_CODES_HELP,
    )
    ask.add_argument("prompt", nargs="*", metavar="PROMPT", help="the question (words are joined with spaces)")
    ask.add_argument("--save-images", metavar="DIR", help="ask for image output and write the images to DIR")
    ask.add_argument(
        "--schema", metavar="FILE.json", help="structured output: a JSON Schema file; prints the answer as JSON"
    )
    ask.add_argument("-c", "--continue", dest="continue_", action="store_true", help="continue the last conversation")
    ask.add_argument("--session", metavar="ID", help="continue (or start) the conversation ID")
    ask.set_defaults(handler="ask")


def _chat_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    chat = sub.add_parser(
        "chat",
        parents=parents,
        formatter_class=HelpFormatter,
        help="an interactive conversation, saved as a session",
        description="An interactive conversation with history, saved so it can be resumed.\n"
        "Type /help in the chat for commands.",
        epilog="examples:\n  routerkit chat\n  routerkit chat --session work -m openai/gpt-4o\n"
        "  routerkit chat -c                 # resume the last conversation\n\n"
        "multi-line input: end a line with \\ to continue on the next line.\n"
        "Ctrl-C stops the current answer; at the prompt, Ctrl-C twice or Ctrl-D exits.\n\n" + EXIT_CODES_HELP,
    )
    chat.add_argument("--session", metavar="NAME", help="resume (or start) the session NAME")
    chat.add_argument("-c", "--continue", dest="continue_", action="store_true", help="resume the last conversation")
    chat.add_argument("--list", action="store_true", help="list saved sessions and exit")
    chat.add_argument("--save-images", metavar="DIR", help="ask for image output and write the images to DIR")
    chat.add_argument(
        "--history", type=_non_negative, default=10, metavar="N", help="earlier turns sent as context (default 10)"
    )
    chat.set_defaults(handler="chat")


def _models_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    models = sub.add_parser(
        "models",
        parents=parents,
        formatter_class=HelpFormatter,
        help="list OpenRouter's models (cached for an hour)",
        description="List the models, with context length, prices per million tokens, and\n"
        "whether they support reasoning and tools. Cached on disk for an hour.",
        epilog="examples:\n  routerkit models claude\n  routerkit models --json | jq '.[].id'",
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


def _account_parsers(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    for name, what in (
        ("generation", "a past generation's exact cost, provider, latency and native tokens"),
        ("key", "the API key's limit, usage and rate limit"),
        ("credits", "the account's credits bought, used and left"),
    ):
        account = sub.add_parser(name, parents=parents, formatter_class=HelpFormatter, help=what, description=what)
        if name == "generation":
            account.add_argument("id", metavar="ID", help="the generation id (gen-…), as `x-generation-id` gives it")
        account.add_argument("--json", action="store_true", help="print OpenRouter's answer as JSON")
        account.add_argument(
            "--base-url", metavar="URL", help="API base URL (default: $OPENROUTER_BASE_URL or OpenRouter)"
        )
        account.set_defaults(handler=name, model=None, fallback=None, max_retries=None, timeout=None)


def _emulator_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    emulator = sub.add_parser(
        "emulator",
        parents=parents,
        formatter_class=HelpFormatter,
        help="run the local OpenRouter emulator in the foreground",
        description="Run a local OpenRouter (/api/v1/responses and /api/v1/models) until Ctrl-C,\n"
        "logging one line per request on stderr. Point routerkit at it with the printed\n"
        "OPENROUTER_BASE_URL and any OPENROUTER_API_KEY.",
        epilog="examples:\n  routerkit emulator --port 8787\n  routerkit emulator --rpm 20 --quiet",
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    emulator.add_argument("--port", type=_non_negative, default=8787, help="port (default 8787; 0 = any free port)")
    emulator.add_argument("--rpm", type=_non_negative, metavar="N", help="account rate limit: 429 past N requests/min")
    emulator.add_argument("--quiet", action="store_true", help="no line per request")
    emulator.set_defaults(handler="emulator")


def _serve_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        parents=parents,
        formatter_class=HelpFormatter,
        help="serve an Agent as a Responses endpoint with a web chat page",
        description="Serve module:agent (an Agent object) as an OpenAI-Responses-compatible endpoint\n"
        "(POST /v1/responses, GET /v1/models) and a chat page at /, until Ctrl-C.",
        epilog="examples:\n  routerkit serve my_app:agent\n  routerkit serve my_app:agent --host 0.0.0.0 --key KEY",
    )
    serve.add_argument("agent", metavar="module:agent", help="where the Agent is, e.g. my_app:agent")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; others need a key)"
    )
    serve.add_argument("--port", type=_non_negative, default=8000, help="port (default 8000; 0 = any free port)")
    serve.add_argument("--key", help="bearer key clients must send (default: $ROUTERKIT_SERVE_KEY)")
    serve.set_defaults(handler="serve")


def _demo_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser(
        "demo",
        parents=parents,
        formatter_class=HelpFormatter,
        help="run the three examples (offline on the local emulator when no API key is set)",
        description="Run the three examples: a poem, reasoning, and a fallback.",
        epilog="examples:\n  routerkit demo\n  routerkit demo --offline",
    )
    demo.add_argument("--offline", action="store_true", help="use the local emulator even if an API key is set")
    demo.set_defaults(handler="demo")


def build_parser() -> argparse.ArgumentParser:
    """The `routerkit` argument parser, with every command's options and help."""
    from routerkit import __version__

    from . import _commands

    common = _common_options()
    model = _model_options()
    parser = argparse.ArgumentParser(
        prog="routerkit", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=HelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"routerkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _ask_parser(sub, [common, model])
    _chat_parser(sub, [common, model])
    _commands.sessions_parser(sub, [common])
    _commands.logs_parser(sub, [common])
    _commands.usage_parser(sub, [common])
    _models_parser(sub, [common])
    _emulator_parser(sub, [common])
    _serve_parser(sub, [common])
    _account_parsers(sub, [common])
    sub.add_parser("batch", help="run a JSONL file of requests, resumably; `batch report` summarises the output")
    _demo_parser(sub, [common])
    _commands.config_parser(sub, [common])
    _commands.alias_parser(sub, [common])
    _commands.completion_parser(sub, [common])
    return parser


#: command → "module:function" of its handler, imported only when the command runs.
_HANDLERS = {
    "ask": "ask:run",
    "chat": "chat:run",
    "sessions": "sessions:run",
    "logs": "logs:run_logs",
    "usage": "logs:run_usage",
    "models": "models:run",
    "emulator": "emulator:run",
    "demo": "demo:run",
    "config": "config:run_config",
    "alias": "config:run_alias",
    "completion": "completion:run",
    "serve": "serve:run",
    "generation": "account:run",
    "key": "account:run",
    "credits": "account:run",
}


def _load_handler(name: str) -> Callable[[argparse.Namespace], int]:
    import importlib

    module, function = _HANDLERS[name].split(":")
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
        from ._usage import parse

        parser = build_parser()
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
