"""A separate writer process for the session-store tests (run as a script, never collected by pytest).

    python _db_worker.py append DB SESSION TAG COUNT GO_FILE   wait for GO_FILE, then append COUNT runs,
                                                               pausing 1 ms inside each run like a request
    python _db_worker.py crash DB SESSION TAG SIZE             append runs with SIZE-char items until killed

Every committed run is announced on stdout as ``committed <index>``. Any exception is printed to stderr and
the process exits 1, so the parent test can tell "no exceptions" from "silently lost writes".
"""

from __future__ import annotations

import hashlib
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def make_items(tag: str, index: int, size: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Deterministic input and output items for run ``index``; the parent rebuilds them to compare."""
    seed = hashlib.sha256(f"{tag}:{index}".encode()).hexdigest()
    blob = (seed * (size // len(seed) + 1))[:size]
    input_items = [{"role": "user", "content": f"message {index} from {tag} — ünïcødé ✓"}]
    output_items = [
        {"type": "reasoning", "id": f"rs_{index}", "summary": [], "encrypted_content": blob},
        {
            "type": "message",
            "role": "assistant",
            "id": f"msg_{index}",
            "content": [{"type": "output_text", "text": f"answer {index} 🚀", "annotations": []}],
        },
    ]
    return input_items, output_items


def main(argv: list[str]) -> int:
    from routerkit.db.sqlite import SqliteDb

    mode, db_file, session_id, tag = argv[:4]
    try:
        with SqliteDb(db_file=db_file) as db:
            if mode == "append":
                count, go_file = int(argv[4]), Path(argv[5])
                size = 64
                print("ready", flush=True)
                deadline = time.monotonic() + 30
                while not go_file.exists():
                    if time.monotonic() > deadline:
                        raise TimeoutError("go file never appeared")
                    time.sleep(0.002)
                indices = range(count)
                pause = 0.001
            elif mode == "crash":
                size = int(argv[4])
                pause = 0.0
                indices = range(10**9)
            else:
                raise SystemExit(f"unknown mode {mode!r}")
            for index in indices:
                run_id = f"{tag}-{index}"
                input_items, output_items = make_items(tag, index, size)
                db.start_run(session_id, run_id, input_items)
                if pause:
                    time.sleep(pause)
                db.finish_run(
                    session_id,
                    run_id,
                    status="completed",
                    output_items=output_items,
                    content=f"answer {index}",
                    model="test/model",
                    metrics={"cost": 0.001, "input_tokens": index},
                )
                print(f"committed {index}", flush=True)
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
