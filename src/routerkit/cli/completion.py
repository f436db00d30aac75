"""`routerkit completion bash|zsh|fish`: completion scripts generated from the argument parser itself, so
they never fall behind the commands; model ids come from the cached model list (`routerkit models`).

The scripts call `routerkit completion --model-ids` when a model is being completed: it reads only the
cache files and the aliases, never the network.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field

from ._common import EXIT_OK, EXIT_USAGE, CliError, data_home

_MODEL_OPTIONS = frozenset({"-m", "--model", "--fallback"})


@dataclass
class _Command:
    name: str
    options: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=dict)
    help: dict[str, str] = field(default_factory=dict)


def _commands(parser: argparse.ArgumentParser) -> list[_Command]:
    """Each command with its options (and its actions' options), option choices and help lines."""
    from ._usage import _subparsers

    out = []
    for name, sub in _subparsers(parser).items():
        command = _Command(name)
        actions = _subparsers(sub)
        command.actions = list(actions)
        for p in (sub, *actions.values()):
            for action in p._actions:
                if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
                    continue
                for option in action.option_strings:
                    if option not in command.options:
                        command.options.append(option)
                        command.help[option] = " ".join((action.help or "").split())
                    if action.choices and option.startswith("-"):
                        command.choices[option] = [str(c) for c in action.choices]
            for action in p._actions:
                if not action.option_strings and action.choices and not isinstance(action, argparse._SubParsersAction):
                    command.actions += [str(c) for c in action.choices]  # `completion bash|zsh|fish`
        out.append(command)
    return out


def _bash(commands: list[_Command]) -> str:
    names = " ".join(c.name for c in commands)
    cases = "\n".join(f'        {c.name}) words="{" ".join(c.actions + c.options)}" ;;' for c in commands)
    choices = {opt: values for c in commands for opt, values in c.choices.items()}
    choice_cases = "\n".join(f'        {opt}) words="{" ".join(values)}" ;;' for opt, values in sorted(choices.items()))
    models = "|".join(sorted(_MODEL_OPTIONS))
    return f"""# routerkit completion for bash (and zsh through bashcompinit): eval "$(routerkit completion bash)"
_routerkit() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}" cmd="" words="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in -*) ;; *) cmd="${{COMP_WORDS[i]}}"; break ;; esac
    done
    case "$prev" in
        {models}) COMPREPLY=($(compgen -W "$(routerkit completion --model-ids 2>/dev/null)" -- "$cur")); return ;;
{choice_cases}
    esac
    if [[ -n "$words" ]]; then COMPREPLY=($(compgen -W "$words" -- "$cur")); return; fi
    case "$cmd" in
        "") words="{names} --help --version --debug" ;;
{cases}
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o default -F _routerkit routerkit
"""


def _zsh(commands: list[_Command]) -> str:
    return (
        '# routerkit completion for zsh: eval "$(routerkit completion zsh)"\n'
        "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
        + _bash(commands).split("\n", 1)[1]
    )


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(commands: list[_Command]) -> str:
    names = " ".join(c.name for c in commands)
    lines = [
        "# routerkit completion for fish: routerkit completion fish > ~/.config/fish/completions/routerkit.fish",
        "complete -c routerkit -f",
        f"complete -c routerkit -n __fish_use_subcommand -a {_fish_quote(names)}",
    ]
    for c in commands:
        when = f"-n '__fish_seen_subcommand_from {c.name}'"
        if c.actions:
            lines.append(f"complete -c routerkit {when} -a {_fish_quote(' '.join(c.actions))}")
        for option in c.options:
            flag = f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}"
            extra = ""
            if option in _MODEL_OPTIONS:
                extra = " -r -a '(routerkit completion --model-ids 2>/dev/null)'"
            elif option in c.choices:
                extra = f" -r -a {_fish_quote(' '.join(c.choices[option]))}"
            lines.append(f"complete -c routerkit {when} {flag}{extra} -d {_fish_quote(c.help.get(option, ''))}")
    return "\n".join(lines) + "\n"


def model_ids() -> list[str]:
    """Every model id in the cached model lists, and every alias: what `-m` can be completed with."""
    from ._config import load_config

    home = data_home()
    ids: set[str] = set(load_config(home).aliases)
    for path in (home / "cache").glob("models-*.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))["data"]
            ids.update(m["id"] for m in data if isinstance(m, dict) and isinstance(m.get("id"), str))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(i for i in ids if i and not any(ch.isspace() for ch in i))


def run(args: argparse.Namespace) -> int:
    """Print the script for `args.shell` (or, with --model-ids, the ids the script completes)."""
    if args.model_ids:
        sys.stdout.write("".join(f"{i}\n" for i in model_ids()))
        return EXIT_OK
    if args.shell is None:
        raise CliError("completion: name a shell: bash, zsh or fish (e.g. `routerkit completion bash`)", EXIT_USAGE)
    from . import build_parser

    commands = _commands(build_parser())
    sys.stdout.write({"bash": _bash, "zsh": _zsh, "fish": _fish}[args.shell](commands))
    return EXIT_OK
