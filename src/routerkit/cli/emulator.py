"""`routerkit emulator`: the local OpenRouter in the foreground."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from ._common import EXIT_OK, note

if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace) -> int:
    """Serve the emulator until Ctrl-C, one line per request on stderr (unless --quiet); a port that cannot be
    bound is a network error (exit 7)."""
    from routerkit.emulator import RateLimit, serve

    def ready(base_url: str) -> None:
        sys.stdout.write(f"routerkit emulator: OpenRouter API on {base_url}\n")
        sys.stdout.write(f"OPENROUTER_BASE_URL={base_url}\n")
        sys.stdout.flush()
        note(
            f"use it from another shell:\n"
            f"  export OPENROUTER_BASE_URL={base_url} OPENROUTER_API_KEY=anything\n"
            f'  routerkit ask -m emulator/echo "hello"\n'
            "Ctrl-C to stop"
        )

    def log(line: str) -> None:
        sys.stderr.write(f"{time.strftime('%H:%M:%S')} {line}\n")
        sys.stderr.flush()

    try:
        rpm = getattr(args, "rpm", None)
        serve(
            args.host,
            args.port,
            on_ready=ready,
            rate_limit=RateLimit(rpm) if rpm else None,
            log=None if args.quiet else log,
        )
    except OSError as exc:
        from ._common import CliError

        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", 7) from None
    return EXIT_OK
