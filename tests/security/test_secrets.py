"""The API key never leaves the request's Authorization header: not in reprs, logs at DEBUG, exceptions,
tracebacks (with locals, as error trackers and `pytest -l` show them), the session database, the run
output, or the CLI's output, whatever happens to the call."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest

from routerkit.agent import Agent
from routerkit.db.sqlite import SqliteDb
from routerkit.emulator import Reply, Reset, StreamReply
from routerkit.errors import APIError, RouterkitError
from routerkit.models.openai import OpenAIResponses
from routerkit.models.openrouter import OpenRouterResponses

from ..faults._replies import or_error, text_stream

CANARY = "sk-or-v1-CANARY-7f3e9a1c5b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f"
# The key must not appear in part either (a truncated or quoted form is still a leak).
FRAGMENTS = (CANARY, CANARY[9:], "CANARY-7f3e9a1c")


def assert_clean(text: str | bytes, where: str) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for fragment in FRAGMENTS:
        assert fragment not in text, f"the API key appears in {where}"


def _model(emu, id: str = "emulator/echo", **kwargs: Any) -> OpenRouterResponses:
    kwargs.setdefault("stall_timeout", 0.5)
    kwargs.setdefault("timeout", 5.0)
    kwargs.setdefault("max_retries", 0)
    return OpenRouterResponses(id=id, base_url=emu.base_url, api_key=CANARY, **kwargs)


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1"


def test_reprs_of_models_and_agents(emu, tmp_path, monkeypatch):
    models = [
        _model(emu),
        OpenAIResponses(id="gpt-4o", api_key=CANARY, extra_headers={"X-Key": CANARY}),
        OpenRouterResponses(id="openai/gpt-4o", api_key=CANARY, models=["openai/gpt-4o-mini"]),
    ]
    monkeypatch.setenv("OPENROUTER_API_KEY", CANARY)
    models.append(OpenRouterResponses(id="openai/gpt-4o"))
    for model in models:
        for text in (repr(model), str(model), format(model)):
            assert_clean(text, f"{type(model).__name__} repr")
        agent = Agent(model=model, db=SqliteDb(db_file=tmp_path / "a.db"), instructions="be brief")
        assert_clean(repr(agent), "Agent repr")
        assert_clean(str(agent), "Agent str")


def _collect_errors(emu) -> list[BaseException]:
    """One exception of every kind a call can end in, sync and async, streamed and not."""
    emu.enqueue(
        Reply(500, or_error(500, "boom")),
        StreamReply([*text_stream("partial ", terminal=False)[:-1], Reset()]),
        StreamReply([*text_stream("half", terminal=False)[:-1]]),
        Reply(302, b"", {"location": "http://127.0.0.1:9/elsewhere"}),
    )
    cases: list[tuple[OpenRouterResponses, str]] = [
        (_model(emu), "plain"),  # scripted 500
        (_model(emu), "stream"),  # reset mid-stream
        (_model(emu), "stream"),  # closed without a terminal event
        (_model(emu), "plain"),  # a redirect
        *((_model(emu, f"emulator/fail-{s}"), "plain") for s in (400, 401, 402, 403, 404, 408, 429, 502, 503)),
        (_model(emu, "emulator/fail-503-in-400"), "stream"),
        (_model(emu, "emulator/html-502"), "plain"),
        (_model(emu, "emulator/error-event"), "stream"),
        (_model(emu, "emulator/failed"), "stream"),
        (_model(emu, "emulator/stall"), "stream"),
        (_model(emu, "emulator/stall"), "plain"),
        (_model(emu, "emulator/truncate"), "plain"),
        (OpenRouterResponses(id="emulator/echo", base_url=_closed_port_url(), api_key=CANARY), "plain"),
    ]
    errors: list[BaseException] = []
    for model, how in cases:
        try:
            if how == "plain":
                model.invoke("hello")
            else:
                list(model.invoke_stream("hello"))
        except RouterkitError as exc:
            errors.append(exc)
        else:
            raise AssertionError(f"{model.id} ({how}) did not fail")

    async def async_errors() -> None:
        for id in ("emulator/fail-401", "emulator/failed", "emulator/stall"):
            try:
                await _model(emu, id).ainvoke("hello")
            except APIError as exc:
                errors.append(exc)
            try:
                async for _ in _model(emu, id).ainvoke_stream("hello"):
                    pass
            except APIError as exc:
                errors.append(exc)

    asyncio.run(async_errors())
    # Errors raised by the agent layer, with a RunOutput attached.
    for id in ("emulator/fail-401", "emulator/incomplete"):
        try:
            list(Agent(model=_model(emu, id)).run("hello", stream=True))
        except APIError as exc:
            errors.append(exc)
    # Refusals before any request.
    for bad in (lambda: OpenRouterResponses(id=" ", api_key=CANARY), lambda: _model(emu).invoke(42)):
        try:
            bad()
        except RouterkitError as exc:
            errors.append(exc)
    return errors


def test_exceptions_and_tracebacks_of_every_error_kind(emu):
    errors = _collect_errors(emu)
    kinds = {type(e).__name__ for e in errors}
    assert {"AuthenticationError", "ServerError", "StreamInterruptedError", "APITimeoutError"} <= kinds
    assert {"APIConnectionError", "ResponseFailedError", "IncompleteResponseError", "UsageError"} <= kinds
    for exc in errors:
        where = f"{type(exc).__name__}: {exc}"
        assert_clean(str(exc), where)
        assert_clean(repr(exc), where)
        assert_clean(repr(vars(exc)), where)
        assert_clean("".join(traceback.format_exception(exc)), f"the traceback of {where}")
        run_output = getattr(exc, "run_output", None)
        if run_output is not None:
            assert_clean(repr(run_output), "RunOutput repr")


def test_tracebacks_with_locals_of_routerkit_frames(emu):
    """Error trackers (Sentry), rich's `show_locals` and `pytest -l` print every frame's locals: routerkit's
    own objects there (the model, the prepared call, the run state) must not show the key."""
    for id in ("emulator/fail-401", "emulator/fail-502"):
        agent = Agent(model=_model(emu, id))
        try:
            agent.run("hello")
        except APIError as exc:
            frames = traceback.TracebackException.from_exception(exc, capture_locals=True)
            text = "".join(frames.format())
            assert "Call(" in text or "call =" in text  # the locals really were captured
            assert_clean(text, f"the traceback with locals of {type(exc).__name__}")
        else:
            raise AssertionError(f"{id} did not fail")


def test_debug_logs(emu, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("", "httpx2", "httpcore2", "httpx", "httpcore", "routerkit", "uvicorn", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    _collect_errors(emu)
    _model(emu).invoke("fine")
    list(_model(emu).invoke_stream("fine"))
    assert caplog.records, "DEBUG logging produced nothing; the check would be empty"
    for record in caplog.records:
        assert_clean(record.getMessage(), f"the log record {record.name}")
        assert_clean(repr(record.args), f"the log record args of {record.name}")
    assert_clean(caplog.text, "the DEBUG log")


def test_session_database_and_run_output(emu, tmp_path):
    db_file = tmp_path / "session.db"
    agent = Agent(model=_model(emu, "emulator/reasoning"), db=SqliteDb(db_file=db_file), add_history_to_context=True)
    outputs = [agent.run("first"), agent.run("second")]
    agent.model = _model(emu, "emulator/failed")
    with pytest.raises(APIError) as info:
        list(agent.run("third", stream=True, stream_events=True))
    outputs.append(info.value.run_output)
    for out in outputs:
        assert_clean(repr(out), "RunOutput repr")
        assert_clean(repr(out.items) + repr(out.responses), "RunOutput items")
    agent.db.close()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("session.db")]
    assert files
    for path in files:
        assert_clean(path.read_bytes(), f"the database file {path.name}")


def _cli_available() -> str | None:
    try:
        import routerkit.cli  # noqa: F401
    except ImportError as exc:
        return f"routerkit.cli cannot be imported yet ({exc})"
    return None


@pytest.mark.skipif(_cli_available() is not None, reason=_cli_available() or "")
@pytest.mark.parametrize(
    ("args", "succeeds"),
    [
        (["ask", "-m", "emulator/echo", "hello there"], True),
        (["ask", "-m", "emulator/echo", "--plain", "hello there"], True),
        (["--debug", "ask", "-m", "emulator/fail-401", "hello"], False),
        (["--debug", "ask", "-m", "emulator/fail-502", "--max-retries", "0", "hello"], False),
        (["--debug", "ask", "-m", "emulator/failed", "hello"], False),
        (["--debug", "ask", "-m", "emulator/stall", "--timeout", "1", "--max-retries", "0", "hello"], False),
        (["--debug", "models"], True),
    ],
    ids=["ask", "ask-plain", "401-debug", "502-debug", "failed-debug", "timeout-debug", "models-debug"],
)
def test_cli_output(emu, tmp_path, args, succeeds):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "ROUTERKIT_"))}
    env.update(OPENROUTER_API_KEY=CANARY, OPENROUTER_BASE_URL=emu.base_url, ROUTERKIT_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "routerkit.cli", *args],
        capture_output=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert (done.returncode == 0) == succeeds, done.stderr.decode()
    assert emu.requests, "the CLI did not reach the emulator"
    assert_clean(done.stdout, "the CLI's stdout")
    assert_clean(done.stderr, "the CLI's stderr")
    for path in Path(tmp_path).rglob("*"):
        if path.is_file():
            assert_clean(path.read_bytes(), f"the CLI's file {path.name}")
