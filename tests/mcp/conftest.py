"""MCP test servers: stdio commands for `_servers.py`, and one streamable-HTTP server on loopback."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SERVERS = Path(__file__).with_name("_servers.py")


def stdio_command(kind: str) -> str:
    """The command line that serves `kind` over stdio (as `--mcp` or `MCPTools(command=...)` takes it)."""
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(SERVERS))} {kind}"


@pytest.fixture
def stdio() -> Callable[[str], str]:
    return stdio_command


@pytest.fixture(scope="session")
def http_url() -> Iterator[str]:
    """The basic server over streamable HTTP on 127.0.0.1 (a subprocess, shared by the session)."""
    proc = subprocess.Popen([sys.executable, str(SERVERS), "basic", "http"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
