"""The key is sent only to the configured base URL: never over plain http to another machine unless the caller
says so, and never to wherever a redirect points."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from routerkit.emulator import Emulator, Reply
from routerkit.errors import APIStatusError, UsageError
from routerkit.models.openai import OpenAIResponses
from routerkit.models.openrouter import OpenRouterResponses

from .test_secrets import CANARY


@pytest.mark.parametrize(
    "url",
    [
        "http://openrouter.ai/api/v1",
        "http://10.0.0.5:8080/api/v1",
        "http://[2001:db8::1]/api/v1",
        "http://localhost.example.com/api/v1",
        "http://127.0.0.1.nip.io/api/v1",
    ],
)
@pytest.mark.parametrize("cls", [OpenRouterResponses, OpenAIResponses])
def test_plain_http_to_another_host_is_refused(cls, url):
    with pytest.raises(UsageError, match="allow_insecure_http") as info:
        cls(api_key=CANARY, base_url=url)
    assert url in str(info.value) and CANARY not in str(info.value)
    model = cls(api_key=CANARY, base_url=url, allow_insecure_http=True)
    assert model.base_url == url.rstrip("/")


def test_plain_http_from_the_environment_is_refused_too(monkeypatch):
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://openrouter.example/api/v1")
    with pytest.raises(UsageError, match="allow_insecure_http"):
        OpenRouterResponses(api_key=CANARY)


@pytest.mark.parametrize(
    "url",
    ["https://openrouter.ai/api/v1", "http://127.0.0.1:8787/api/v1", "http://localhost:1/v1", "http://[::1]:9/v1"],
)
def test_https_and_loopback_are_accepted(url):
    assert OpenRouterResponses(api_key=CANARY, base_url=url).base_url == url


@pytest.mark.parametrize("url", ["ftp://openrouter.ai/api/v1", "openrouter.ai/api/v1", "https://", ""])
def test_base_url_must_be_an_http_url(url):
    with pytest.raises(UsageError, match="base_url"):
        OpenRouterResponses(api_key=CANARY, base_url=url)


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[Emulator]:
    """A second server, on another loopback address, where a redirect points."""
    with Emulator(host="127.0.0.2") as other:
        yield other


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("mode", ["invoke", "invoke_stream", "ainvoke", "ainvoke_stream"])
def test_redirect_to_another_host_is_not_followed(emu, elsewhere, status, mode):
    elsewhere.reset()
    target = f"{elsewhere.base_url}/responses"
    emu.enqueue(*[Reply(status, b"", {"location": target})] * 3)
    model = OpenRouterResponses(
        id="emulator/echo", base_url=emu.base_url, api_key=CANARY, max_retries=2, timeout=5, stall_timeout=1
    )

    async def call() -> None:
        if mode == "invoke":
            model.invoke("hello")
        elif mode == "invoke_stream":
            list(model.invoke_stream("hello"))
        elif mode == "ainvoke":
            await model.ainvoke("hello")
        else:
            async for _ in model.ainvoke_stream("hello"):
                pass

    with pytest.raises(APIStatusError) as info:
        asyncio.run(call())
    assert elsewhere.requests == [], "the request (and its Authorization header) went to the redirect target"
    exc = info.value
    assert exc.status == status
    assert "redirect" in exc.message and target in exc.message
    assert len(emu.requests) == 1, "a redirect is an answer, not a transient failure: no retry"
