"""The JSONL formats of `routerkit batch`, and the output file as its own checkpoint.

Input lines are OpenAI Batch requests (`custom_id`, `method`, `url`, `body` — here a Responses request) or
the short `{"custom_id", "input", "model"?, "instructions"?}`. Output lines are OpenAI Batch output lines
(`id`, `custom_id`, `response: {status_code, request_id, body}`, `error`) plus what OpenRouter adds: the
served model, whether a fallback answered, cost, tokens, time to first token.

Resuming needs no state besides the output: every finished row is one flushed line, so the rows to skip
are the ones it already holds, keyed by (`custom_id`, requested model). A line torn by a crash is cut.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..wire import check_input
from ._rows import BatchResult, BatchRow, error_facts

__all__ = ["Key", "read_checkpoint", "read_rows", "result_line", "row_from_json"]

Key = tuple[str, str]
#: Body fields the batch sets itself; everything else in an OpenAI Batch `body` is sent as it is.
_OWN_FIELDS = frozenset({"model", "input", "instructions", "stream"})
_FORMATS = (
    'an OpenAI Batch request {"custom_id", "method": "POST", "url": "/v1/responses", "body": {...}} '
    'or {"custom_id", "input", "model"?, "instructions"?}'
)


def row_from_json(obj: Mapping[str, Any], where: str) -> BatchRow:
    """A row from one parsed input line; `where` ("line 12") names it in the UsageError for a bad one."""
    if not isinstance(obj, Mapping):
        raise UsageError(f"{where}: expected a JSON object, {_FORMATS}")
    custom_id = obj.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        raise UsageError(f"{where}: custom_id must be a non-empty string; each line is {_FORMATS}")
    if "body" in obj:
        body = obj["body"]
        if not isinstance(body, Mapping):
            raise UsageError(f"{where}: body must be a JSON object (a Responses request)")
        url = obj.get("url", "/v1/responses")
        if not isinstance(url, str) or not url.rstrip("/").endswith("/responses"):
            raise UsageError(f"{where}: url must be /v1/responses (the Responses API), got {url!r}")
        source: Mapping[str, Any] = body
        options = {k: v for k, v in body.items() if k not in _OWN_FIELDS} or None
    else:
        source, options = obj, None
    if "input" not in source:
        raise UsageError(f"{where}: no input; each line is {_FORMATS}")
    model = source.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise UsageError(f"{where}: model must be a model id string such as 'openai/gpt-4o', got {model!r:.80}")
    instructions = source.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise UsageError(f"{where}: instructions must be a string, got {type(instructions).__name__}")
    return BatchRow(
        custom_id=custom_id,
        input=check_input(source["input"], f"{where}: input"),
        model=model,
        instructions=instructions,
        options=options,
    )


def read_rows(path: Path) -> Iterator[tuple[int, BatchRow]]:
    """(line number, row) for each non-empty line, read lazily; a bad line raises UsageError naming it."""
    with path.open(encoding="utf-8", errors="strict") as lines:
        try:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                    raise UsageError(f"{path}:{number}: not JSON ({reason}); each line is {_FORMATS}") from None
                yield number, row_from_json(obj, f"{path}:{number}")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def result_line(result: BatchResult) -> dict[str, Any]:
    """One OpenAI Batch output line, with OpenRouter's facts alongside."""
    line: dict[str, Any] = {"id": f"batch_req_{uuid.uuid4().hex}", "custom_id": result.custom_id}
    if result.error is None:
        body = {
            "id": result.response_id,
            "object": "response",
            "model": result.model,
            "status": result.status,
            "output": result.output,
            "output_text": result.text,
            "usage": {**result.usage, "cost": result.cost},
        }
        line["response"] = {"status_code": 200, "request_id": result.generation_id, "body": body}
        line["error"] = None
    else:
        facts = error_facts(result.error)
        status = facts.get("status")
        line["response"] = (
            {"status_code": status, "request_id": facts.get("generation_id"), "body": {"error": facts}}
            if status is not None
            else None
        )
        line["error"] = {**facts, "code": facts.get("code") or facts["type"]}
    line.update(
        requested_model=result.requested_model,
        model=result.model,
        fallback_used=result.fallback_used,
        cost=result.cost,
        usage=result.usage,
        time_to_first_token=result.time_to_first_token,
        duration=result.duration,
        attempts=result.attempts,
    )
    return line


def read_checkpoint(path: Path, *, retry_errors: bool) -> set[Key]:
    """The rows an earlier run finished.

    Cuts a torn last line (the run was killed while writing it). With `retry_errors`, error lines are taken
    out of the file (rewritten atomically) so their rows run again and each row still appears once.
    """
    if not path.exists():
        return set()
    _cut_torn_tail(path)
    done: set[Key] = set()
    errors = 0
    tmp = path.with_name(path.name + ".tmp")
    kept = tmp.open("w", encoding="utf-8") if retry_errors else None
    read_all = False
    try:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    key = (obj["custom_id"], obj["requested_model"])
                    failed = obj.get("error") is not None
                    if not all(isinstance(part, str) for part in key):
                        raise TypeError("custom_id and requested_model are strings")
                except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
                    raise UsageError(
                        f"{path}:{number} is not a routerkit batch output line; pass another -o file"
                    ) from None
                if failed:
                    errors += 1
                    if retry_errors:
                        continue
                if kept is not None:
                    kept.write(line)
                done.add(key)
        read_all = True
    finally:
        if kept is not None:
            kept.close()
            if read_all and errors:
                os.replace(tmp, path)
            else:
                tmp.unlink()
    return done


def _cut_torn_tail(path: Path) -> None:
    with path.open("rb+") as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return
        step = 64 * 1024
        end = size
        while end > 0:
            start = max(0, end - step)
            f.seek(start)
            chunk = f.read(end - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                f.truncate(start + cut + 1)
                return
            end = start
        f.truncate(0)
