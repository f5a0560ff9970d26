"""``make bench`` (``python -m bench``): every benchmark, the table, and bench/results.json.

The full run fits in 15 minutes on a 2-core machine: the app soak, run last, gets the time that
is left (up to 1,000 customers) and extrapolates its growth when it serves fewer; see
bench/README.md. ``--quick`` is a smoke run of every part with small counts (about 3 minutes).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from pathlib import Path

from bench.results import Figure, table, write

TOTAL_BUDGET_S = 14 * 60  # the app soak stops in time for the whole run to stay under 15 min
RESULTS = Path(__file__).resolve().parent / "results.json"


def plan(quick: bool) -> list[tuple[str, object]]:
    """(name, callable returning figures), in running order; the app soak is added by main."""
    from bench import (
        bench_journal_scale,
        bench_speech,
        bench_startup,
        bench_taps,
        bench_terminal_status,
        bench_transactions,
        soak_robot,
    )

    if quick:
        return [
            ("start-up", lambda: bench_startup.figures(runs=2)),
            ("taps and QR", lambda: bench_taps.figures(taps=30)),
            ("transactions", lambda: bench_transactions.figures(transactions=50)),
            ("terminal status", lambda: bench_terminal_status.figures(count=20)),
            ("journal scale", lambda: bench_journal_scale.figures(rows=50_000, days=365)),
            ("robot soak", lambda: soak_robot.figures(transactions=600, warmup=100,
                                                      asked=10_000)),
            ("speech", lambda: bench_speech.figures(("en",))),
        ]
    return [
        ("start-up", lambda: bench_startup.figures(runs=5)),
        ("taps and QR", lambda: bench_taps.figures(taps=200)),
        ("transactions", lambda: bench_transactions.figures(transactions=200)),
        ("terminal status", lambda: bench_terminal_status.figures(count=100)),
        ("journal scale", lambda: bench_journal_scale.figures(rows=1_000_000, days=365)),
        ("robot soak", lambda: soak_robot.figures(transactions=10_000, warmup=1_000,
                                                  asked=10_000)),
        ("speech", lambda: bench_speech.figures()),
    ]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    from bench import soak_app

    started = time.monotonic()
    figures: list[Figure] = []
    for name, fn in plan(args.quick):
        figures += run_part(name, fn)
    if args.quick:
        figures += run_part("app soak", lambda: soak_app.figures(
            customers=12, warmup=4, asked=1_000))
    else:
        left = TOTAL_BUDGET_S - (time.monotonic() - started) - 60  # start-up and shutdown
        figures += run_part("app soak", lambda: soak_app.figures(
            customers=1_000, warmup=100, asked=1_000, budget_s=max(60.0, left)))
    figures.append(Figure("bench: total wall time", 15 * 60, time.monotonic() - started, "s"))
    print(table(figures))
    write(figures, args.out)
    print(f"written to {args.out}")
    return 0 if all(f.verdict == "ok" for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
