"""The served model's name comes from the server and is printed in the footer: one holding terminal escape
sequences must not reach the user's terminal as control codes. The server is the raw-socket one of the
transport fault tests, since the emulator only serves names it knows."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

from ..faults.test_hostile_transport import RawServer, fixed
from ..wire.streams import message_item
from .conftest import CLI


def test_a_hostile_served_model_name_reaches_the_footer_without_control_codes(
    cli_env: Callable[..., dict[str, str]],
) -> None:
    body = {"id": "r", "status": "completed", "model": "evil\x1b]0;owned\x07\x1b[2J", "output": [message_item("hi")]}
    server = RawServer(fixed("200 OK", json.dumps(body).encode()))
    try:
        done = subprocess.run(
            [*CLI, "ask", "--no-log", "-m", "openai/gpt-4o", "hello"],
            env=cli_env(OPENROUTER_BASE_URL=server.base_url),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        server.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "hi"
    assert "evil\ufffd]0;owned\ufffd\ufffd[2J" in done.stderr  # the footer names it, defused
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
