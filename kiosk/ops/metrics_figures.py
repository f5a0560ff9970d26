"""The journal's figures for the metrics: counts and sums by method and state, rows in flight,
rows needing attention or retrying, the oldest unsettled row and the last credited sale.

``read_figures(read, now)`` runs a handful of queries through *read* (``Journal._read``, the
same seam the settlement report uses); the exporter calls it on its own thread, never on a
scrape, so a busy journal delays the next refresh and never an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.journal.models import ATTENTION, FINAL_STATES, UNFINISHED_STATES, is_scan
from kiosk.journal.reports import scan_rows_per_wallet


@dataclass(frozen=True)
class JournalFigures:
    """One reading of the journal; money in HKD cents."""

    by_method_state: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    in_flight: int = 0
    needs_attention: int = 0
    retrying: int = 0
    oldest_unsettled_s: float | None = None  # epoch seconds of the oldest open row
    last_credited_s: float | None = None  # epoch seconds of the last credited sale
    journal_bytes: int = 0

    def final_counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        """Only final states: these cells never go down, so they are counters."""
        return {k: v for k, v in self.by_method_state.items() if k[1] in FINAL_STATES}


def read_figures(read, path: Path | None = None) -> JournalFigures:
    """The figures of the whole journal (every day); *read(sql, params)* returns rows."""
    rows = read("SELECT method, state, COUNT(*), SUM(amount_cents) FROM transactions"
                " GROUP BY method, state", ())
    # scan orders per wallet, as `kiosk report` shows them (scan_alipayhk, …)
    rows = [r for r in rows if not is_scan(r[0])] + scan_rows_per_wallet(read)
    cells = {(str(m), str(s)): (int(n), int(c or 0)) for m, s, n, c in rows}
    open_states = UNFINISHED_STATES + (ATTENTION,)
    marks = ", ".join("?" * len(UNFINISHED_STATES))
    retrying = read(f"SELECT COUNT(*) FROM transactions WHERE retry_at IS NOT NULL"
                    f" AND state IN ({marks})", UNFINISHED_STATES)[0][0]
    open_marks = ", ".join("?" * len(open_states))
    oldest = read(f"SELECT MIN(created_at) FROM transactions WHERE state IN ({open_marks})",
                  open_states)[0][0]
    last = read("SELECT MAX(updated_at) FROM transactions WHERE state = 'credited'", ())[0][0]
    return JournalFigures(
        by_method_state=cells,
        in_flight=sum(n for (_m, s), (n, _c) in cells.items() if s in UNFINISHED_STATES),
        needs_attention=sum(n for (_m, s), (n, _c) in cells.items() if s == ATTENTION),
        retrying=int(retrying or 0),
        oldest_unsettled_s=_epoch(oldest), last_credited_s=_epoch(last),
        journal_bytes=_size(path))


def _epoch(iso: str | None) -> float | None:
    """``2026-11-25T04:05:06.789Z`` → epoch seconds (None stays None)."""
    if not iso:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _size(path: Path | None) -> int:
    """The journal's bytes on disk, its write-ahead log included."""
    if path is None:
        return 0
    total = 0
    for suffix in ("", "-wal", "-shm"):
        try:
            total += Path(f"{path}{suffix}").stat().st_size
        except OSError:
            pass
    return total
