"""Running `ServeApp` on the emulator's server plumbing (uvicorn on a `Listener`), and finding the agent."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

from ..agent import Agent
from ..emulator._listener import Listener
from ..emulator._server import serve_forever
from ..errors import UsageError
from ._app import ServeApp

__all__ = ["load_agent", "serve"]

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def load_agent(spec: str) -> Agent:
    """The `Agent` named by `module:attribute` (the current directory is importable, as for `python -m`)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"the agent must be given as module:attribute (such as my_app:agent), got {spec!r}")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"cannot import module {module_name!r}: {exc}") from exc
    agent = getattr(module, attribute, None)
    if not isinstance(agent, Agent):
        found = "nothing" if agent is None else f"a {type(agent).__name__}"
        raise UsageError(f"{spec} must be a routerkit Agent, found {found}")
    return agent


def serve(
    agent: Agent,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    key: str | None = None,
    name: str = "agent",
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve `agent` until interrupted. A host other than loopback needs `key` (clients send it as a bearer
    token): an open endpoint would spend the agent's OpenRouter credit for anyone who finds it."""
    if host not in LOOPBACK and not key:
        raise UsageError(
            f"host={host!r} opens the server beyond this machine: a key is required (--key or ROUTERKIT_SERVE_KEY)"
        )
    listener = Listener(host, port)
    bound = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    app = ServeApp(agent, name=name, key=key)

    def started() -> None:
        if on_ready is not None:
            on_ready(f"http://{shown}:{bound}")

    serve_forever(app, listener, started)
