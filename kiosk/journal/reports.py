"""Settlement reports: per local day and payment method, counts and HKD sums by state.

The day's figures come from one query over a covering index (day, method, state, amount), so a
report stays fast however many transactions the journal holds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date

from kiosk.journal.models import (
    FINAL_STATES,
    JOURNAL_METHODS,
    SCAN_METHODS,
    SCAN_PREFIX,
    SCAN_WALLETS,
    STATES,
    Report,
    ReportLine,
    is_scan,
)
from kiosk.money.amounts import hkd

log = logging.getLogger(__name__)


def scan_rows_per_wallet(read) -> list[tuple]:
    """``(method, state, count, cents)`` of every scan order, per wallet, over the whole journal."""
    return _scan_rows(read, None)


def build(read: Callable[[str, tuple], list[tuple]], day: date) -> Report:
    """The report of one local day; *read* runs a query on the journal (``Journal._read``)."""
    rows = read("SELECT method, state, COUNT(*), SUM(amount_cents) FROM transactions"
                " WHERE local_day = ? GROUP BY method, state", (day.isoformat(),))
    rows = [r for r in rows if not is_scan(r[0])] + _scan_rows(read, day)
    order = {s: i for i, s in enumerate(STATES)}
    lines = sorted((ReportLine(m, s, int(n), int(c)) for m, s, n, c in rows),
                   key=lambda ln: (ln.method, order.get(ln.state, len(order))))
    return Report(day=day, lines=tuple(lines))


def _scan_rows(read, day: date | None) -> list[tuple]:
    """Scan orders per wallet: ``scan_`` + the wallet their answer named (``card_brand``), or
    the one told from the code when no answer named one (a failure, a reverse). Of one local
    day, or of the whole journal when *day* is None (the metrics)."""
    marks = ", ".join("?" * len(SCAN_METHODS))
    where, params = ("local_day = ? AND ", (day.isoformat(),)) if day is not None else ("", ())
    found = read(f"SELECT method, card_brand, state, COUNT(*), SUM(amount_cents) FROM transactions"
                 f" WHERE {where}method IN ({marks}) GROUP BY method, card_brand, state",
                 (*params, *SCAN_METHODS))
    merged: dict[tuple[str, str], list[int]] = {}
    for method, brand, state, n, cents in found:
        wallet = f"{SCAN_PREFIX}{brand}" if f"{SCAN_PREFIX}{brand}" in SCAN_WALLETS else method
        cell = merged.setdefault((wallet, state), [0, 0])
        cell[0] += int(n)
        cell[1] += int(cents)
    return [(m, s, n, c) for (m, s), (n, c) in merged.items()]


def to_dict(report: Report) -> dict:
    """The report as JSON-ready data; money in int cents.

    ``methods`` holds only the (method, state) cells that have transactions; ``method_totals``
    and ``state_totals`` name every method and state, zeros included, so a day without sales
    has the same keys as a day with sales.
    """
    methods: dict[str, dict] = {}
    for ln in report.lines:
        methods.setdefault(ln.method, {})[ln.state] = _cell(ln.count, ln.amount_cents)
    # scan orders are methods of their own, per wallet (scan_wechatpay, …)
    extra = sorted(set(report.methods) - set(JOURNAL_METHODS))  # unknown: never lose a row
    by_state = report.by_state()
    return {
        "day": report.day.isoformat(),
        "currency": "HKD",
        "methods": methods,
        "method_totals": {m: _method_total(report, m) for m in (*JOURNAL_METHODS, *extra)},
        "state_totals": {s: _cell(*by_state.get(s, (0, 0))) for s in STATES},
        "count": report.count,
        "final_states": list(FINAL_STATES),
    }


def _cell(count: int, amount_cents: int) -> dict:
    return {"count": count, "amount_cents": amount_cents}


def _method_total(report: Report, method: str) -> dict:
    return {"count": sum(ln.count for ln in report.lines if ln.method == method),
            "credited_cents": report.cell(method, "credited")[1],
            "refunded_cents": report.cell(method, "refunded")[1],
            # Octopus payments given back in cash by an operator (never through the terminal)
            "refunded_manually_cents": report.cell(method, "refunded_manually")[1]}


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False)


def to_text(report: Report, kiosk_id: str = "") -> str:
    """A fixed-width table: one line per method and state, then totals per state."""
    title = f"Settlement report {report.day.isoformat()}"
    if kiosk_id:
        title += f"  kiosk {kiosk_id}"
    w = max([11] + [len(m) + 1 for m in report.methods])  # scan_alipayhk is 13 characters
    head = f"{'method':<{w}}{'state':<17}{'count':>7}{'HKD':>14}"
    out = [title, "", head, "-" * len(head)]
    if not report.lines:
        out.append("(no transactions)")
    for ln in report.lines:
        out.append(f"{ln.method:<{w}}{ln.state:<17}{ln.count:>7}{hkd(ln.amount_cents):>14}")
    out.append("-" * len(head))
    for state, (count, cents) in report.by_state().items():
        out.append(f"{'TOTAL':<{w}}{state:<17}{count:>7}{hkd(cents):>14}")
    out.append(f"{'TOTAL':<{w}}{'transactions':<17}{report.count:>7}")
    return "\n".join(out)
