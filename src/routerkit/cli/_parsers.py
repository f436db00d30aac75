"""The arguments of the commands around a model call: ask, chat, models, the account commands, emulator,
serve, demo, batch; and the helpers every command's parser is built with.

argparse only: a run builds just its own command's parser (see `build_parser`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import REASONING_EFFORTS
from ._common import EXIT_CODES_HELP, HelpFormatter

__all__ = [
    "account_parser",
    "actions",
    "add_base_url",
    "add_json",
    "ask_parser",
    "at_least",
    "batch_parser",
    "chat_parser",
    "command",
    "common_options",
    "demo_parser",
    "emulator_parser",
    "model_options",
    "models_parser",
    "positive_float",
    "serve_parser",
]

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse `type` for integers ≥ `minimum`, saying what was wrong."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"must be ≥ {minimum}")
        return n

    return parse


def positive_float(value: str) -> float:
    """An argparse `type` for numbers > 0."""
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not n > 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return n


def command(
    sub: Subparsers,
    name: str,
    parents: list[argparse.ArgumentParser],
    description: str,
    epilog: str | None = None,
    **defaults: Any,
) -> argparse.ArgumentParser:
    """A command's parser: the summary from the command table, the shared help layout, and its handler."""
    from . import COMMANDS

    parser = sub.add_parser(
        name,
        parents=parents,
        formatter_class=HelpFormatter,
        help=COMMANDS[name][0],
        description=description,
        epilog=epilog,
    )
    parser.set_defaults(handler=name, **defaults)
    return parser


def actions(parser: argparse.ArgumentParser) -> Subparsers:
    """The ACTION words of a command (`logs show`, `config set`); no action given leaves `action` None."""
    parser.set_defaults(action=None)
    return parser.add_subparsers(dest="action", metavar="ACTION")


def add_json(parser: argparse.ArgumentParser | argparse._ArgumentGroup, what: str = "print JSON") -> None:
    parser.add_argument("--json", action="store_true", help=what)


def add_base_url(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--base-url", metavar="URL", help="API base URL (default: $OPENROUTER_BASE_URL or OpenRouter)")


def common_options() -> argparse.ArgumentParser:
    """What every command takes: --debug (also accepted after the command)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback on errors")
    return parent


def model_options() -> argparse.ArgumentParser:
    """The model, reasoning, output and tool options `ask` and `chat` share."""
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
    add_base_url(group)
    group.add_argument("--max-retries", type=at_least(0), metavar="N", help="retries on 429/5xx/network (default 2)")
    group.add_argument("--timeout", type=positive_float, metavar="SECONDS", help="overall deadline per model call")
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
    tools.add_argument(
        "--confirm",
        action="store_true",
        help="ask on the terminal before each MCP tool runs (without a terminal the call is refused)",
    )
    return parent


def ask_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    ask = command(
        sub,
        name,
        parents,
        "Ask one question. Text piped on stdin is appended to the prompt.\n"
        "On a terminal the answer is live markdown; piped, stdout gets only the answer\n"
        "(reasoning and the model/tokens/cost footer go to stderr). Every turn is logged\n"
        "(`routerkit logs`) unless --no-log or `routerkit logs off`.",
        'examples:\n  routerkit ask "Why is the sky blue?"\n'
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


def chat_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    chat = command(
        sub,
        name,
        parents,
        "An interactive conversation with history, saved so it can be resumed.\nType /help in the chat for commands.",
        "examples:\n  routerkit chat\n  routerkit chat --session work -m openai/gpt-4o\n"
        "  routerkit chat -c                 # resume the last conversation\n\n"
        "multi-line input: end a line with \\ to continue on the next line.\n"
        "Ctrl-C stops the current answer; at the prompt, Ctrl-C twice or Ctrl-D exits.\n\n" + EXIT_CODES_HELP,
    )
    chat.add_argument("--session", metavar="NAME", help="resume (or start) the session NAME")
    chat.add_argument("-c", "--continue", dest="continue_", action="store_true", help="resume the last conversation")
    chat.add_argument("--list", action="store_true", help="list saved sessions and exit")
    chat.add_argument("--save-images", metavar="DIR", help="ask for image output and write the images to DIR")
    chat.add_argument(
        "--history", type=at_least(0), default=10, metavar="N", help="earlier turns sent as context (default 10)"
    )


def models_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    models = command(
        sub,
        name,
        parents,
        "List the models, with context length, prices per million tokens, and\n"
        "whether they support reasoning and tools. Cached on disk for an hour.",
        "examples:\n  routerkit models claude\n  routerkit models --json | jq '.[].id'",
    )
    models.add_argument("query", nargs="?", metavar="QUERY", help="only models whose id or name contains QUERY")
    add_json(models)
    models.add_argument("--refresh", action="store_true", help="ignore the cache and fetch the list again")
    add_base_url(models)
    models.add_argument(
        "--modality", choices=["text", "image", "audio", "file", "video"], help="only models that take or make it"
    )
    models.add_argument("--tools", action="store_true", help="only models that support tool calls")
    models.add_argument("--reasoning", action="store_true", help="only models that can reason")


def account_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    """`generation ID`, `key`, `credits`: one call to OpenRouter's account endpoints each."""
    from . import COMMANDS

    account = command(sub, name, parents, COMMANDS[name][0], model=None, fallback=None, max_retries=None, timeout=None)
    if name == "generation":
        account.add_argument("id", metavar="ID", help="the generation id (gen-…), as `x-generation-id` gives it")
    add_json(account, "print OpenRouter's answer as JSON")
    add_base_url(account)


def emulator_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    emulator = command(
        sub,
        name,
        parents,
        "Run a local OpenRouter (/api/v1/responses and /api/v1/models) until Ctrl-C,\n"
        "logging one line per request on stderr. Point routerkit at it with the printed\n"
        "OPENROUTER_BASE_URL and any OPENROUTER_API_KEY.",
        "examples:\n  routerkit emulator --port 8787\n  routerkit emulator --rpm 20 --quiet",
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    emulator.add_argument("--port", type=at_least(0), default=8787, help="port (default 8787; 0 = any free port)")
    emulator.add_argument("--rpm", type=at_least(0), metavar="N", help="account rate limit: 429 past N requests/min")
    emulator.add_argument("--quiet", action="store_true", help="no line per request")


def serve_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    serve = command(
        sub,
        name,
        parents,
        "Serve module:agent (an Agent object) as an OpenAI-Responses-compatible endpoint\n"
        "(POST /v1/responses, GET /v1/models) and a chat page at /, until Ctrl-C.",
        "examples:\n  routerkit serve my_app:agent\n  routerkit serve my_app:agent --host 0.0.0.0 --key KEY",
    )
    serve.add_argument("agent", metavar="module:agent", help="where the Agent is, e.g. my_app:agent")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; others need a key)"
    )
    serve.add_argument("--port", type=at_least(0), default=8000, help="port (default 8000; 0 = any free port)")
    serve.add_argument("--key", help="bearer key clients must send (default: $ROUTERKIT_SERVE_KEY)")


def demo_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    demo = command(
        sub,
        name,
        parents,
        "Run the three examples: a poem, reasoning, and a fallback.",
        "examples:\n  routerkit demo\n  routerkit demo --offline",
    )
    demo.add_argument("--offline", action="store_true", help="use the local emulator even if an API key is set")


def batch_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    """Listed only (for help and completion): `routerkit batch …` parses its own two forms."""
    from . import COMMANDS

    sub.add_parser(name, help=COMMANDS[name][0])
