"""``make bench`` (``python -m bench``): every benchmark, quiet then busy, and bench/results.json.

First every figure on the machine as it is ("quiet"); then the same figures again beside two
CPU-bound processes the bench starts itself (``bench.busy``), each such row named as its quiet row
plus " (busy)"; the soaks run last, quiet only (the app soak always serves its 1,000
customers). The whole run fits in 18 minutes on a 2-core machine; see bench/README.md.
``--quick`` is a smoke run of every part with small counts; ``--only quiet|busy|soaks`` runs
one set.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path

from bench.results import Figure, table, write

TOTAL_BUDGET_S = 18 * 60  # the whole run
RESULTS = Path(__file__).resolve().parent / "results.json"
BUSY_PROCESSES = 2
BUSY = " (busy)"
# Budgets that differ when the machine is busy, by the start of the quiet row's name; None =
# reported only (the start-up ratio's budget is a quiet one, the tap median's is the p95's).
BUSY_BUDGETS = (
    ("startup: kiosk / bare ratio", None),
    ("taps: tap to next screen, median", None),
    ("taps: tap to next screen, p95", 50.0),
    ("QR: order answered → QR on screen (median", 30.0),
)


def plan(quick: bool, busy: bool = False, keep: bool = False) -> list[tuple[str, object]]:
    """(name, callable returning figures), in running order: the parts measured quiet and busy.
    The busy set starts up 3 times, not 5 (its start-up ratio is reported only), and times the
    journal calls on the journal the quiet set loaded and *kept* (a million rows take minutes
    busy)."""
    from bench import (
        bench_journal_scale,
        bench_payment,
        bench_speech,
        bench_startup,
        bench_taps,
        bench_terminal_status,
        bench_transactions,
    )

    if quick:
        return [
            ("start-up", lambda: bench_startup.figures(runs=2)),
            ("taps and QR", lambda: bench_taps.figures(taps=30)),
            ("payment seen", lambda: bench_payment.figures(count=3)),
            ("transactions", lambda: bench_transactions.figures(transactions=50)),
            ("terminal status", lambda: bench_terminal_status.figures(count=20)),
            ("journal scale", lambda: bench_journal_scale.figures(rows=50_000, days=365,
                                                                  keep=keep)),
            ("speech", lambda: bench_speech.figures(("en",))),
        ]
    return [
        ("start-up", lambda: bench_startup.figures(runs=3 if busy else 5)),
        ("taps and QR", lambda: bench_taps.figures(taps=200)),
        ("payment seen", lambda: bench_payment.figures(count=24)),
        ("transactions", lambda: bench_transactions.figures(transactions=200)),
        ("terminal status", lambda: bench_terminal_status.figures(count=100)),
        ("journal scale", lambda: bench_journal_scale.figures(rows=1_000_000, days=365,
                                                              keep=keep)),
        ("speech", lambda: bench_speech.figures()),
    ]


def busy_row(figure: Figure) -> Figure:
    """The quiet row as its busy twin: the name plus " (busy)", the busy budget."""
    budget = next((b for start, b in BUSY_BUDGETS if figure.name.startswith(start)),
                  figure.budget)
    return replace(figure, name=figure.name + BUSY, budget=budget)


def run_part(name: str, fn) -> list[Figure]:
    started = time.monotonic()
    print(f"-- {name} …", file=sys.stderr, flush=True)
    try:
        figs = fn()
    except Exception:  # one broken part must not hide the others' figures
        traceback.print_exc()
        figs = [Figure(f"{name}: FAILED (see the log above)", 0, 1, "error")]
    print(f"   {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return figs


def soaks(quick: bool) -> list[Figure]:
    """The robot soak, then the app soak (quiet only)."""
    from bench import soak_app, soak_robot

    if quick:
        figures = run_part("robot soak", lambda: soak_robot.figures(
            transactions=600, warmup=100, asked=10_000))
        return figures + run_part("app soak", lambda: soak_app.figures(
            customers=12, warmup=4, asked=1_000))
    figures = run_part("robot soak", lambda: soak_robot.figures(
        transactions=10_000, warmup=1_000, asked=10_000))
    # Always the full 1,000 customers: a growth extrapolated from a short run multiplies the
    # allocator's ups and downs (±3 MB) by the ratio (see bench/README.md); a slow machine shows
    # in the total wall time's row instead.
    return figures + run_part("app soak", lambda: soak_app.figures(
        customers=1_000, warmup=100, asked=1_000))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument("--only", choices=("quiet", "busy", "soaks"), default=None,
                        help="run one set only")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    from bench.busy import Busy

    started = time.monotonic()
    figures: list[Figure] = []
    if args.only in (None, "quiet"):
        for name, fn in plan(args.quick, keep=args.only is None):  # for the busy set
            figures += run_part(name, fn)
    if args.only in (None, "busy"):
        with Busy(BUSY_PROCESSES) as busy:
            for name, fn in plan(args.quick, busy=True):
                figures += [busy_row(f) for f in run_part(name + BUSY, fn)]
            figures.append(Figure("bench: busy processes still running after the busy set",
                                  None, busy.running, "count"))
    if args.only in (None, "soaks"):
        figures += soaks(args.quick)
    figures.append(Figure("bench: total wall time", TOTAL_BUDGET_S,
                          time.monotonic() - started, "s"))
    print(table(figures))
    write(figures, args.out)
    print(f"written to {args.out}")
    return 0 if all(f.verdict == "ok" for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
