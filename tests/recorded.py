"""Load the recorded OpenRouter traffic (VCR cassettes) in `tests/fixtures/recorded/` for replay in tests.

Two recorders wrote these files, and they store bodies differently:

- simonw/llm-openrouter: request body as JSON text in `request.body`, response body text in
  `response.body.string`;
- pydantic-ai: request body as YAML in `request.parsed_body`, response body either as text in
  `response.body.string` (streams) or as YAML in `response.parsed_body` (JSON answers).

`load(name)` hides that (`more_calls()` does the same for `more/`, which also holds bare `.sse` streams and
`.json` bodies, each a 200 of that content type): every `Interaction` has the request body as a dict (or None)
and the response body as the bytes the server sent (JSON bodies re-serialised compactly). Header names are
lower-cased, and VCR's list values joined to one string.

```python
from tests.recorded import load, responses_calls

for call in responses_calls():            # every POST /responses in every cassette
    call.name, call.streamed, call.body   # e.g. "llm-openrouter__test_prompt#1", True, b"data: {...}"
```
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MORE_DIR", "RECORDED_DIR", "Interaction", "cassette_names", "load", "more_calls", "responses_calls"]

_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "content-encoding", "connection", "set-cookie"})

RECORDED_DIR = Path(__file__).resolve().parent / "fixtures" / "recorded"
MORE_DIR = RECORDED_DIR / "more"
_BARE_TYPES = {".sse": "text/event-stream", ".json": "application/json"}


@dataclass(frozen=True)
class Interaction:
    """One recorded HTTP exchange."""

    cassette: str
    index: int
    method: str
    uri: str
    status: int
    request_body: dict[str, Any] | None = field(repr=False)
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)

    @property
    def name(self) -> str:
        """`<cassette>#<index>`: a stable id for test parametrisation."""
        return f"{self.cassette}#{self.index}"

    @property
    def streamed(self) -> bool:
        return self.headers.get("content-type", "").startswith("text/event-stream")

    @property
    def is_responses_call(self) -> bool:
        return self.method == "POST" and self.uri.rstrip("/").endswith("/responses")

    def json(self) -> Any:
        return json.loads(self.body)

    def replay_headers(self) -> dict[str, str]:
        """The response headers to serve again: framing headers (length, chunking, encoding) left out."""
        return {k: v for k, v in self.headers.items() if k not in _FRAMING_HEADERS}


def cassette_names() -> list[str]:
    """Names of the stored cassettes (file names without `.yaml`), sorted."""
    return sorted(p.stem for p in RECORDED_DIR.glob("*.yaml"))


@functools.cache
def load(name: str) -> tuple[Interaction, ...]:
    """Every interaction of cassette `name` (with or without the `.yaml` suffix), in recorded order."""
    stem = name.removesuffix(".yaml")
    return _load_cassette(RECORDED_DIR / f"{stem}.yaml", stem)


def _load_cassette(path: Path, stem: str) -> tuple[Interaction, ...]:
    import yaml

    with path.open("rb") as fh:
        data = yaml.safe_load(fh)
    return tuple(_interaction(stem, i, raw) for i, raw in enumerate(data["interactions"]))


@functools.cache
def more_calls(*, streamed: bool | None = None) -> tuple[Interaction, ...]:
    """Every recorded `POST /responses` in `more/`, sorted by name; `streamed` filters as `responses_calls`.

    A bare `.sse` or `.json` file is one 200 answer of that content type (`request_body` None: the
    recording did not keep the request); its name is the file name without the suffix, `#0`.
    """
    calls: list[Interaction] = []
    for path in sorted(MORE_DIR.iterdir()):
        if path.suffix == ".yaml":
            calls += [i for i in _load_cassette(path, path.stem) if i.is_responses_call]
        elif path.suffix in _BARE_TYPES:
            headers = {"content-type": _BARE_TYPES[path.suffix]}
            uri = "https://openrouter.ai/api/v1/responses"
            calls.append(Interaction(path.stem, 0, "POST", uri, 200, None, headers, path.read_bytes()))
    if streamed is not None:
        calls = [i for i in calls if i.streamed == streamed]
    return tuple(calls)


def responses_calls(*, streamed: bool | None = None) -> list[Interaction]:
    """Every recorded `POST /responses` in every cassette; `streamed` filters SSE (True) or JSON (False)."""
    calls = [i for name in cassette_names() for i in load(name) if i.is_responses_call]
    if streamed is not None:
        calls = [i for i in calls if i.streamed == streamed]
    return calls


def _interaction(cassette: str, index: int, raw: dict[str, Any]) -> Interaction:
    request, response = raw["request"], raw["response"]
    headers = {}
    for key, value in (response.get("headers") or {}).items():
        headers[key.lower()] = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return Interaction(
        cassette=cassette,
        index=index,
        method=request["method"].upper(),
        uri=request["uri"],
        request_body=_request_body(request),
        status=int(response["status"]["code"]),
        headers=headers,
        body=_response_body(response),
    )


def _request_body(request: dict[str, Any]) -> dict[str, Any] | None:
    if "parsed_body" in request:
        return request["parsed_body"]
    body = request.get("body")
    if isinstance(body, dict):
        body = body.get("string")
    if not body:
        return None
    return json.loads(body)


def _response_body(response: dict[str, Any]) -> bytes:
    if "parsed_body" in response:
        return json.dumps(response["parsed_body"], separators=(",", ":"), ensure_ascii=False).encode()
    body = response.get("body")
    if isinstance(body, dict):
        body = body.get("string")
    if body is None:
        return b""
    return body if isinstance(body, bytes) else body.encode("utf-8")
