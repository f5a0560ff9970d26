"""Soak of the real app off-screen: N customers by taps, sampling memory, fds and threads.

Each customer (``bench.customer.Customer.buy``) walks attract → number → card → confirm → QR
(wallets in turn) → paid by the phone → done (receipt printed by the printer simulator) → back
to attract, through the real widgets and the real core; every fifth changes their mind at the
QR instead (cancel → payment failed → leave). This process samples itself after the warm-up and
every twentieth of the run. With ``--budget-s`` it stops when the time is spent, and the growth
is extrapolated to N. ``python -m bench.soak_app [--customers N] [--warmup W] [--budget-s S]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import time

from bench.procs import sample
from bench.results import Figure, table
from bench.soak_robot import run_child, soak_figures


def measure(customers: int, warmup: int, budget_s: float) -> dict:
    """Up to *customers*, stopping early once *budget_s* of wall time is spent."""
    from bench.customer import Customer
    from bench.ui_session import running_app

    step = max(1, (customers - warmup) // 20)
    samples = []
    with running_app() as (driver, kiosk):
        customer = Customer(driver, kiosk, timing=False)
        started = time.monotonic()
        served = 0
        try:
            while served < customers:
                customer.buy(served)
                customer.forget()  # the bench's own timings must not look like a leak
                served += 1
                out_of_time = time.monotonic() - started > budget_s and served > warmup
                if served == warmup or (served > warmup and (served - warmup) % step == 0) \
                        or served == customers or out_of_time:
                    gc.collect()
                    samples.append(sample(served).as_json())
                if out_of_time:
                    break
        finally:
            customer.close()
        elapsed = time.monotonic() - started
    return {"customers": served, "elapsed_s": elapsed, "samples": samples}


def figures(customers: int = 1_000, warmup: int = 100, asked: int = 1_000,
            budget_s: float = 1e9) -> list[Figure]:
    """The soak; when *budget_s* runs out first, fewer customers and the growth extrapolated."""
    data = run_child("bench.soak_app", ["--customers", str(customers), "--warmup", str(warmup),
                                        "--budget-s", str(budget_s)],
                     2400 if budget_s > 1e6 else budget_s + 300)
    figs = soak_figures("app", data, 5.0, "customers", asked)
    figs.append(Figure("soak app: wall time per customer", None,
                       data["elapsed_s"] / data["customers"], "s"))
    return figs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--budget-s", type=float, default=1e9,
                        help="stop after this much wall time (then the growth is extrapolated)")
    parser.add_argument("--json", action="store_true", help="measure here, print raw JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.customers, args.warmup, args.budget_s)))
    else:
        print(table(figures(args.customers, args.warmup, args.customers, args.budget_s)))


if __name__ == "__main__":
    main()
