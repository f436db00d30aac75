"""Parsing the command line with errors that teach: the subcommand's own usage, and "did you mean …?".

argparse reports an unknown option with the top-level usage and no hint; here the options argparse does not
know are reported by the (sub)command they were given to, with the closest option it has.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

__all__ = ["command_word", "parse", "suggestion"]

_EFFORTS_HINT = "--reasoning is a flag; for an effort use --effort {value}"


def suggestion(word: str, choices: Sequence[str]) -> str:
    """` (did you mean X?)` for the closest of `choices`, or nothing when none is close."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_word(argv: Sequence[str]) -> str | None:
    """The first word of `argv` that is not an option: the command (options before it take no value)."""
    return next((word for word in argv if word == "--" or not word.startswith("-")), None)


def _command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser of the command in `argv`; a mistyped command (`routerkit aks`) gets the closest command,
    not argparse's list of all of them."""
    from . import COMMANDS

    word = command_word(argv)
    if word is None:
        return parser
    if word not in COMMANDS:
        parser.error(f"unknown command {word!r}{suggestion(word, list(COMMANDS))}; see `routerkit --help`")
    return _subparsers(parser)[word]


def _check_reasoning(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """`--reasoning high` (the old form) would send "high" as the prompt: say how to give an effort instead."""
    from . import REASONING_EFFORTS

    for i, word in enumerate(argv):
        if word == "--":
            return
        if word.startswith("--reasoning="):
            parser.error(_EFFORTS_HINT.format(value=word.partition("=")[2] or "LEVEL"))
        if word == "--reasoning" and i + 1 < len(argv) and argv[i + 1] in (*REASONING_EFFORTS, "on", "off"):
            parser.error(_EFFORTS_HINT.format(value=argv[i + 1] if argv[i + 1] in REASONING_EFFORTS else "LEVEL"))


def _options(parser: argparse.ArgumentParser) -> list[str]:
    """Every option of `parser` and of its actions (`logs show --json`)."""
    found = [s for action in parser._actions for s in action.option_strings]
    for sub in _subparsers(parser).values():
        found += _options(sub)
    return found


def _check_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """An option the command does not have is reported before argparse would take its value for something
    else (`logs --sinse 1d` is not "invalid choice: '1d'")."""
    options = _options(parser)
    for word in argv:
        if word == "--":
            return
        if not word.startswith("-") or word == "-" or word[1:2].isdigit():
            continue
        name = word.partition("=")[0]
        known = (
            name in options
            or (
                name.startswith("--") and any(o.startswith(name) for o in options)  # argparse's abbreviations
            )
            or (not name.startswith("--") and name[:2] in options)
        )  # -n5
        if not known:
            parser.error(f"unknown option {name}{suggestion(name, options)}")


def parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """`parser.parse_args(argv)`, reporting unknown options through the subcommand that received them.
    `parser` needs only the parser of the command `argv` names (see `command_word`)."""
    command = _command(parser, argv)
    _check_reasoning(command, argv)
    if command is not parser:
        _check_options(command, argv)
    args, extras = parser.parse_known_args(list(argv))
    target = parser
    for name in (getattr(args, "command", None), getattr(args, "action", None)):
        target = _subparsers(target).get(name or "", target)
    if extras:
        word = extras[0]
        if word.startswith("-"):
            options = [s for action in target._actions for s in action.option_strings]
            target.error(f"unknown option {word}{suggestion(word.partition('=')[0], options)}")
        target.error(f"unexpected argument {word!r}")
    return args
