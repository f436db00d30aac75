"""Running the emulator: :class:`Emulator` (background thread, for tests) and :func:`serve` (foreground).

uvicorn is imported only when a server starts, and only its public API is used: ``Config``, ``Server``,
``serve(sockets=[...])`` on a socket bound here (:class:`~._listener.Listener`), ``started`` and
``should_exit``. Stopping is immediate for open requests: a watcher closes their connections as soon as
``should_exit`` is set (by :meth:`Emulator.stop` or a signal), so a stalled stream cannot hold the server.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from collections.abc import Callable
from typing import Any

from ._account import Account, RateLimit
from ._app import API_PREFIX, ConnectionsApp, EmulatorApp
from ._engine import Engine
from ._listener import Listener
from ._script import RecordedRequest, ScriptedReply

__all__ = ["Emulator", "main", "make_server", "serve", "serve_forever", "serve_on"]

DEFAULT_PORT = 8787
_POLL_S = 0.01


def make_server(app: ConnectionsApp) -> Any:
    import uvicorn

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
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


async def serve_on(server: Any, app: ConnectionsApp, listener: Listener, on_started: Callable[[], None]) -> None:
    """Serve on ``listener`` until ``server.should_exit``; then close the open requests' connections."""
    app.listener = listener
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started and not serving.done():
            await asyncio.sleep(_POLL_S / 10)
        if server.started:
            on_started()
        while not server.should_exit and not serving.done():
            await asyncio.sleep(_POLL_S)
        app.close_connections()
    finally:
        await serving


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
    - ``outages``: model ids (e.g. ``"openai/gpt-oss-20b"``) that answer 503 "No endpoints available"
      until removed, so a fallback list can be seen at work (``routerkit demo`` does this).

    Start takes milliseconds, stop about 0.2 s (uvicorn's own shutdown ticks); stopping closes the
    connections of requests in progress, so a client holding a stalled stream cannot make it hang.
    Safe to use from several threads and async clients at once.
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
        """Bind the socket and serve in a background thread; returns once the server accepts requests."""
        if self._thread is not None:
            raise RuntimeError("emulator already started")
        listener = Listener(self.host, self.port)
        self.port = listener.getsockname()[1]
        started = threading.Event()
        self._server = make_server(self._app)

        def run() -> None:
            try:
                asyncio.run(serve_on(self._server, self._app, listener, started.set))
            except BaseException as exc:  # surfaced by start()
                self._error = exc
            finally:
                listener.close()
                started.set()

        self._thread = threading.Thread(target=run, name=f"routerkit-emulator-{self.port}", daemon=True)
        self._thread.start()
        if not started.wait(10) or self._error is not None:
            self.stop()
            raise RuntimeError(f"emulator failed to start: {self._error!r}")
        return self

    def stop(self) -> None:
        """Stop serving: open requests' connections are closed, then the server shuts down (idempotent)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._server.should_exit = True
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
    def outages(self) -> set[str]:
        return self._app.engine.outages

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def enqueue(self, *replies: ScriptedReply) -> None:
        """Queue scripted replies for the next ``POST /responses`` requests, in order."""
        self._app.scripted.extend(replies)

    def reset(self) -> None:
        """Forget recorded requests, pending scripted replies, `flaky-N` counters, the prompt cache and the ledger."""
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
    log: Callable[[str], None] | None = None,
) -> None:
    """Run the emulator in the foreground until interrupted (Ctrl-C / SIGTERM).

    ``on_ready(base_url)`` is called once the socket listens (default: print the base URL and an
    ``OPENROUTER_BASE_URL=...`` line); pass ``None`` for silence. ``port=0`` picks a free port.
    ``rate_limit`` makes the account answer 429 past that many requests per window. ``log`` gets one
    line per request (method, path, model, status, duration).
    """
    listener = Listener(host, port)
    bound = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown}:{bound}{API_PREFIX}"
    app = EmulatorApp(Engine(), account=Account(rate_limit), log=log)

    def started() -> None:
        if on_ready is not None:
            on_ready(base_url)

    serve_forever(app, listener, started)


def serve_forever(app: ConnectionsApp, listener: Listener, on_started: Callable[[], None]) -> None:
    """Serve ``app`` on ``listener`` in the foreground until Ctrl-C / SIGTERM; the listener is closed after."""
    try:
        asyncio.run(serve_on(make_server(app), app, listener, on_started))
    except KeyboardInterrupt:
        pass
    finally:
        listener.close()


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
