"""`routerkit demo`: run the seed's three examples — on OpenRouter with a key, else on the local emulator."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._common import EXIT_OK, KEY_ENV, note

if TYPE_CHECKING:
    import argparse

    from routerkit.emulator import Emulator

BASE_URL_ENV = "OPENROUTER_BASE_URL"

#: Offline, the emulator takes this example's first model down, so its fallback visibly answers.
_OUTAGES = {"fallback.py": "openai/gpt-oss-20b"}


@contextlib.contextmanager
def _offline() -> Iterator[Emulator]:
    """The emulator in this process, with the environment pointing the examples at it."""
    from routerkit.emulator import Emulator

    saved = {name: os.environ.get(name) for name in (KEY_ENV, BASE_URL_ENV)}
    with Emulator() as emu:
        os.environ[BASE_URL_ENV] = emu.base_url
        os.environ[KEY_ENV] = "emulator-demo-key"
        try:
            yield emu
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def run(args: argparse.Namespace) -> int:
    """`routerkit demo`: the examples, on OpenRouter with a key, else on an in-process emulator."""
    from routerkit._demo import EXAMPLES

    offline = args.offline or not os.environ.get(KEY_ENV)
    emu: Emulator | None = None
    with contextlib.ExitStack() as stack:
        if offline:
            emu = stack.enter_context(_offline())
            why = "--offline" if args.offline else f"{KEY_ENV} is not set"
            note(
                f"{why}: answers come from the local routerkit emulator at {emu.base_url}, not from a real model.\n"
                f"Set {KEY_ENV} to run these examples on OpenRouter."
            )
        else:
            target = os.environ.get(BASE_URL_ENV) or "OpenRouter"
            note(f"running the examples on {target} with your {KEY_ENV} (they cost a few hundredths of a cent)")
        for name, source in EXAMPLES.items():
            _banner(f"examples/{name}")
            if emu is not None and name in _OUTAGES:
                emu.outages.add(_OUTAGES[name])
                note(f"(the emulator takes {_OUTAGES[name]} down for this example: watch the fallback answer)")
            code = compile(source, f"examples/{name}", "exec")
            exec(code, {"__name__": "__main__", "__file__": f"examples/{name}"})
            sys.stdout.flush()
    return EXIT_OK


def _banner(title: str) -> None:
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.rule import Rule

        Console().print(Rule(f"[bold]{title}[/]", style="cyan"))
    else:
        sys.stdout.write(f"\n=== {title} ===\n")
        sys.stdout.flush()
