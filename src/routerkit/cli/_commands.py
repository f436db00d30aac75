"""The arguments of the commands around a conversation: sessions, logs, usage, config, alias, completion.

One function per command, so each stays readable (and merges) on its own. argparse only: the commands'
modules are imported when they run.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ._common import HelpFormatter
from ._parsers import actions, add_json, at_least, command

__all__ = [
    "alias_parser",
    "completion_parser",
    "config_parser",
    "logs_parser",
    "sessions_parser",
    "usage_parser",
]

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _log_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a log id is a number (see `routerkit logs`), not {value!r}") from None


def _action(sub: Subparsers, name: str, what: str, *positionals: str, **kwargs: object) -> argparse.ArgumentParser:
    """One ACTION of a command, with its positional arguments given as "dest:METAVAR"."""
    parser = sub.add_parser(name, formatter_class=HelpFormatter, help=what)
    for positional in positionals:
        dest, _, metavar = positional.partition(":")
        parser.add_argument(dest, metavar=metavar, **kwargs)  # type: ignore[arg-type]
    return parser


def _since(parser: argparse.ArgumentParser, prefix: str) -> None:
    parser.add_argument("--since", metavar="WHEN", help=f"{prefix} 30m, 2h, 3d, 1w ago or a date (YYYY-MM-DD)")


def sessions_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    sessions = command(
        sub,
        name,
        parents,
        "Saved conversations (from `chat` and `ask`): list them, print one, export or delete it.",
        "examples:\n  routerkit sessions\n  routerkit sessions show work\n"
        "  routerkit sessions export work --format markdown > work.md\n  routerkit sessions rm work",
    )
    add_json(sessions)
    each = actions(sessions)
    _action(each, "show", "print a conversation", "session_id:ID")
    _action(each, "rm", "delete a conversation (and its logs)", "session_id:ID")
    export = _action(each, "export", "print a conversation as markdown or JSON", "session_id:ID")
    export.add_argument("--format", choices=("markdown", "json"), default="markdown", help="default markdown")


def logs_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    logs = command(
        sub,
        name,
        parents,
        "Every `ask` and `chat` turn is logged (prompt, system prompt, answer, reasoning,\n"
        "models, tokens, cost, duration, error) in logs.sqlite under ROUTERKIT_HOME, unless\n"
        "--no-log or `routerkit logs off`. Search is full-text (SQLite FTS5): every word must match.",
        "examples:\n  routerkit logs -n 3\n  routerkit logs -q 'sky blue' --since 1w\n"
        "  routerkit logs --model openai/gpt-4o --json | jq '.[].cost'\n  routerkit logs show 12\n"
        "  routerkit logs rm 12\n  routerkit logs off",
    )
    logs.add_argument("-n", "--count", type=at_least(1), default=10, metavar="N", help="how many (default 10)")
    logs.add_argument("--model", metavar="ID", help="only turns that asked for or were answered by ID")
    logs.add_argument("--session", metavar="ID", help="only turns of the conversation ID")
    logs.add_argument("-q", "--query", metavar="TEXT", help="full-text search in prompts, answers and reasoning")
    _since(logs, "only turns since")
    add_json(logs)
    each = actions(logs)
    add_json(_action(each, "show", "print one turn, its answer rendered", "log_id:ID", type=_log_id))
    _action(each, "rm", "delete one turn from the log", "log_id:ID", type=_log_id)
    _action(each, "on", "log every turn (the default)")
    _action(each, "off", "log nothing from now on (kept in config.toml)")
    _action(each, "status", "say whether logging is on, and where the log is")


def usage_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    usage = command(
        sub,
        name,
        parents,
        "Totals of the logged turns by day and by the model that answered.",
        "examples:\n  routerkit usage\n  routerkit usage --since 1w --json",
    )
    _since(usage, "since")
    usage.add_argument("--model", metavar="ID", help="only this model")
    add_json(usage)


def config_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    from ._config import KEYS

    keys = "\n".join(f"  {key:<12} {meaning}" for key, meaning in KEYS.items())
    config = command(
        sub,
        name,
        parents,
        "Defaults for ask and chat, kept in config.toml under ROUTERKIT_HOME.\n"
        "Flags win over the environment (ROUTERKIT_MODEL, OPENROUTER_BASE_URL), which wins over this file.\n\n"
        f"keys:\n{keys}",
        "examples:\n  routerkit config set model openai/gpt-4o\n  routerkit config set effort low\n"
        "  routerkit config get model\n  routerkit config unset model\n  routerkit config",
    )
    each = actions(config)
    _action(each, "get", "print one setting", "key:KEY")
    _action(each, "set", "change a setting", "key:KEY", "value:VALUE")
    _action(each, "unset", "remove a setting (back to the default)", "key:KEY")
    _action(each, "path", "print the config file's path")


def alias_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    alias = command(
        sub,
        name,
        parents,
        "Model aliases, usable wherever a model id is (-m, --fallback, config model, /model).",
        "examples:\n  routerkit alias set fast openai/gpt-4o-mini\n  routerkit ask -m fast hi\n"
        "  routerkit alias\n  routerkit alias rm fast",
    )
    each = actions(alias)
    _action(each, "set", "define NAME as MODEL", "name:NAME", "model_id:MODEL")
    _action(each, "rm", "remove an alias", "name:NAME")


def completion_parser(sub: Subparsers, name: str, parents: list[argparse.ArgumentParser]) -> None:
    completion = command(
        sub,
        name,
        parents,
        "Print a completion script for your shell: commands, options, and model ids\n"
        "(from the cached model list: run `routerkit models` once to fill it).",
        "examples:\n"
        '  eval "$(routerkit completion bash)"                    # in ~/.bashrc\n'
        '  eval "$(routerkit completion zsh)"                     # in ~/.zshrc\n'
        "  routerkit completion fish > ~/.config/fish/completions/routerkit.fish",
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), nargs="?", metavar="SHELL")
    completion.add_argument("--model-ids", action="store_true", help=argparse.SUPPRESS)
