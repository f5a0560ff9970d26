"""Tap to screen, look-up overhead and QR on screen, through the real app off-screen.

A scripted customer (``bench.customer``) taps the real widgets of the real app (core from the
composition root, backend simulator in its own process) until at least N taps changed the
screen. Figures: median and p95 of tap → next screen's first frame over every local transition
(budget: median 30 ms, p95 33 ms); the number → card screen transition, which waits for the
backend, with the look-up request's own time taken off; the payment order's answer → first
frame with the QR texture (budget: median 20 ms). Runs in a child process (one Kivy window per process):
``python -m bench.bench_taps [--taps N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from bench.procs import ROOT, env
from bench.results import Figure, median, p95, table


def measure(taps: int) -> dict:
    """In this process: start the app and walk customers until *taps* transitions are timed."""
    from bench.customer import Customer, time_lookups
    from bench.ui_session import running_app

    time_lookups()
    with running_app() as (driver, kiosk):
        customer = Customer(driver, kiosk)
        try:
            customer.visit(0)  # warm-up: every screen built and drawn once, fonts cached
            customer.timed.clear()
            customer.lookup_s.clear()
            customer.qr_s.clear()
            i = 1
            while sum(len(v) for v in customer.timed.values()) < taps:
                customer.visit(i)
                i += 1
        finally:
            customer.close()
    ms = lambda xs: [round(x * 1000, 3) for x in xs]  # noqa: E731
    return {"customers": i - 1, "transitions": {k: ms(v) for k, v in customer.timed.items()},
            "lookup_ms": ms(customer.lookup_s), "qr_ms": ms(customer.qr_s)}


def figures(taps: int = 200) -> list[Figure]:
    out = subprocess.run([sys.executable, "-m", "bench.bench_taps", "--taps", str(taps),
                          "--json"], capture_output=True, text=True, env=env(
                              KIOSK_EXIT_AFTER_FIRST_FRAME=""), cwd=ROOT, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"bench_taps failed: {out.stderr[-2000:]}")
    data = json.loads(out.stdout)
    every = [t for times in data["transitions"].values() for t in times]
    figs = [
        Figure(f"taps: tap to next screen, median ({len(every)} taps)", 30, median(every), "ms"),
        Figure("taps: tap to next screen, p95", 33, p95(every), "ms"),
    ]
    for name, times in sorted(data["transitions"].items()):
        figs.append(Figure(f"taps: {name} (median of {len(times)})", None, median(times), "ms"))
    if data["lookup_ms"]:
        figs.append(Figure("taps: number → card screen, look-up request taken off (median)",
                           None, median(data["lookup_ms"]), "ms"))
    figs.append(Figure(f"QR: order answered → QR on screen (median of {len(data['qr_ms'])})",
                       20, median(data["qr_ms"]), "ms"))
    figs.append(Figure("QR: order answered → QR on screen (p95)", None, p95(data["qr_ms"]), "ms"))
    return figs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="measure here, print raw JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.taps)))
    else:
        print(table(figures(args.taps)))


if __name__ == "__main__":
    main()
