"""Running `routerkit` on a pseudo-terminal with a fixed window size, as a user at a terminal would.

The child gets the pty as stdin/stdout/stderr *and* as its controlling terminal (a new session, then
TIOCSCTTY, done by a tiny exec wrapper), so a `\\x03` written to the master becomes SIGINT for it.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time

_WRAPPER = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


class PtyProcess:
    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        *,
        rows: int = 40,
        cols: int = 100,
        python_args: str = "-m routerkit.cli",
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**env, "TERM": "xterm-256color"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, *python_args.split(), *args],  # a script's path instead of the CLI
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.fd = master
        self.output = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not chunk:
            return False
        self.output += chunk
        return True

    def expect(self, pattern: str | bytes, *, timeout: float = 15, start: int = 0) -> int:
        """Read until `pattern` (a regex) appears in the output after offset `start`; return the end offset."""
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.output, start)
            if m:
                return m.end()
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 0.2)) and self.proc.poll() is not None):
                raise AssertionError(f"{pattern!r} not seen; output so far:\n{self.output.decode(errors='replace')}")

    def send(self, data: str) -> None:
        os.write(self.fd, data.encode())

    def wait(self, timeout: float = 15) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        while self._read(0) and select.select([self.fd], [], [], 0)[0]:
            pass
        return self.proc.wait(max(0.1, deadline - time.monotonic()))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        os.close(self.fd)

    def text(self) -> str:
        return self.output.decode(errors="replace")
