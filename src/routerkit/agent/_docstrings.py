"""A tool's description and its parameters' descriptions, read from the function's docstring.

Google (``Args:``), NumPy (``Parameters`` / ``----------``) and reST (``:param x:``) layouts are read by the
`docstring-parser` package; this module only shapes its result for a tool: the prose before the first
section, and one line per parameter (a NumPy entry naming several parameters describes each of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import docstring_parser

__all__ = ["Docstring", "parse_docstring"]


@dataclass(frozen=True)
class Docstring:
    """A docstring split into the prose `description` and the per-parameter descriptions."""

    description: str
    params: dict[str, str]


def parse_docstring(doc: str) -> Docstring:
    """Split a (cleaned, e.g. :func:`inspect.getdoc`) docstring into its leading prose and its parameter
    descriptions. Multi-line descriptions are joined with spaces; unknown layouts yield just the prose."""
    try:
        parsed = docstring_parser.parse(doc)
    except docstring_parser.ParseError:
        return Docstring(description=doc.strip(), params={})
    prose = [part for part in (parsed.short_description, parsed.long_description) if part]
    description = ("\n\n" if parsed.blank_after_short_description else "\n").join(prose).strip()
    params: dict[str, str] = {}
    for param in parsed.params:
        text = " ".join((param.description or "").split())
        for name in param.arg_name.split(","):
            name = name.strip().lstrip("*")
            if name:
                params[name] = text
    return Docstring(description=description, params=params)
