"""Running the emulator: :class:`Emulator` (background thread, for tests) and :func:`serve` (foreground).

uvicorn is imported only when a server starts. Its ``Server`` is subclassed in two places: the main loop
waits on an event instead of polling every 100 ms, and shutdown is immediate — listeners close, open
connections are aborted (a stalled stream cannot hold the server), and request tasks get half a second
before they are cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from ._account import Account, RateLimit
from ._app import API_PREFIX, EmulatorApp
from ._engine import Engine
from ._script import RecordedRequest, ScriptedReply

__all__ = ["Emulator", "main", "serve"]

DEFAULT_PORT = 8787


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP (not 0): asyncio sets TCP_NODELAY only on accepted sockets whose proto says
    # TCP. Without it, Nagle holds each reply's body behind its headers until the client's delayed ACK
    # (~40 ms a request on Linux).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _make_server(app: EmulatorApp, on_started: Callable[[], None] | None = None) -> Any:
    import uvicorn

    class _Server(uvicorn.Server):
        def __init__(self, config: uvicorn.Config) -> None:
            super().__init__(config)
            self.stop_event: asyncio.Event | None = None
            self.loop: asyncio.AbstractEventLoop | None = None

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            self.loop = asyncio.get_running_loop()
            self.stop_event = asyncio.Event()
            await super().startup(sockets=sockets)
            if on_started is not None:
                on_started()

        async def main_loop(self) -> None:
            assert self.stop_event is not None
            if not self.should_exit:
                await self.stop_event.wait()

        def request_stop(self) -> None:
            self.should_exit = True
            loop, event = self.loop, self.stop_event
            if loop is not None and event is not None and not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

        def handle_exit(self, sig: int, frame: Any) -> None:
            super().handle_exit(sig, frame)
            self.request_stop()

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            for server in self.servers:
                server.close()
            for proto in list(self.server_state.connections):
                transport = getattr(proto, "transport", None)
                if transport is not None:
                    transport.abort()
            tasks = [t for t in self.server_state.tasks if not t.done()]
            if tasks:
                _done, pending = await asyncio.wait(tasks, timeout=0.5)
                for task in pending:
                    task.cancel()
                if pending:
                    await asyncio.wait(pending, timeout=0.5)

    config = uvicorn.Config(
        app,
        interface="asgi3",
        lifespan="off",
        ws="none",
        log_config=None,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=30,
    )
    server = _Server(config)
    app.server = server
    return server


class Emulator:
    """A local OpenRouter (``/api/v1/responses``, ``/api/v1/models``) on loopback, in a background thread.

    ::

        with Emulator() as emu:
            client = httpx2.Client(base_url=emu.base_url, headers={"Authorization": "Bearer x"})
            client.post("/responses", json={"model": "emulator/echo", "input": "hi"})
            emu.requests[-1].body["model"]  # "emulator/echo"

    - ``base_url``: ``http://HOST:PORT/api/v1`` (what ``OPENROUTER_BASE_URL`` should be); ``url``: the
      origin ``http://HOST:PORT``.
    - ``requests``: every request received, oldest first (:class:`RecordedRequest`).
    - ``enqueue(reply)``: the next ``POST /responses`` gets ``reply`` instead of model behaviour (FIFO,
      one per request); see :mod:`routerkit.emulator._script` for the reply and step types.
    - ``reset()``: forget recorded requests, pending scripted replies and ``flaky-N`` counters.

    Start and stop take milliseconds; stopping aborts open connections, so a client holding a stalled
    stream cannot make it hang. Safe to use from several threads and async clients at once.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, rate_limit: RateLimit | None = None) -> None:
        self.host = host
        self.port = port
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._app = EmulatorApp(Engine(), record=self._record, account=Account(rate_limit))
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._thread is not None:
            raise RuntimeError("emulator already started")
        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        started = threading.Event()
        self._server = _make_server(self._app, started.set)

        def run() -> None:
            try:
                asyncio.run(self._server.serve(sockets=[sock]))
            except BaseException as exc:  # surfaced by start()
                self._error = exc
            finally:
                sock.close()
                started.set()

        self._thread = threading.Thread(target=run, name=f"routerkit-emulator-{self.port}", daemon=True)
        self._thread.start()
        if not started.wait(10) or self._error is not None:
            self.stop()
            raise RuntimeError(f"emulator failed to start: {self._error!r}")
        return self

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._server.request_stop()
        thread.join(10)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- public state --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def enqueue(self, *replies: ScriptedReply) -> None:
        """Queue scripted replies for the next ``POST /responses`` requests, in order."""
        self._app.scripted.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
        self._app.scripted.clear()
        self._app.engine.reset()
        self._app.account.reset()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def __repr__(self) -> str:
        state = "running" if self._thread is not None else "stopped"
        return f"<Emulator {self.base_url} {state}>"


def _print_banner(base_url: str) -> None:
    print(f"routerkit emulator: OpenRouter API on {base_url}", flush=True)
    print(f"OPENROUTER_BASE_URL={base_url}", flush=True)


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    *,
    on_ready: Callable[[str], None] | None = _print_banner,
    rate_limit: RateLimit | None = None,
) -> None:
    """Run the emulator in the foreground until interrupted (Ctrl-C / SIGTERM).

    ``on_ready(base_url)`` is called once the socket listens (default: print the base URL and an
    ``OPENROUTER_BASE_URL=...`` line); pass ``None`` for silence. ``port=0`` picks a free port.
    ``rate_limit`` makes the account answer 429 past that many requests per window.
    """
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown}:{bound}{API_PREFIX}"
    app = EmulatorApp(Engine(), account=Account(rate_limit))

    def started() -> None:
        if on_ready is not None:
            on_ready(base_url)

    server = _make_server(app, started)
    try:
        asyncio.run(server.serve(sockets=[sock]))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


def main(argv: list[str] | None = None) -> int:
    """``python -m routerkit.emulator [--host H] [--port N]``."""
    parser = argparse.ArgumentParser(prog="python -m routerkit.emulator", description=serve.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"0 = any free port (default {DEFAULT_PORT})")
    parser.add_argument("--rpm", type=int, help="account rate limit: 429 past N requests a minute")
    args = parser.parse_args(argv)
    serve(args.host, args.port, rate_limit=RateLimit(args.rpm) if args.rpm else None)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
