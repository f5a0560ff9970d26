"""Soak of the money engine: N robot sales in one process; memory, descriptors, threads.

The robot (``app.robot.run``: real purchase service, journal, backend client, reconciler) sells
to wallet customers who pay at once (``bench.bench_transactions.PayAtOnce``) against a backend
simulator in its own process, on a compressed clock. This process samples itself (RSS, open
fds, threads) as customers arrive: after the warm-up and every tenth of the run. Journal bytes
per sale from the file after the run. ``python -m bench.soak_robot [--transactions N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time

from bench.procs import ROOT, Sample, env, sample
from bench.results import Figure, table


class Sampled:
    """A customer source that samples this process when customer ``at`` of ``marks`` comes."""

    def __init__(self, source, marks: set[int]):
        self.source, self.marks = source, marks
        self.samples: list[Sample] = []
        self._n = 0

    def next(self):
        if self._n in self.marks:
            for thread in threading.enumerate():  # the last customer's phone (a robot Timer)
                if isinstance(thread, threading.Timer):  # is the customer's, not the kiosk's
                    thread.join(5)
            self.samples.append(sample(self._n))
        self._n += 1
        return self.source.next()


def measure(transactions: int, warmup: int) -> dict:
    from app.robot.run import Robot, RobotOptions
    from bench.bench_transactions import QR_VALID_S, TIME_SCALE, PayAtOnce
    from bench.sim_process import SimulatorProcess
    from bench.ui_session import bench_settings

    logging.basicConfig(level=logging.ERROR)
    step = max(1, (transactions - warmup) // 10)
    marks = set(range(warmup, transactions, step)) | {transactions - 1}
    with SimulatorProcess() as url, tempfile.TemporaryDirectory(prefix="kiosk-soak-") as tmp:
        # 900 s of QR validity is 0.36 s real at 2,500×: a busy machine's late phone still pays
        settings = bench_settings(url, tmp, {"payments.qr_expires_in_s": QR_VALID_S})
        source = Sampled(PayAtOnce(settings.payments.methods), marks)
        started = time.monotonic()
        summary = Robot(settings, RobotOptions(transactions, backend_url=url,
                                               time_scale=TIME_SCALE), source).run()
        elapsed = time.monotonic() - started
        path = settings.resolve(settings.journal.path)
        journal_bytes = sum(os.path.getsize(p) for p in (path, f"{path}-wal")
                            if os.path.exists(p))
    return {"transactions": summary["transactions"], "states": summary["states"],
            "elapsed_s": elapsed, "journal_bytes": journal_bytes,
            "samples": [s.as_json() for s in source.samples]}


def soak_figures(what: str, data: dict, budget_mb: float, count_name: str,
                 asked: int) -> list[Figure]:
    """Growth figures from samples (the first after warm-up, the last); growth extrapolated to
    *asked* (the count the soak should run, warm-up included) when fewer were run."""
    first, last = data["samples"][0], data["samples"][-1]
    done = last["at"] - first["at"]
    growth = last["rss_mb"] - first["rss_mb"]
    figs = [
        Figure(f"soak {what}: {count_name} served", None, data[count_name], "count"),
        Figure(f"soak {what}: RSS after warm-up ({first['at']})", None, first["rss_mb"], "MB"),
        Figure(f"soak {what}: RSS growth over {done} {count_name}", budget_mb, growth, "MB"),
    ]
    planned = asked - first["at"]
    if data[count_name] < asked and done > 0:  # fewer served than asked: what N would do
        figs.append(Figure(f"soak {what}: RSS growth extrapolated to {planned} {count_name}",
                           budget_mb, growth * planned / done, "MB"))
    for key in ("fds", "threads"):
        figs.append(Figure(f"soak {what}: open {key} after warm-up", None, first[key], "count"))
        figs.append(Figure(f"soak {what}: open {key} growth", 0, last[key] - first[key], "count"))
    return figs


def run_child(module: str, args: list[str], timeout_s: float | None) -> dict:
    out = subprocess.run([sys.executable, "-m", module, *args, "--json"], capture_output=True,
                         text=True, env=env(KIOSK_EXIT_AFTER_FIRST_FRAME=""), cwd=ROOT,
                         timeout=timeout_s)
    if out.returncode != 0:
        raise RuntimeError(f"{module} failed: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def figures(transactions: int = 10_000, warmup: int = 1_000, asked: int = 10_000) -> list[Figure]:
    data = run_child("bench.soak_robot", ["--transactions", str(transactions), "--warmup",
                                          str(warmup)], 1200)
    figs = soak_figures("robot", data, 2.0, "transactions", asked)
    figs.append(Figure("soak robot: journal bytes per transaction", None,
                       data["journal_bytes"] / data["transactions"], "bytes"))
    figs.append(Figure("soak robot: wall time per transaction", None,
                       data["elapsed_s"] * 1000 / data["transactions"], "ms"))
    return figs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=1_000)
    parser.add_argument("--json", action="store_true", help="measure here, print raw JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.transactions, args.warmup)))
    else:
        print(table(figures(args.transactions, args.warmup, args.transactions)))


if __name__ == "__main__":
    main()
