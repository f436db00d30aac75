"""`MCPTools`: the tools of a Model Context Protocol server, for an `Agent` (agno's name and arguments).

```python
from routerkit.tools.mcp import MCPTools

async with MCPTools(command="uvx mcp-server-git") as git:           # stdio: a subprocess
    await Agent(model=..., tools=[git]).aprint_response("What changed?")

with MCPTools(url="http://127.0.0.1:8000/mcp") as remote:           # streamable HTTP; sync code works too
    Agent(model=..., tools=[remote]).print_response("...")
```

Needs the `[mcp]` extra (`pip install 'routerkit[mcp]'`); the SDK is imported only when a server is connected.

How it runs: each connection is owned by a background thread running its own event loop, so the same object
serves `run()`, `print_response()` and `arun()` alike, from any thread or loop. An `Agent` connects an
unconnected `MCPTools` when a run starts (connect-on-first-use; a connection found dead is reopened then), and
`with` / `async with` / `close()` end it — the server process with it; at interpreter exit open connections are
closed too. Tools are listed once per connection (`refresh()` lists them again) and validated like any
schema-first tool before the call. A call that fails — the server crashed, did not answer within
`timeout_seconds`, broke the protocol or flagged `is_error` — goes back to the model as an error result naming
what happened; a server that cannot be started or listed raises `routerkit.errors.MCPError`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import shlex
import threading
import weakref
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from ..errors import UsageError

if TYPE_CHECKING:
    from ..agent.tools import FunctionTool, ToolResult
    from ._mcp_connection import Connection

__all__ = ["MCPTools"]

Transport = Literal["stdio", "sse", "streamable-http"]
_TRANSPORTS = ("stdio", "sse", "streamable-http")
_NAME = re.compile(r"[^a-zA-Z0-9_-]")
logger = logging.getLogger(__name__)


class MCPTools:
    """The tools of one MCP server: pass `command=` (stdio), `url=` (streamable HTTP, or `transport="sse"`),
    or `server=` (an in-process `mcp` server object, e.g. in tests).

    `env` adds environment variables for a stdio server; `include_tools` / `exclude_tools` pick tools by the
    server's names; `tool_name_prefix` names them `prefix_name` for the model (to tell two servers apart);
    `timeout_seconds` bounds every request to the server (start-up has its own, longer bound).
    """

    def __init__(
        self,
        command: str | None = None,
        *,
        url: str | None = None,
        env: Mapping[str, str] | None = None,
        transport: Transport | None = None,
        server: Any = None,
        timeout_seconds: float = 10,
        include_tools: Sequence[str] | None = None,
        exclude_tools: Sequence[str] | None = None,
        tool_name_prefix: str | None = None,
    ) -> None:
        given = [name for name, value in (("command", command), ("url", url), ("server", server)) if value is not None]
        if len(given) != 1:
            raise UsageError(f"MCPTools needs exactly one of command=, url= or server=, got {given or 'none'}")
        if transport is None:
            transport = "stdio" if command is not None else "streamable-http"
        if transport not in _TRANSPORTS:
            raise UsageError(f"transport must be one of {', '.join(_TRANSPORTS)}, got {transport!r}")
        if command is not None:
            self._argv = _argv(command, transport)
        if url is not None:
            _check_url(url, transport)
        if env is not None and (
            not isinstance(env, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
        ):
            raise UsageError("env must be a dict of strings to strings")
        if (
            isinstance(timeout_seconds, bool)
            or not isinstance(timeout_seconds, int | float)
            or not math.isfinite(timeout_seconds)
            or timeout_seconds <= 0
        ):
            raise UsageError(f"timeout_seconds must be a positive number of seconds, got {timeout_seconds!r}")
        if tool_name_prefix is not None and (
            not isinstance(tool_name_prefix, str) or not tool_name_prefix or _NAME.search(tool_name_prefix)
        ):
            raise UsageError(f"tool_name_prefix must be letters, digits, '_' or '-', got {tool_name_prefix!r}")
        self.command, self.url, self.server, self.transport = command, url, server, transport
        self.env = dict(env) if env is not None else None
        self.timeout_seconds = float(timeout_seconds)
        self.include_tools = _names(include_tools, "include_tools")
        self.exclude_tools = _names(exclude_tools, "exclude_tools") or []
        self.tool_name_prefix = tool_name_prefix
        self.label = _label(command, url, server)
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._tools: list[FunctionTool] = []

    # Connecting and closing: sync, async (agno's `connect` / `close` are coroutines), and context managers

    def __enter__(self) -> MCPTools:
        self.get_tools()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    async def __aenter__(self) -> MCPTools:
        await self.connect()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def connect(self) -> None:
        """Start the server (or reach it), and list its tools."""
        await self.aget_tools()

    async def close(self) -> None:
        """Close the session; a stdio server's process ends with it."""
        await asyncio.to_thread(self.shutdown)

    def shutdown(self) -> None:
        """`close()` for sync code."""
        with self._lock:
            conn, self._conn, self._tools = self._conn, None, []
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
        if conn is not None:
            conn.close()

    def refresh(self) -> list[FunctionTool]:
        """List the server's tools again (reconnecting if the connection was lost)."""
        with self._lock:
            conn = self._conn
            if conn is not None and conn.alive:
                self._tools = self._build(conn.relist())
                return self._tools
        self.shutdown()
        return self.get_tools()

    # What the agent asks for (routerkit.agent's tool-source protocol)

    def get_tools(self) -> list[FunctionTool]:
        """The server's tools, connecting first if needed (blocks; bounded)."""
        with self._lock:
            conn = self._conn
            if conn is not None and conn.alive:
                return self._tools
            if conn is not None:  # the server went away since the last run: start it again
                if self._finalizer is not None:
                    self._finalizer.detach()
                conn.close()
            from ._mcp_connection import Connection

            conn = Connection(self._open_client, self.label, self.timeout_seconds)
            listed = conn.start()
            try:
                tools = self._build(listed)
            except BaseException:
                conn.close()
                raise
            self._conn, self._tools = conn, tools
            self._finalizer = weakref.finalize(self, conn.close)
            return tools

    async def aget_tools(self) -> list[FunctionTool]:
        """`get_tools` without blocking the event loop."""
        conn = self._conn
        if conn is not None and conn.alive:
            return self._tools
        return await asyncio.to_thread(self.get_tools)

    # Internals

    def _open_client(self) -> Any:
        """The SDK client for this server (called on the connection's thread, which enters it)."""
        from mcp import Client, StdioServerParameters

        timeout = self.timeout_seconds
        if self.transport == "stdio" and self.command is not None:
            params = StdioServerParameters(command=self._argv[0], args=self._argv[1:], env=self.env)
            return Client(params, read_timeout_seconds=timeout)
        if self.transport == "sse":
            from mcp.client.sse import sse_client

            return Client(sse_client(self.url or "", timeout=timeout), read_timeout_seconds=timeout)
        return Client(self.url if self.url is not None else self.server, read_timeout_seconds=timeout)

    def _build(self, listed: list[Any]) -> list[FunctionTool]:
        from ..agent.tools import FunctionTool

        names = {getattr(tool, "name", None) for tool in listed}
        if self.include_tools is not None:
            missing = [name for name in self.include_tools if name not in names]
            if missing:
                shown = ", ".join(sorted(str(n) for n in names if n)[:50])
                raise UsageError(f"include_tools names tools {self.label} does not have: {missing}; it has: {shown}")
        tools: list[FunctionTool] = []
        seen: set[str] = set()
        for listed_tool in listed:
            original = listed_tool.name
            if (self.include_tools is not None and original not in self.include_tools) or (
                original in self.exclude_tools
            ):
                continue
            name = _tool_name(self.tool_name_prefix, original)
            if name in seen:
                logger.warning("MCP server %s: tool %r skipped, its name %r is taken", self.label, original, name)
                continue
            try:
                tool = FunctionTool.from_schema(
                    name=name,
                    description=listed_tool.description or "",
                    parameters=listed_tool.input_schema,
                    fn=self._caller(original),
                )
            except UsageError as exc:
                logger.warning("MCP server %s: tool %r skipped: %s", self.label, original, exc)
                continue
            seen.add(name)
            tools.append(tool)
        return tools

    def _caller(self, original: str) -> Any:
        def call(**arguments: Any) -> ToolResult:
            from ..agent.tools import ToolResult
            from ._mcp_results import result_text

            conn = self._conn
            if conn is None:
                raise _not_connected(self.label)
            result = conn.call(original, arguments)
            text, is_error = result_text(result)
            if is_error:
                text = text or "the tool failed without saying why"
                shown = text if text[:5].lower() == "error" else f"Error: {text}"
                return ToolResult(output=shown, is_error=True, value=result)
            return ToolResult(output=text, value=result)

        return call

    def __repr__(self) -> str:
        return f"MCPTools({self.label}, transport={self.transport!r}, connected={self._conn is not None})"


def _not_connected(label: str) -> Exception:
    from ..errors import MCPError

    return MCPError(f"MCP server {label} is not connected (closed)", server=label)


def _argv(command: str, transport: str) -> list[str]:
    if transport != "stdio":
        raise UsageError(f"command= starts a stdio server; transport={transport!r} needs url=")
    try:
        argv = shlex.split(command) if isinstance(command, str) else []
    except ValueError as exc:
        raise UsageError(f"command cannot be split into arguments ({exc}): {command!r}") from None
    if not argv:
        raise UsageError(f"command must be a non-empty string such as 'uvx mcp-server-git', got {command!r}")
    return argv


def _check_url(url: str, transport: str) -> None:
    if transport == "stdio":
        raise UsageError("url= reaches a server over HTTP; use transport='streamable-http' or 'sse' (or command=)")
    if not isinstance(url, str) or not re.match(r"https?://[^/\s]+", url):
        raise UsageError(f"url must be an http:// or https:// URL, got {url!r}")


def _names(value: Sequence[str] | None, what: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(name, str) for name in value):
        raise UsageError(f"{what} must be a list of tool names, got {value!r}")
    return list(value)


def _tool_name(prefix: str | None, name: str) -> str:
    """The name the model sees: the Responses API allows `[a-zA-Z0-9_-]{1,64}`, MCP allows more."""
    full = f"{prefix}_{name}" if prefix else name
    return _NAME.sub("_", full)[:64] or "_"


def _label(command: str | None, url: str | None, server: Any) -> str:
    """How errors name the server: the program (not its arguments, which may hold tokens), or the URL
    without credentials, query or fragment."""
    if command is not None:
        program = shlex.split(command)[0] if command.strip() else command
        return f"'{program}'"
    if url is not None:
        match = re.match(r"(https?://)(?:[^@/]*@)?([^/?#]*)([^?#]*)", url)
        return f"'{''.join(match.groups())}'" if match else "'(url)'"
    return f"(in-process {type(server).__name__})"
