"""The arguments of the commands around a conversation: sessions, logs, usage, config, alias, completion.

One function per command, so each stays readable (and merges) on its own. argparse only: the commands'
modules are imported when they run.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ._common import HelpFormatter

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


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be ≥ 1")
    return n


def _log_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a log id is a number (see `routerkit logs`), not {value!r}") from None


def _actions(parser: argparse.ArgumentParser) -> Subparsers:
    return parser.add_subparsers(dest="action", metavar="ACTION")


def sessions_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    sessions = sub.add_parser(
        "sessions",
        parents=parents,
        formatter_class=HelpFormatter,
        help="list, show, export or delete saved conversations",
        description="Saved conversations (from `chat` and `ask`): list them, print one, export or delete it.",
        epilog="examples:\n  routerkit sessions\n  routerkit sessions show work\n"
        "  routerkit sessions export work --format markdown > work.md\n  routerkit sessions rm work",
    )
    sessions.add_argument("--json", action="store_true", help="print JSON")
    actions = _actions(sessions)
    show = actions.add_parser("show", formatter_class=HelpFormatter, help="print a conversation")
    show.add_argument("session_id", metavar="ID")
    rm = actions.add_parser("rm", formatter_class=HelpFormatter, help="delete a conversation (and its logs)")
    rm.add_argument("session_id", metavar="ID")
    export = actions.add_parser(
        "export", formatter_class=HelpFormatter, help="print a conversation as markdown or JSON"
    )
    export.add_argument("session_id", metavar="ID")
    export.add_argument("--format", choices=("markdown", "json"), default="markdown", help="default markdown")
    sessions.set_defaults(handler="sessions", action=None)


def logs_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    logs = sub.add_parser(
        "logs",
        parents=parents,
        formatter_class=HelpFormatter,
        help="every ask and chat turn: list, search, show, delete; `logs off` stops logging",
        description="Every `ask` and `chat` turn is logged (prompt, system prompt, answer, reasoning,\n"
        "models, tokens, cost, duration, error) in logs.sqlite under ROUTERKIT_HOME, unless\n"
        "--no-log or `routerkit logs off`. Search is full-text (SQLite FTS5): every word must match.",
        epilog="examples:\n  routerkit logs -n 3\n  routerkit logs -q 'sky blue' --since 1w\n"
        "  routerkit logs --model openai/gpt-4o --json | jq '.[].cost'\n  routerkit logs show 12\n"
        "  routerkit logs rm 12\n  routerkit logs off",
    )
    logs.add_argument("-n", "--count", type=_positive_int, default=10, metavar="N", help="how many (default 10)")
    logs.add_argument("--model", metavar="ID", help="only turns that asked for or were answered by ID")
    logs.add_argument("--session", metavar="ID", help="only turns of the conversation ID")
    logs.add_argument("-q", "--query", metavar="TEXT", help="full-text search in prompts, answers and reasoning")
    logs.add_argument("--since", metavar="WHEN", help="only turns since 30m, 2h, 3d, 1w ago or a date (YYYY-MM-DD)")
    logs.add_argument("--json", action="store_true", help="print JSON")
    actions = _actions(logs)
    show = actions.add_parser("show", formatter_class=HelpFormatter, help="print one turn, its answer rendered")
    show.add_argument("log_id", type=_log_id, metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    rm = actions.add_parser("rm", formatter_class=HelpFormatter, help="delete one turn from the log")
    rm.add_argument("log_id", type=_log_id, metavar="ID")
    actions.add_parser("on", help="log every turn (the default)")
    actions.add_parser("off", help="log nothing from now on (kept in config.toml)")
    actions.add_parser("status", help="say whether logging is on, and where the log is")
    logs.set_defaults(handler="logs", action=None)


def usage_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    usage = sub.add_parser(
        "usage",
        parents=parents,
        formatter_class=HelpFormatter,
        help="cost and tokens by day and model, from the logs",
        description="Totals of the logged turns by day and by the model that answered.",
        epilog="examples:\n  routerkit usage\n  routerkit usage --since 1w --json",
    )
    usage.add_argument("--since", metavar="WHEN", help="since 30m, 2h, 3d, 1w ago or a date (YYYY-MM-DD)")
    usage.add_argument("--model", metavar="ID", help="only this model")
    usage.add_argument("--json", action="store_true", help="print JSON")
    usage.set_defaults(handler="usage")


def config_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    from ._config import KEYS

    keys = "\n".join(f"  {key:<12} {meaning}" for key, meaning in KEYS.items())
    config = sub.add_parser(
        "config",
        parents=parents,
        formatter_class=HelpFormatter,
        help="defaults kept in config.toml (model, system prompt, effort, …)",
        description="Defaults for ask and chat, kept in config.toml under ROUTERKIT_HOME.\n"
        "Flags win over the environment (ROUTERKIT_MODEL, OPENROUTER_BASE_URL), which wins over this file.\n\n"
        f"keys:\n{keys}",
        epilog="examples:\n  routerkit config set model openai/gpt-4o\n  routerkit config set effort low\n"
        "  routerkit config get model\n  routerkit config unset model\n  routerkit config",
    )
    actions = _actions(config)
    get = actions.add_parser("get", help="print one setting")
    get.add_argument("key", metavar="KEY")
    set_ = actions.add_parser("set", help="change a setting")
    set_.add_argument("key", metavar="KEY")
    set_.add_argument("value", metavar="VALUE")
    unset = actions.add_parser("unset", help="remove a setting (back to the default)")
    unset.add_argument("key", metavar="KEY")
    actions.add_parser("path", help="print the config file's path")
    config.set_defaults(handler="config", action=None)


def alias_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    alias = sub.add_parser(
        "alias",
        parents=parents,
        formatter_class=HelpFormatter,
        help="short names for models (`-m fast`)",
        description="Model aliases, usable wherever a model id is (-m, --fallback, config model, /model).",
        epilog="examples:\n  routerkit alias set fast openai/gpt-4o-mini\n  routerkit ask -m fast hi\n"
        "  routerkit alias\n  routerkit alias rm fast",
    )
    actions = _actions(alias)
    set_ = actions.add_parser("set", help="define NAME as MODEL")
    set_.add_argument("name", metavar="NAME")
    set_.add_argument("model_id", metavar="MODEL")
    rm = actions.add_parser("rm", help="remove an alias")
    rm.add_argument("name", metavar="NAME")
    alias.set_defaults(handler="alias", action=None)


def completion_parser(sub: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    completion = sub.add_parser(
        "completion",
        parents=parents,
        formatter_class=HelpFormatter,
        help="print a shell completion script (bash, zsh, fish)",
        description="Print a completion script for your shell: commands, options, and model ids\n"
        "(from the cached model list: run `routerkit models` once to fill it).",
        epilog="examples:\n"
        '  eval "$(routerkit completion bash)"                    # in ~/.bashrc\n'
        '  eval "$(routerkit completion zsh)"                     # in ~/.zshrc\n'
        "  routerkit completion fish > ~/.config/fish/completions/routerkit.fish",
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), nargs="?", metavar="SHELL")
    completion.add_argument("--model-ids", action="store_true", help=argparse.SUPPRESS)
    completion.set_defaults(handler="completion")
