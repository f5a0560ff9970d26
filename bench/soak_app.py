"""Soak of the real app off-screen: N customers by taps, sampling memory, fds and threads.

Each customer (``bench.customer.Customer.buy``) walks attract → number → card → confirm → QR
(wallets in turn) → paid by the phone → done (receipt printed by the printer simulator) → back
to attract, through the real widgets and the real core; every fifth changes their mind at the
QR instead (cancel → payment failed → leave). This process samples itself after the warm-up and
every tenth of the run. ``python -m bench.soak_app [--customers N] [--warmup W] [--json]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import time

from bench.procs import sample
from bench.results import Figure, table
from bench.soak_robot import run_child, soak_figures


def measure(customers: int, warmup: int) -> dict:
    from bench.customer import Customer
    from bench.ui_session import running_app

    step = max(1, (customers - warmup) // 10)
    marks = set(range(warmup, customers, step)) | {customers}
    samples = []
    with running_app() as (driver, kiosk):
        customer = Customer(driver, kiosk, timing=False)
        started = time.monotonic()
        try:
            for i in range(customers + 1):
                if i in marks:
                    gc.collect()
                    samples.append(sample(i).as_json())
                if i < customers:
                    customer.buy(i)
                    customer.forget()  # the bench's own timings must not look like a leak
        finally:
            customer.close()
        elapsed = time.monotonic() - started
    return {"customers": customers, "elapsed_s": elapsed, "samples": samples}


def figures(customers: int = 1_000, warmup: int = 100, asked: int = 1_000) -> list[Figure]:
    data = run_child("bench.soak_app", ["--customers", str(customers), "--warmup", str(warmup)],
                     1500)
    figs = soak_figures("app", data, 10.0, "customers", asked)
    figs.append(Figure("soak app: wall time per customer", None,
                       data["elapsed_s"] / data["customers"], "s"))
    return figs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="measure here, print raw JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.customers, args.warmup)))
    else:
        print(table(figures(args.customers, args.warmup, args.customers)))


if __name__ == "__main__":
    main()
