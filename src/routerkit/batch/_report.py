"""`routerkit batch report`: what a batch output file says, per model.

Rows ok and failed (by kind of error), latency p50/p95, tokens and cost, read line by line so a file of
millions of rows needs memory only for its latencies.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = ["FORMATS", "ModelReport", "format_report", "read_report"]

FORMATS = ("markdown", "csv", "json")


@dataclass(slots=True)
class ModelReport:
    model: str
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    fallbacks: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        rows = self.ok + sum(self.errors.values())
        return {
            "model": self.model,
            "rows": rows,
            "ok": self.ok,
            "errors": sum(self.errors.values()),
            "errors_by_kind": dict(self.errors.most_common()),
            "fallbacks": self.fallbacks,
            "latency_p50_s": _percentile(self.latencies, 0.50),
            "latency_p95_s": _percentile(self.latencies, 0.95),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost, 10),
            "cost_per_row_usd": round(self.cost / self.ok, 10) if self.ok else None,
        }


def read_report(path: Path) -> list[ModelReport]:
    """One `ModelReport` per requested model, in the order the models first appear."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file (give the -o file of a `routerkit batch` run)")
    models: dict[str, ModelReport] = {}
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                name = str(row["requested_model"])
            except (ValueError, KeyError, TypeError):
                if not line.endswith("\n"):
                    break  # a line torn by a killed run; the next run cuts it
                raise UsageError(f"{path}:{number} is not a routerkit batch output line") from None
            report = models.setdefault(name, ModelReport(name))
            _add(report, row)
    return list(models.values())


def _add(report: ModelReport, row: dict[str, Any]) -> None:
    error = row.get("error")
    if isinstance(error, dict):
        report.errors[str(error.get("type") or error.get("code") or "error")] += 1
    else:
        report.ok += 1
        if row.get("fallback_used") is True:
            report.fallbacks += 1
        duration = _number(row.get("duration"))
        if duration is not None:
            report.latencies.append(duration)
    raw_usage = row.get("usage")
    usage = raw_usage if isinstance(raw_usage, dict) else {}
    report.input_tokens += int(_number(usage.get("input_tokens")) or 0)
    report.output_tokens += int(_number(usage.get("output_tokens")) or 0)
    report.cost += _number(row.get("cost")) or 0.0


def format_report(reports: Iterable[ModelReport], fmt: str) -> str:
    rows = [r.as_dict() for r in reports]
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    flat = [{**r, "errors_by_kind": _kinds(r["errors_by_kind"])} for r in rows]
    columns = list(flat[0]) if flat else list(ModelReport("").as_dict())
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(flat)
        return out.getvalue()
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r[c]) for c in columns) + " |" for r in flat]
    return "\n".join(lines) + "\n"


def _kinds(kinds: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in kinds.items())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value).replace("|", "\\|")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)], 4)
