"""What the measuring children share: the clients under test, built the same way in every measurement, the
bare frame parsers of the floor, and the timing and memory probes."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from _harness import headers

PROMPT = "hi"
ROUTERKIT_TIMEOUTS = {"connect": 10.0, "read": 120.0, "write": 120.0, "pool": 10.0}
"""routerkit's default timeouts (connect, stall, pool), for a bare async client whose streams queue for its
pool: with httpx2's 5 s default, a loaded machine makes the floor itself time out waiting for a connection."""


def rss_bytes() -> int:
    """Current resident set size (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def peak_rss_bytes() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def model_id(body: bytes) -> str:
    model: str = json.loads(body)["model"]
    return model


def rk_model(base_url: str, model_id: str) -> Any:
    from routerkit.models.openrouter import OpenRouterResponses

    return OpenRouterResponses(id=model_id, base_url=base_url, api_key="x", max_retries=0)


def agno_model(base_url: str, model_id: str) -> Any:
    """agno's OpenRouter Responses model on the emulator, retries off like routerkit's and the openai SDK's."""
    from agno.models.openrouter import OpenRouterResponses

    return OpenRouterResponses(id=model_id, base_url=base_url, api_key="x", max_retries=0)


def agno_agent(model: Any, **kwargs: Any) -> Any:
    """An agno Agent with telemetry off: by default agno posts every run to os-api.agno.com in the background,
    traffic that has nothing to do with the work measured here."""
    from agno.agent import Agent

    return Agent(model=model, telemetry=False, **kwargs)


def peer_stream(side: str, base_url: str, mid: str) -> Callable[[], Awaitable[int]]:
    """A coroutine function reading one whole async stream of a peer and returning its event count.

    openai SDK: one `AsyncOpenAI` client. agno: one model, so one `AsyncOpenAI` client, like routerkit's one
    model, and a new `Agent` per stream, as a server handling requests would."""
    if side == "openai":
        import openai

        oclient = openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0)

        async def one() -> int:
            n = 0
            async for _ in await oclient.responses.create(model=mid, input=PROMPT, stream=True):
                n += 1
            return n

    elif side == "agno":
        shared = agno_model(base_url, mid)

        async def one() -> int:
            n = 0
            async for _ in agno_agent(shared).arun(PROMPT, stream=True):
                n += 1
            return n

    else:
        raise ValueError(side)
    return one


def time_each(fn: Callable[[], Any], reps: int, warmup: int = 1) -> dict[str, Any]:
    """Wall and CPU seconds of `reps` calls of `fn` after `warmup` untimed ones, and the last result."""
    for _ in range(warmup):
        fn()
    times, cpus, result = [], [], None
    for _ in range(reps):
        cpu0, start = time.process_time(), time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu0)
    return {"seconds": times, "cpu": cpus, "result": result}


def floor_stream(client: Any, url: str, body: bytes) -> int:
    """The floor's cheapest stream parser: split the bytes into SSE frames, `json.loads` each data frame.

    Written out inline here and in `floor_astream` (not behind a shared helper) because the floor must be the
    cheapest loop a user could write: a method call per chunk would make it slower than it needs to be."""
    n = 0
    rest = b""
    with client.stream("POST", url, content=body, headers=headers(True)) as r:
        r.raise_for_status()
        for chunk in r.iter_bytes():
            *frames, rest = (rest + chunk).split(b"\n\n")
            for frame in frames:
                if frame.startswith(b"data: {"):
                    json.loads(frame[6:])
                    n += 1
    return n


async def floor_astream(client: Any, url: str, body: bytes) -> int:
    """`floor_stream` on an `httpx2.AsyncClient`."""
    n = 0
    rest = b""
    async with client.stream("POST", url, content=body, headers=headers(True)) as r:
        r.raise_for_status()
        async for chunk in r.aiter_bytes():
            *frames, rest = (rest + chunk).split(b"\n\n")
            for frame in frames:
                if frame.startswith(b"data: {"):
                    json.loads(frame[6:])
                    n += 1
    return n
