"""Structured output: a pydantic model class becomes a strict ``text.format`` and parses the answer back.

```python
fmt = response_format(WeatherReport)          # {"type": "json_schema", "name": "weather_report", …}
report = parse_output(WeatherReport, answer)  # a WeatherReport, or OutputValidationError
```

The schema sent is rewritten for strict mode by :func:`strict_json_schema` (see ``_strict_schema``): every
object closed, every property required, optional ones made nullable. When the model then answers ``null``
for a field that does not itself accept ``None``, :func:`parse_output` drops the key so the pydantic default
applies — the exact inverse of the rewrite.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any, TypeVar

import pydantic_core
from pydantic import BaseModel, ValidationError

from ..errors import OutputValidationError, UsageError
from ._strict_schema import CleanJsonSchema, accepts_null, lookup, strict_json_schema

__all__ = ["CleanJsonSchema", "parse_output", "response_format", "strict_json_schema", "summarize_validation_error"]

M = TypeVar("M", bound=BaseModel)

_NAME_MAX = 64


def response_format(model_cls: type[BaseModel], *, strict: bool = True) -> dict[str, Any]:
    """The Responses ``text.format`` object asking for JSON that matches `model_cls`.

    With ``strict=True`` (default) the schema is rewritten for strict mode (see `_strict_schema`) and
    ``"strict": true`` is sent; ``strict=False`` sends pydantic's schema as is, for models with open
    mappings that strict mode cannot express.
    """
    _require_model(model_cls)
    original, strict_schema = _schemas(model_cls, strict)
    return {
        "type": "json_schema",
        "name": format_name(model_cls),
        "schema": copy.deepcopy(strict_schema if strict else original),
        "strict": strict,
    }


def format_name(model_cls: type) -> str:
    """``WeatherReport`` → ``weather_report``: snake case, only ``[a-zA-Z0-9_-]``, at most 64 characters."""
    raw = getattr(model_cls, "__name__", "") or "output"
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", raw).lower()
    name = re.sub(r"[^a-zA-Z0-9_-]+", "_", snake).strip("_")
    return name[:_NAME_MAX] or "output"


def parse_output(model_cls: type[M], text: str) -> M:
    """Validate the model's answer `text` as an instance of `model_cls`.

    Surrounding whitespace and a Markdown code fence (```` ```json … ``` ````) are tolerated. Raises
    :class:`~routerkit.errors.OutputValidationError` (with ``raw_text``) when the text is not JSON or does
    not match the model.
    """
    _require_model(model_cls)
    body = _unfence(text)
    if not body:
        raise OutputValidationError(
            f"Structured output is not valid JSON: the answer is empty (expected a {model_cls.__name__} object)",
            raw_text=text,
        )
    try:
        data = pydantic_core.from_json(body)
    except ValueError as exc:
        raise OutputValidationError(f"Structured output is not valid JSON: {exc}", raw_text=text) from exc
    original, _ = _schemas(model_cls, False)
    data = _drop_injected_nulls(data, original, original, frozenset())
    try:
        return model_cls.model_validate_json(pydantic_core.to_json(data))
    except ValidationError as exc:
        raise OutputValidationError(
            f"Structured output does not match {model_cls.__name__}: {summarize_validation_error(exc)}",
            raw_text=text,
        ) from exc


def summarize_validation_error(exc: ValidationError, *, limit: int = 5) -> str:
    """A one-line, model-readable summary of a pydantic error: ``loc: msg (got …)``, at most `limit`."""
    parts = []
    for err in exc.errors(include_url=False)[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        part = f"{loc}: {err['msg']}"
        if err["type"] not in ("missing", "extra_forbidden") and "input" in err:
            shown = repr(err["input"])
            part += f" (got {shown if len(shown) <= 60 else shown[:57] + '...'})"
        parts.append(part)
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more error{'s' if more > 1 else ''}")
    return "; ".join(parts)


# -- internals -------------------------------------------------------------------------------------------


def _require_model(model_cls: Any) -> None:
    if not (isinstance(model_cls, type) and issubclass(model_cls, BaseModel)):
        shown = model_cls.__name__ if isinstance(model_cls, type) else f"{type(model_cls).__name__} {model_cls!r}"
        raise UsageError(f"output_schema must be a pydantic BaseModel subclass, got {shown}")


@functools.lru_cache(maxsize=256)
def _schemas(model_cls: type[BaseModel], strict: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    original = model_cls.model_json_schema(schema_generator=CleanJsonSchema)
    if not strict:
        return original, original
    try:
        strict_schema = strict_json_schema(original)
    except UsageError as exc:
        raise UsageError(f"output_schema {model_cls.__name__}: {exc}") from None
    if strict_schema.get("type") != "object":
        raise UsageError(
            f"output_schema {model_cls.__name__} must describe a JSON object at the root, "
            f"got type {strict_schema.get('type')!r}"
        )
    return original, strict_schema


def _drop_injected_nulls(data: Any, schema: Any, root: dict[str, Any], seen: frozenset[str]) -> Any:
    """Undo the nullable rewrite: walk `data` along the *original* schema and remove ``null`` values of
    optional properties that do not accept null, so the model's defaults apply."""
    if not isinstance(schema, dict):
        return data
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in seen:  # references that loop without descending into the data
            return data
        try:
            target = lookup(ref, root)
        except (KeyError, TypeError, UsageError):
            return data
        data = _drop_injected_nulls(data, target, root, seen | {ref})
    if isinstance(data, dict):
        props = schema.get("properties")
        if isinstance(props, dict):
            required = set(schema.get("required", ()))
            for key in list(data):
                sub = props.get(key)
                if sub is None:
                    continue
                if data[key] is None and key not in required and not accepts_null(sub, root):
                    del data[key]
                else:
                    data[key] = _drop_injected_nulls(data[key], sub, root, frozenset())
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in data:
                if not (isinstance(props, dict) and key in props):
                    data[key] = _drop_injected_nulls(data[key], extra, root, frozenset())
    elif isinstance(data, list):
        items = schema.get("items")
        if isinstance(items, dict):
            data = [_drop_injected_nulls(item, items, root, frozenset()) for item in data]
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            branch = _pick_branch(data, branches, root)
            if branch is not None:
                data = _drop_injected_nulls(data, branch, root, seen)
    return data


def _pick_branch(data: Any, branches: list[Any], root: dict[str, Any]) -> Any:
    """The single union branch that `data` plausibly belongs to, or None when ambiguous."""
    if not isinstance(data, (dict, list)):
        return None
    wanted = "object" if isinstance(data, dict) else "array"
    candidates = []
    for branch in branches:
        resolved = branch
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            try:
                resolved = lookup(branch["$ref"], root)
            except (KeyError, TypeError, UsageError):
                continue
        if isinstance(resolved, dict) and (
            resolved.get("type") == wanted or (wanted == "object" and "properties" in resolved)
        ):
            candidates.append((branch, resolved))
    if len(candidates) == 1:
        return candidates[0][0]
    if wanted == "object":  # several object branches: the one whose properties cover every key
        covering = [b for b, r in candidates if set(data) <= set(r.get("properties", {}))]
        if len(covering) == 1:
            return covering[0]
    return None


_FENCE = re.compile(r"\A```[ \t]*(?:[A-Za-z0-9_+-]*)[ \t]*\n(.*?)\n?[ \t]*```\Z", re.DOTALL)


def _unfence(text: str) -> str:
    body = text.strip()
    match = _FENCE.match(body)
    if match:
        body = match.group(1).strip()
    return body
