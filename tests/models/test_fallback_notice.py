"""`on_fallback`: a streamed call tells its listener which fallback model serves it as soon as the stream's
`response.created` names it — before the answer's first token (the CLI's "falling back to …" line)."""

from __future__ import annotations

from typing import Any

import pytest

from routerkit.models._call import on_fallback
from routerkit.wire._events import TextDelta


async def _events(model: Any, driver: str, seen: list[Any]) -> None:
    token = on_fallback.set(lambda served: seen.append(("fallback", served)))
    try:
        if driver == "invoke_stream":
            stream = model.invoke_stream("told early")
            seen.extend(stream)
        else:
            seen.extend([e async for e in model.ainvoke_stream("told early")])
    finally:
        on_fallback.reset(token)


@pytest.mark.parametrize("driver", ["invoke_stream", "ainvoke_stream"])
async def test_the_fallback_is_told_once_before_the_first_token(make_model, driver):
    model = make_model("emulator/fail-500", models=["emulator/fail-500", "emulator/echo"])
    seen: list[Any] = []
    await _events(model, driver, seen)
    told = [i for i, e in enumerate(seen) if e == ("fallback", "emulator/echo")]
    first_text = next(i for i, e in enumerate(seen) if isinstance(e, TextDelta))
    assert len(told) == 1 and told[0] < first_text


@pytest.mark.parametrize("driver", ["invoke_stream", "ainvoke_stream"])
async def test_nothing_is_told_when_the_requested_model_serves(make_model, driver):
    model = make_model("emulator/echo", models=["emulator/echo", "emulator/fail-500"])
    seen: list[Any] = []
    await _events(model, driver, seen)
    assert not [e for e in seen if isinstance(e, tuple)]
