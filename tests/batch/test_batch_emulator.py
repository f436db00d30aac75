"""The emulator's batch features: the account rate limit (429 with Retry-After and X-RateLimit-* headers,
as OpenRouter answers) and `emulator/slow-MS`, through the real HTTP path."""

from __future__ import annotations

import httpx2
import pytest

from routerkit.emulator import Emulator, RateLimit
from routerkit.errors import RateLimitError
from routerkit.models.openrouter import OpenRouterResponses

from ..conftest import TEST_KEY


def test_account_rate_limit_answers_429_like_openrouter():
    with Emulator(rate_limit=RateLimit(2, 60.0)) as emu:
        client = httpx2.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {TEST_KEY}"})
        body = {"model": "emulator/echo", "input": "hi"}
        assert [client.post("/responses", json=body).status_code for _ in range(2)] == [200, 200]
        refused = client.post("/responses", json=body)
        client.close()
        assert refused.status_code == 429
        assert refused.json() == {
            "error": {"code": 429, "message": "Rate limit exceeded", "metadata": {"error_type": "rate_limit_exceeded"}}
        }
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["x-ratelimit-limit"] == "2" and refused.headers["x-ratelimit-remaining"] == "0"
        model = OpenRouterResponses(id="emulator/echo", base_url=emu.base_url, api_key=TEST_KEY, max_retries=0)
        with pytest.raises(RateLimitError) as info:
            model.invoke("hi")
        assert info.value.status == 429 and info.value.retry_after is not None and info.value.retry_after >= 1


def test_slow_model_answers_like_echo_under_its_own_name(make_model, emu):
    response = make_model("emulator/slow-50").invoke("hello slow world")
    assert response.text == "hello slow world" and response.model == "emulator/slow-50"
