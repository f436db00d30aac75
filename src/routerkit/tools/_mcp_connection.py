"""One MCP connection, owned by a background event-loop thread.

The MCP SDK is async, and its client must be entered and left by the same task. Each connection therefore
gets a daemon thread running its own event loop, where one task opens the `mcp.Client`, lists the tools and
waits to be told to close. Sync callers (`Agent.run`, `print_response`) block on a future with a deadline;
async callers await the same future without blocking their loop — one implementation for both, and the
caller's loop (or its absence) never matters. Every wait is bounded: start-up by `START_SECONDS`, each
request by the tool's `timeout_seconds`, and closing by `CLOSE_SECONDS`. A server that dies fails every
pending call at once (the SDK sees its pipe close) and marks the connection lost, so the next run restarts it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from ..errors import MCPError

__all__ = ["CLOSE_SECONDS", "START_SECONDS", "Connection"]

START_SECONDS = 60.0
"""Process start, handshake and listing: a Python server importing the SDK takes seconds on a busy machine."""
CLOSE_SECONDS = 10.0
#: A paginating server that never stops cannot hold the listing forever.
MAX_PAGES = 100
#: JSON-RPC error codes the SDK raises for a closed connection and for its own read timeout.
CONNECTION_CLOSED, REQUEST_TIMEOUT = -32000, -32001

T = TypeVar("T")


class Connection:
    """A live session with one server: `tools` as listed, `call` and `relist` while it is up, `close` once."""

    def __init__(self, open_client: Callable[[], Any], label: str, timeout: float) -> None:
        self.label = label
        self.timeout = timeout
        self.tools: list[Any] = []
        self._open_client = open_client
        self._client: Any = None
        self._lost: BaseException | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"routerkit-mcp {label}", daemon=True)
        self._stop: asyncio.Event | None = None
        self._owner: concurrent.futures.Future[None] | None = None
        self._finished = threading.Event()  # the owner task has left the client (its future says less once cancelled)

    # Start and stop (sync and async share `_submit`)

    def start(self) -> list[Any]:
        self._thread.start()
        ready: concurrent.futures.Future[list[Any]] = concurrent.futures.Future()
        self._owner = asyncio.run_coroutine_threadsafe(self._own(ready), self._loop)
        try:
            self.tools = ready.result(START_SECONDS)
        except concurrent.futures.TimeoutError:
            self.close()
            raise MCPError(
                f"MCP server {self.label} did not start and list its tools within {START_SECONDS:g} s",
                server=self.label,
            ) from None
        except BaseException:
            self.close()
            raise
        return self.tools

    def close(self) -> None:
        """Close the session (the SDK ends a stdio server's process) and stop the thread; idempotent."""
        if not self._thread.is_alive():
            return
        if self._owner is not None:
            if self._client is not None and self._stop is not None:
                self._loop.call_soon_threadsafe(self._stop.set)  # the owner leaves the client: a clean close
            else:
                self._owner.cancel()  # still starting (or stuck in the handshake): cancelling ends the process
            if not self._finished.wait(CLOSE_SECONDS):
                self._owner.cancel()
                self._finished.wait(CLOSE_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CLOSE_SECONDS)
        if not self._thread.is_alive():
            self._loop.close()

    @property
    def alive(self) -> bool:
        return self._client is not None

    def lost_reason(self) -> str:
        return _describe(self._lost) if self._lost is not None else "the connection is closed"

    # Requests

    def call(self, name: str, arguments: dict[str, Any]) -> Any:
        """The server's `CallToolResult`, or `MCPError` (timeout, lost connection, protocol error)."""
        return self._wait(self._submit(self._call(name, arguments)), name)

    async def acall(self, name: str, arguments: dict[str, Any]) -> Any:
        return await self._await(self._submit(self._call(name, arguments)), name)

    def relist(self) -> list[Any]:
        self.tools = self._wait(self._submit(self._bounded(self._list())), None)
        return self.tools

    # Internals

    def _submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        if self._client is None:
            coro.close()
            raise MCPError(f"MCP server {self.label} is not connected: {self.lost_reason()}", server=self.label)
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _wait(self, future: concurrent.futures.Future[T], tool: str | None) -> T:
        try:
            return future.result(self.timeout + CLOSE_SECONDS)  # the loop-side deadline normally fires first
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise self._timeout(tool) from None

    async def _await(self, future: concurrent.futures.Future[T], tool: str | None) -> T:
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout + CLOSE_SECONDS)
        except TimeoutError:
            raise self._timeout(tool) from None

    def _timeout(self, tool: str | None) -> MCPError:
        what = f"tool {tool!r} of MCP server {self.label}" if tool else f"MCP server {self.label}"
        return MCPError(f"{what} did not answer within {self.timeout:g} s", server=self.label, tool=tool)

    async def _own(self, ready: concurrent.futures.Future[list[Any]]) -> None:
        """The task that owns the SDK client from opening to closing."""
        self._stop = asyncio.Event()
        try:
            async with self._open_client() as client:
                tools = await self._bounded(self._list(client))
                self._client = client
                ready.set_result(tools)
                await self._stop.wait()
        except BaseException as exc:
            self._lost = exc
            if not ready.done():
                ready.set_exception(self._as_error(exc, None))
            if not isinstance(exc, Exception):
                raise
        finally:
            self._client = None
            self._finished.set()

    async def _list(self, client: Any = None) -> list[Any]:
        client = client or self._client
        tools: list[Any] = []
        cursor = None
        for _ in range(MAX_PAGES):
            page = await client.list_tools(cursor=cursor, cache_mode="refresh")
            tools.extend(page.tools)
            cursor = page.next_cursor
            if cursor is None:
                return tools
        raise MCPError(f"MCP server {self.label} listed more than {MAX_PAGES} pages of tools", server=self.label)

    async def _call(self, name: str, arguments: dict[str, Any]) -> Any:
        client = self._client
        if client is None:
            raise MCPError(f"MCP server {self.label} is not connected: {self.lost_reason()}", server=self.label)
        try:  # the SDK's read timeout bounds the call; `_wait` / `_await` bound it again from outside
            return await client.call_tool(name, arguments, read_timeout_seconds=self.timeout)
        except TimeoutError:
            raise self._timeout(name) from None
        except Exception as exc:
            code = getattr(exc, "code", None)
            if code == REQUEST_TIMEOUT:
                raise self._timeout(name) from None
            if code == CONNECTION_CLOSED:  # the server is gone: the owner closes the client, the next run restarts it
                self._lost, self._client = exc, None
                if self._stop is not None:
                    self._stop.set()
                raise MCPError(
                    f"MCP server {self.label} closed the connection during the call of {name!r} (did it crash?)",
                    server=self.label,
                    tool=name,
                ) from exc
            raise self._as_error(exc, name) from exc

    async def _bounded(self, coro: Coroutine[Any, Any, T]) -> T:
        try:
            return await asyncio.wait_for(coro, self.timeout)
        except TimeoutError:
            raise self._timeout(None) from None
        except MCPError:
            raise
        except Exception as exc:
            raise self._as_error(exc, None) from exc

    def _as_error(self, exc: BaseException, tool: str | None) -> BaseException:
        if isinstance(exc, MCPError) or not isinstance(exc, Exception):
            return exc
        what = f"tool {tool!r} of MCP server {self.label}" if tool else f"MCP server {self.label}"
        return MCPError(f"{what} failed: {_describe(exc)}", server=self.label, tool=tool)


def _describe(exc: BaseException) -> str:
    """The innermost useful message: the SDK wraps transport failures in exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    message = str(exc)[:300]
    code = getattr(exc, "code", None)
    name = type(exc).__name__
    if isinstance(code, int) and message:
        return f"{name} {code}: {message}"
    return f"{name}: {message}" if message else name
