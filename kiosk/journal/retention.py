"""Which journal rows still hold a full phone number, by state and age, against the retention.

A row keeps the full number only while it is unfinished (or waits for an operator): a final
state clears it in the same commit, and the retention sweep clears any number older than
``journal.phone_retention_days`` whatever the state. This module shows that it is so; it reads
only the rows that hold a number (a partial index), so it stays fast on any journal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.journal.models import FINAL_STATES, STATES, iso_utc

HOUR_S, DAY_S = 3600, 86400
# Age buckets, youngest first: (key, lower bound in seconds; None = the retention period).
AGES = ("under_1h", "1h_to_1d", "1d_to_retention", "past_retention")


@dataclass(frozen=True)
class KeptRow:
    txn_id: str
    state: str
    created_at: str  # RFC 3339 UTC, as the journal stores it
    age_s: float


@dataclass(frozen=True)
class NumbersKept:
    """The rows holding a full number on one journal at *at* (epoch seconds)."""

    at: float
    retention_days: int
    rows: tuple[KeptRow, ...]  # oldest first

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def oldest(self) -> KeptRow | None:
        return self.rows[0] if self.rows else None

    @property
    def final_count(self) -> int:
        """Final rows still holding a number: always 0 unless something is broken."""
        return sum(r.state in FINAL_STATES for r in self.rows)

    @property
    def past_retention_count(self) -> int:
        return sum(age_bucket(r.age_s, self.retention_days) == "past_retention" for r in self.rows)

    def by_state(self) -> dict[str, dict[str, int]]:
        """state -> age bucket -> count; only states with rows, in the journal's state order."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows:
            cells = out.setdefault(r.state, dict.fromkeys(AGES, 0))
            cells[age_bucket(r.age_s, self.retention_days)] += 1
        order = {s: i for i, s in enumerate(STATES)}
        return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))


def age_bucket(age_s: float, retention_days: int) -> str:
    if age_s > retention_days * DAY_S:
        return "past_retention"
    if age_s >= DAY_S:
        return "1d_to_retention"
    return "1h_to_1d" if age_s >= HOUR_S else "under_1h"


def build(read: Callable[[str, tuple], list[tuple]], at: float, retention_days: int) -> NumbersKept:
    """The rows holding a number; *read* runs a query on the journal (``JournalView._read``)."""
    rows = read("SELECT id, state, created_at FROM transactions WHERE msisdn IS NOT NULL"
                " ORDER BY created_at, seq", ())
    kept = tuple(KeptRow(i, s, c, max(0.0, at - _epoch(c))) for i, s, c in rows)
    return NumbersKept(at, retention_days, kept)


def _epoch(rfc3339: str) -> float:
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def to_dict(kept: NumbersKept) -> dict:
    """JSON-ready: every age bucket and the oldest row named even when there is none."""
    oldest = kept.oldest
    return {
        "at": iso_utc(kept.at),
        "retention_days": kept.retention_days,
        "full_numbers": kept.count,
        "final_with_full_number": kept.final_count,
        "past_retention": kept.past_retention_count,
        "age_buckets": list(AGES),
        "by_state": kept.by_state(),
        "oldest": None if oldest is None else {
            "id": oldest.txn_id, "state": oldest.state, "created_at": oldest.created_at,
            "age_s": round(oldest.age_s)},
    }


def to_json(kept: NumbersKept) -> str:
    return json.dumps(to_dict(kept), indent=2, ensure_ascii=False)


def to_text(kept: NumbersKept, kiosk_id: str = "") -> str:
    """A short table for the operator: the retention, the count, the oldest, state × age."""
    title = "Full phone numbers in the journal" + (f"  kiosk {kiosk_id}" if kiosk_id else "")
    out = [title, "", f"retention: {kept.retention_days} days (journal.phone_retention_days)",
           f"rows holding a full number: {kept.count}"
           f" (final: {kept.final_count}, past retention: {kept.past_retention_count})"]
    if kept.oldest is None:
        out.append("oldest: none")
        return "\n".join(out)
    o = kept.oldest
    out += [f"oldest: {o.txn_id} ({o.state}), created {o.created_at}, {age_text(o.age_s)} ago", ""]
    head = f"{'state':<17}" + "".join(f"{a:>17}" for a in AGES)
    out += [head, "-" * len(head)]
    for state, cells in kept.by_state().items():
        out.append(f"{state:<17}" + "".join(f"{cells[a]:>17}" for a in AGES))
    return "\n".join(out)


def age_text(age_s: float) -> str:
    """``3 d 4 h``, ``5 h 12 min``, ``40 s``: an age an operator reads at a glance."""
    s = int(age_s)
    if s >= DAY_S:
        return f"{s // DAY_S} d {s % DAY_S // HOUR_S} h"
    if s >= HOUR_S:
        return f"{s // HOUR_S} h {s % HOUR_S // 60} min"
    return f"{s // 60} min" if s >= 60 else f"{s} s"
