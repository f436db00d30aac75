"""The runner's state: interleaved repetitions, medians, peer cells, and the markdown table they end in.

A ratio is routerkit's median over the floor's median from the same run. A peer cell holds the peer's median
and, in brackets, the peer's figure over routerkit's (above 1× = the peer costs more), or why it could not run.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _clients import PROMPT, rk_model
from _harness import ChildFailed

PEER_LABELS = {"agno": "agno", "openai": "openai SDK"}
MIB = 1024 * 1024


@dataclass
class Row:
    work: str
    routerkit: str
    floor: str
    ratio: str
    target: str
    peers: dict[str, str] = field(default_factory=dict)


def fmt_s(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 0.1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def fmt_mib(size: float) -> str:
    return f"{size / MIB:.1f} MiB"


def fmt_ratio(r: float) -> str:
    return f"{r:.0f}×" if r >= 10 else f"{r:.1f}×"


def verdict(ok: bool) -> str:
    return "✓" if ok else "✗ missed"


def ratio_cell(ours: float, floor: float, digits: int = 2) -> str:
    return f"{ours / floor:.{digits}f}×" if floor else "—"


def median(results: list[dict[str, Any]], key: str = "seconds") -> float:
    """The median of `key` over the runs (a list-valued key contributes every value); a failed run raises."""
    values: list[float] = []
    for r in results:
        if "error" in r:
            raise ChildFailed(r["error"])
        v = r[key]
        values.extend(v if isinstance(v, list) else [v])
    return statistics.median(values)


class Bench:
    """One run of the suite: the emulator's address, the options, and the rows and notes measured so far."""

    def __init__(self, base_url: str, quick: bool, peers: list[str]) -> None:
        self.base_url = base_url
        self.quick = quick
        self.peers = peers
        self.rows: list[Row] = []
        self.notes: list[str] = []

    def body(self, model_id: str, stream: bool, **options: Any) -> bytes:
        """The exact request body routerkit sends; the floor and the peers send the same model and input."""
        payload = rk_model(self.base_url, model_id).request_body(PROMPT, stream=stream, **options)
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    def sides(self, ours: tuple[str, ...], supported: tuple[str, ...]) -> tuple[str, ...]:
        """routerkit's and the floor's sides, then the installed peers that have an equivalent of the row."""
        return ours + tuple(p for p in self.peers if p in supported)

    def peer_cells(
        self, supported: tuple[str, ...], value: Callable[[str], float], fmt: Callable[[float], str], ours: float
    ) -> dict[str, str]:
        """Each peer's figure and, in brackets, the peer's figure over routerkit's (above 1× = the peer costs more)."""
        cells = {}
        for peer in PEER_LABELS:
            if peer not in self.peers:
                cells[peer] = "not installed"
            elif peer not in supported:
                cells[peer] = "—"
            else:
                try:
                    v = value(peer)
                except ChildFailed as exc:  # a peer's failure is reported in its cell, not fatal
                    cells[peer] = f"could not run: {str(exc).replace('|', '/')}"
                    continue
                cells[peer] = f"{fmt(v)} ({fmt_ratio(v / ours) if ours else '—'})"
        return cells

    def interleaved(self, reps: int, runs: dict[str, Callable[[], dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        """`reps` rounds of one run of each side in turn, so background load hits every side alike. A peer's
        failure is recorded (and the peer not rerun); routerkit's or the floor's is fatal."""
        results: dict[str, list[dict[str, Any]]] = {side: [] for side in runs}
        for _ in range(reps):
            for side, run in runs.items():
                if results[side] and "error" in results[side][-1]:
                    continue
                try:
                    results[side].append(run())
                except ChildFailed as exc:
                    if side not in PEER_LABELS:
                        raise ChildFailed(f"{side}: {exc}") from None
                    print(f"  {side} could not run: {exc}", file=sys.stderr, flush=True)
                    results[side].append({"error": str(exc)})
        return results

    def table(self) -> str:
        head = ["work", "routerkit", "floor", "ratio", "target"] + [
            f"{PEER_LABELS[p]} (÷ routerkit)" for p in PEER_LABELS
        ]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
        for row in self.rows:
            peers = [row.peers.get(p, "—") for p in PEER_LABELS]
            lines.append("| " + " | ".join([row.work, row.routerkit, row.floor, row.ratio, row.target, *peers]) + " |")
        return "\n".join(lines)
