"""Small MCP servers for the tests, on the official SDK: in-process objects, or run as a script.

`python _servers.py KIND` serves KIND over stdio; `python _servers.py KIND http` serves it over streamable
HTTP (`/mcp`) and SSE (`/sse`) on 127.0.0.1, on a free port it prints as its first line.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ImageContent, TextContent

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 92).decode()


def build(kind: str) -> MCPServer:
    server = MCPServer(f"routerkit-test-{kind}", log_level="ERROR")
    if kind == "basic":
        _basic(server)
    elif kind == "many":
        for i in range(50):
            server.add_tool(_numbered(i), name=f"tool_{i:02d}", description=f"Tool number {i}.")
    elif kind == "faulty":
        _faulty(server)
    else:
        raise SystemExit(f"unknown server kind {kind!r}")
    return server


def _basic(server: MCPServer) -> None:
    @server.tool()
    def weather(city: str) -> str:
        """The weather in a city."""
        return f"sunny in {city}"

    @server.tool()
    def refuse(city: str) -> str:
        """Always fails, as a tool may."""
        raise ToolError(f"no weather station in {city}")

    @server.tool()
    def structured(city: str) -> dict[str, Any]:
        """Weather as structured content."""
        return {"city": city, "celsius": 21}

    @server.tool()
    def picture(city: str) -> list[Any]:
        """A caption and an image."""
        return [
            TextContent(type="text", text=f"a photo of {city}"),
            ImageContent(type="image", data=PNG, mime_type="image/png"),
        ]


def _faulty(server: MCPServer) -> None:
    @server.tool()
    async def hang(city: str) -> str:
        """Never answers."""
        await asyncio.sleep(3600)
        return city

    @server.tool()
    def crash(city: str) -> str:
        """The server process dies mid-call."""
        os._exit(3)

    @server.tool()
    def ok(city: str) -> str:
        """Answers."""
        return f"ok {city}"


def _numbered(i: int) -> Any:
    def tool(text: str) -> str:
        return f"{i}:{text}"

    return tool


def _serve_http(server: MCPServer) -> None:
    import socket

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # before the port is printed: a client connecting while uvicorn starts waits, not refused
    print(sock.getsockname()[1], flush=True)
    app = server.streamable_http_app()  # /mcp, and the older SSE transport beside it: /sse and /messages/
    app.router.routes.extend(server.sse_app().routes)
    config = uvicorn.Config(app, log_level="error", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    built = build(sys.argv[1])
    if sys.argv[2:] == ["http"]:
        _serve_http(built)
    else:
        built.run("stdio")
