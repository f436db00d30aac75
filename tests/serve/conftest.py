"""`routerkit serve`'s app on loopback in a background thread, serving an agent whose model is the emulator."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from routerkit import Agent
from routerkit.emulator._listener import Listener
from routerkit.emulator._server import make_server, serve_on
from routerkit.serve import ServeApp


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class Served:
    """A running `ServeApp`: `url` is its origin, `base_url` what a Responses client wants."""

    def __init__(self, app: ServeApp) -> None:
        self.app = app
        listener = Listener("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        self.base_url = self.url + "/v1"
        self._server = make_server(app)
        started = threading.Event()

        def run() -> None:
            try:
                asyncio.run(serve_on(self._server, app, listener, started.set))
            finally:
                listener.close()
                started.set()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert started.wait(10)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)


@pytest.fixture
def serve_agent(make_model: Callable[..., Any]) -> Iterator[Callable[..., Served]]:
    """`serve_agent(agent=None, key=None)`: serve an agent (default: `emulator/tool` with `get_weather`)."""
    running: list[Served] = []

    def start(agent: Agent | None = None, key: str | None = None) -> Served:
        agent = agent or Agent(model=make_model("emulator/tool"), tools=[get_weather])
        served = Served(ServeApp(agent, name="weather-agent", key=key))
        running.append(served)
        return served

    yield start
    for served in running:
        served.stop()
