"""Child process for the pseudo-terminal tests: streams an answer through RunPrinter on a real tty.

python _pty_child.py tall     a long answer (a 120-line code block, then 60 paragraphs), unpaced
python _pty_child.py sigint   a slow endless answer; Ctrl-C stops it, as in the agent's print_response
"""

from __future__ import annotations

import contextlib
import fcntl
import sys
import termios
import time

from routerkit.console import RunPrinter, RunSummary

# Popen started us as a session leader with the pty on 0/1/2: make it our controlling terminal so that a
# Ctrl-C typed into it reaches us as SIGINT.
with contextlib.suppress(OSError):
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def tall(printer: RunPrinter) -> None:
    printer.refresh_interval = 0  # redraw on every delta: the hardest case for the live region
    printer.reasoning_delta("Planning a long answer.\n")
    answer = "# A long answer\n\n```python\n"
    answer += "".join(f"value_{i:03d} = {i} * 2\n" for i in range(120))
    answer += "```\n\n"
    answer += "".join(f"Paragraph {i:03d} says something about routing and streaming.\n\n" for i in range(60))
    answer += "The very last line of the answer."
    for i in range(0, len(answer), 13):
        printer.content_delta(answer[i : i + 13])
    printer.summary(RunSummary("m/requested", "m/used", 10, 2000, None, 0.0042, 0.1, 1.5))


def sigint(printer: RunPrinter) -> None:
    printer.content_delta("Intro line of the answer.\n\n```\n")
    for i in range(100_000):
        printer.content_delta(f"chunk {i}\n")
        time.sleep(0.005)


def main() -> None:
    mode = sys.argv[1]
    printer = RunPrinter()
    try:
        printer.message(f"mode {mode}")
        {"tall": tall, "sigint": sigint}[mode](printer)
    except KeyboardInterrupt:
        printer.interrupted()
    finally:
        printer.close()


if __name__ == "__main__":
    main()
