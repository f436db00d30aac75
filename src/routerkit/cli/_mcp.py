"""`--mcp "COMMAND ARGS"` and `--mcp-url URL` of `ask` and `chat`: MCP servers whose tools the agent gets.

The servers are started (and their tools listed) before the first question, so a server that cannot start
is reported at once, and they are closed when the command ends. With `--confirm` every one of their tools asks
on the terminal before it runs (the run pauses; `_render.drive` asks and continues it).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from routerkit.agent.tools import FunctionTool
    from routerkit.tools.mcp import MCPTools

__all__ = ["mcp_servers"]


@contextlib.contextmanager
def mcp_servers(args: argparse.Namespace) -> Iterator[list[MCPTools] | list[FunctionTool]]:
    """The connected servers of `args.mcp` and `args.mcp_url` (none: an empty list, nothing imported); with
    `args.confirm`, their tools, each marked to ask for confirmation."""
    commands, urls = getattr(args, "mcp", None) or [], getattr(args, "mcp_url", None) or []
    if not commands and not urls:
        yield []
        return
    try:
        from routerkit.tools.mcp import MCPTools
    except ImportError as exc:  # pragma: no cover - the [mcp] extra is installed wherever the tests run
        from ._common import CliError

        raise CliError(f"--mcp needs the mcp extra: pip install 'routerkit[mcp]' ({exc})") from None
    servers = [MCPTools(command=c) for c in commands] + [MCPTools(url=u) for u in urls]
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
        if getattr(args, "confirm", False):
            yield [dataclasses.replace(tool, requires_confirmation=True) for s in servers for tool in s.get_tools()]
        else:
            yield servers
