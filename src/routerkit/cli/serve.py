"""`routerkit serve module:agent`: an Agent as a Responses endpoint and a web chat page, in the foreground."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from ._common import EXIT_OK, CliError, note

if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; a port that cannot be bound is a network error (exit 7)."""
    from routerkit.serve import load_agent, serve

    agent = load_agent(args.agent)
    key = args.key or os.environ.get("ROUTERKIT_SERVE_KEY") or None

    def ready(url: str) -> None:
        sys.stdout.write(f"routerkit serve: {args.agent} on {url}/v1 (chat page: {url}/)\n")
        sys.stdout.flush()
        note(f"use it as a model: OpenAI(base_url='{url}/v1', api_key=...); Ctrl-C to stop")

    try:
        serve(agent, args.host, args.port, key=key, name=args.agent.partition(":")[2], on_ready=ready)
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", 7) from None
    return EXIT_OK
