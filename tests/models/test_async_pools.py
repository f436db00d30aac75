"""The shared async pools grow by small shards (httpcore2 scans a whole pool per request, so one pool of
thousands of connections is quadratic) and give every connection back however a stream ends: finished,
failed, or cancelled half-way. A leaked slot would make the pools grow with every run of a long process."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from routerkit.errors import APIError
from routerkit.models._async_pools import SHARD_CONNECTIONS
from routerkit.models._clients import shared_async_client

STREAMS = 40


async def read_all(model: Any) -> int:
    return sum([1 async for _ in model.ainvoke_stream("hi")])


async def cancel_half_way(model: Any) -> None:
    async for _ in model.ainvoke_stream("hi"):
        raise asyncio.CancelledError  # the consumer gives up after the first event


async def test_slots_come_back_after_finished_failed_and_cancelled_streams(make_model: Any) -> None:
    ok = make_model("emulator/markdown-50")
    failing = make_model("emulator/truncate", max_retries=0)
    pools = shared_async_client()
    for _ in range(3):
        results = await asyncio.gather(
            *(read_all(ok) for _ in range(STREAMS)),
            *(read_all(failing) for _ in range(STREAMS // 4)),
            *(asyncio.create_task(cancel_half_way(ok)) for _ in range(STREAMS // 4)),
            return_exceptions=True,
        )
        assert all(n == 51 for n in results[:STREAMS]), results[:STREAMS]
        assert all(isinstance(e, APIError) for e in results[STREAMS : STREAMS + STREAMS // 4])
        assert all(s.in_flight == 0 for s in pools._shards)
    most_at_once = STREAMS + 2 * (STREAMS // 4)
    assert len(pools._shards) <= math.ceil(most_at_once / SHARD_CONNECTIONS)


def test_shards_share_one_tls_context_that_checks_certificates() -> None:
    """Every shard uses one TLS context (a new one per shard reloads the CA bundle, mid-burst): it must still
    verify the server's certificate and host name, as httpx2's own default does."""
    import ssl

    from routerkit.models._tls import tls_context

    ctx = tls_context()
    assert tls_context() is ctx
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname


def test_plain_http_never_loads_the_ca_bundle(emu: Any) -> None:
    """A plain-http base URL (the emulator, a local server) is answered without the TLS settings ever being
    made, sync and async: loading the CA bundle was the largest cost of a whole `routerkit ask`. A fresh
    process, so no other test has made them first."""
    import subprocess
    import sys

    script = (
        "import asyncio\n"
        "from routerkit.models import _tls\n"
        "from routerkit.models.openrouter import OpenRouterResponses\n"
        f"m = OpenRouterResponses(id='emulator/echo', base_url={emu.base_url!r}, api_key='x')\n"
        "assert m.invoke('hi').text and asyncio.run(m.ainvoke('hi')).text\n"
        "print(_tls._context is None)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True", done.stderr


def test_the_plain_pool_cannot_send_https_unchecked() -> None:
    """The pool for plain http has a TLS context that trusts no CA yet still checks certificates and host
    names: an https URL that somehow reached it would fail, never be sent unverified. https URLs get the
    shared, checked context."""
    import ssl

    import httpx2

    from routerkit.models._async_pools import _ByScheme
    from routerkit.models._tls import tls_context

    pools = _ByScheme(httpx2.Limits())
    plain = pools.pick(httpx2.URL("http://127.0.0.1:1/"))._pool._ssl_context
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.check_hostname
    assert plain.cert_store_stats()["x509_ca"] == 0
    assert pools.pick(httpx2.URL("https://openrouter.ai/")) is not pools.pick(httpx2.URL("http://localhost/"))
    assert pools.pick(httpx2.URL("https://openrouter.ai/"))._pool._ssl_context is tls_context()


def test_a_loop_left_open_until_exit_prints_nothing(emu: Any) -> None:
    """A script that never closes its event loop: the loop is collected while the interpreter shuts down, when
    the pools can no longer be closed from inside it. The process must exit cleanly, with no traceback."""
    import subprocess
    import sys

    script = (
        "import asyncio\n"
        "from routerkit.models.openrouter import OpenRouterResponses\n"
        f"m = OpenRouterResponses(id='emulator/echo', base_url={emu.base_url!r}, api_key='x')\n"
        "loop = asyncio.new_event_loop()\n"
        "print(loop.run_until_complete(m.ainvoke('hi')).text)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "hi", "")
