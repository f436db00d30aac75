"""Validate JSON values against the schemas of OpenRouter's published OpenAPI document.

Shared test helper: ``validate("OpenResponsesResult", body)``, ``validate("StreamEvents", event)``,
``validate("ResponsesRequest", request_body)`` — any name under ``components.schemas``; ``errors(name, x)``
lists every violation instead of raising on the best one.

- The YAML (about 1.3 MB) is read once, lazily, on the first call (PyYAML's C loader when available).
- ``$ref``s resolve through a :mod:`referencing` registry holding the whole document, so schemas are used
  as published (OpenAPI 3.1 schemas are JSON Schema 2020-12; ``discriminator``/``example`` are ignored
  by the validator).
- A validator is built once per schema name and cached, so validating thousands of events is cheap.
- For a top-level ``oneOf`` with an OpenAPI ``discriminator`` (``StreamEvents``, ``OutputItems`` …), the
  instance is validated against the schema its discriminator value maps to, as OpenAPI tools do. That
  gives precise error messages and avoids trying every branch of a 50-way union; an unmapped value
  falls back to the full union.

The spec is kept in ``tests/fixtures/openapi/`` (a copy of OpenRouter's published document);
``OPENROUTER_OPENAPI`` may point to another copy.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

__all__ = ["SPEC_PATH", "OpenAPIValidationError", "errors", "schema", "schema_names", "validate"]

SPEC_PATH = Path(
    os.environ.get(
        "OPENROUTER_OPENAPI",
        Path(__file__).resolve().parent / "fixtures" / "openapi" / "openrouter-openapi.yaml",
    )
)
_BASE_URI = "urn:openrouter-openapi"
_PREFIX = "#/components/schemas/"


class OpenAPIValidationError(AssertionError):
    """An instance does not match an OpenAPI schema; the message names the failing path and rule."""


@functools.cache
def _spec() -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open("rb") as fh:
        return yaml.load(fh, Loader=loader)


@functools.cache
def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resource = Resource.from_contents(_spec(), default_specification=DRAFT202012)
    return Registry().with_resource(_BASE_URI, resource)


def schema_names() -> list[str]:
    """All names under ``components.schemas``."""
    return sorted(_spec()["components"]["schemas"])


def schema(name: str) -> dict[str, Any]:
    """The raw (unresolved) schema called ``name``; ``KeyError`` if the spec has no such schema."""
    return _spec()["components"]["schemas"][name]


@functools.cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    schema(name)  # KeyError early for a typo
    return Draft202012Validator({"$ref": f"{_BASE_URI}{_PREFIX}{name}"}, registry=_registry())


@functools.cache
def _discriminator(name: str) -> tuple[str, dict[str, str]] | None:
    disc = schema(name).get("discriminator")
    if not disc or "mapping" not in disc:
        return None
    mapping = {value: ref[len(_PREFIX) :] for value, ref in disc["mapping"].items() if ref.startswith(_PREFIX)}
    return disc["propertyName"], mapping


def _format_path(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _target(schema_name: str, instance: Any) -> str:
    """The schema to check ``instance`` on: the one its discriminator value maps to, if any."""
    disc = _discriminator(schema_name)
    if disc is not None and isinstance(instance, dict):
        prop, mapping = disc
        target = mapping.get(instance.get(prop))  # type: ignore[arg-type]
        if target is not None:
            return target
    return schema_name


def errors(schema_name: str, instance: Any) -> set[str]:
    """Every top-level way ``instance`` breaks the schema, as ``"<path>: <message>"`` (empty when valid)."""
    return {
        f"{_format_path(e.absolute_path)}: {e.message}"
        for e in _validator(_target(schema_name, instance)).iter_errors(instance)
    }


def validate(schema_name: str, instance: Any) -> None:
    """Raise :class:`OpenAPIValidationError` unless ``instance`` matches ``components.schemas[name]``."""
    name = _target(schema_name, instance)
    from jsonschema.exceptions import best_match

    error = best_match(_validator(name).iter_errors(instance))
    if error is None:
        return
    where = _format_path(error.absolute_path)
    detail = error.message
    if len(detail) > 600:
        detail = detail[:600] + " …"
    context = ""
    if error.context:
        subs = sorted(error.context, key=lambda e: len(e.absolute_path), reverse=True)[:3]
        context = "".join(f"\n  - {_format_path(e.absolute_path)}: {e.message[:200]}" for e in subs)
    preview = repr(instance)
    if len(preview) > 300:
        preview = preview[:300] + " …"
    via = f" (via discriminator → {name})" if name != schema_name else ""
    raise OpenAPIValidationError(f"{schema_name}{via}: at {where}: {detail}{context}\n  instance: {preview}")
