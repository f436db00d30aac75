"""`routerkit config` (defaults in config.toml) and `routerkit alias` (short names for models)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ._common import EXIT_OK, EXIT_USAGE, CliError, data_home, note

if TYPE_CHECKING:
    import argparse


def run_config(args: argparse.Namespace) -> int:
    """`routerkit config [get KEY | set KEY VALUE | unset KEY | path]`; alone, every setting."""
    from ._config import KEYS, load_config, parse_value

    config = load_config(data_home())
    if args.action == "path":
        sys.stdout.write(f"{config.path}\n")
    elif args.action == "set":
        config.settings[args.key] = parse_value(args.key, args.value)
        config.save()
        note(f"{args.key} = {config.settings[args.key]!r} (in {config.path})")
    elif args.action in ("get", "unset"):
        if args.key not in KEYS:
            parse_value(args.key, "")  # raises: the key is unknown, with the list of keys
        if args.action == "unset":
            config.settings.pop(args.key, None)
            config.save()
        elif args.key in config.settings:
            sys.stdout.write(f"{config.settings[args.key]}\n")
        else:
            raise CliError(f"{args.key} is not set (`routerkit config set {args.key} VALUE`)", EXIT_USAGE)
    else:
        for key, value in config.settings.items():
            sys.stdout.write(f"{key} = {value!r}\n")
        if not config.settings:
            note(f"no settings yet: `routerkit config set model openai/gpt-4o` (keys: {', '.join(KEYS)})")
    return EXIT_OK


def run_alias(args: argparse.Namespace) -> int:
    """`routerkit alias [set NAME MODEL | rm NAME]`; alone, every alias."""
    from ._config import load_config

    config = load_config(data_home())
    if args.action == "set":
        config.set_alias(args.name, args.model_id)
        config.save()
        note(f"{args.name} → {args.model_id}")
    elif args.action == "rm":
        if config.aliases.pop(args.name, None) is None:
            raise CliError(f"no alias {args.name!r}; `routerkit alias` lists them", EXIT_USAGE)
        config.save()
    else:
        for name, model in sorted(config.aliases.items()):
            sys.stdout.write(f"{name}\t{model}\n")
        if not config.aliases:
            note("no aliases yet: `routerkit alias set fast openai/gpt-4o-mini`")
    return EXIT_OK
