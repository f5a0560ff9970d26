"""The shape of a benchmark figure, the table printer and results.json writer."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    name: str
    budget: float | None  # the figure must be <= budget; None = reported only
    measured: float | None  # None: not measured (``note`` says why); never "ok"
    unit: str
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.measured is None:
            return "not measured"
        if self.budget is None:
            return "ok"
        return "ok" if self.measured <= self.budget else "over"

    def as_json(self) -> dict:
        row = {**asdict(self), "verdict": self.verdict}
        if not self.note:
            del row["note"]
        return row


def median(values) -> float:
    return float(statistics.median(values))


def p95(values) -> float:
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))])


def table(figures: list[Figure]) -> str:
    rows = [("figure", "budget", "measured", "unit", "verdict")]
    for f in figures:
        budget = "-" if f.budget is None else f"≤ {f.budget:g}"
        measured = "-" if f.measured is None else f"{f.measured:.3f}".rstrip("0").rstrip(".")
        verdict = f"{f.verdict} ({f.note})" if f.note else f.verdict
        rows.append((f.name, budget, measured, f.unit, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write(figures: list[Figure], path: Path) -> None:
    path.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n", encoding="utf-8")
