"""Transactions: the robot's median time per sale beside the floor measured in the same run.

The robot plays wallet customers who pay as soon as the QR shows (the common sale: order, poll,
paid, credit) through the real purchase service, journal and backend client, against the
backend simulator on loopback, on a compressed clock (the poll interval costs ~nothing). The
floor is what such a sale cannot avoid: the journal's commit (fsync) cost times the commits per
sale (the journal's write transactions that changed rows during the run ÷ sales), plus the
loopback HTTP round trip times the requests per sale (the robot's look-up and its "phone"
included), each measured here. Budget: median / floor ≤ 1.5.
"""

from __future__ import annotations

import contextlib
import logging
import random
import tempfile
import time
from pathlib import Path

from app.robot.customers import DEMO_NUMBERS, Customer
from app.robot.run import Robot, RobotOptions
from bench.results import Figure, median
from kiosk.backend.client import BackendClient
from kiosk.journal.store import Journal
from kiosk.settings import WALLET_METHODS, load

SECRET = "demo-kiosk-secret"
# The robot's compressed clock and the QR's validity: 900 s of kiosk time (the longest the
# settings allow) is 0.36 s real, so a busy machine's late phone still pays.
TIME_SCALE = 2_500.0
QR_VALID_S = 900


class PayAtOnce:
    """Wallet customers (seeded) who pay as soon as the QR shows; no faults."""

    def __init__(self, methods: tuple[str, ...], seed: int = 1):
        self._rng = random.Random(seed)
        self._methods = tuple(m for m in methods if m in WALLET_METHODS)
        self._n = 0

    def next(self) -> Customer:
        self._n += 1
        number = self._rng.choice(DEMO_NUMBERS[:3])  # not the capped one: every sale credits
        # The cheapest offer, so the monthly cap of the demo numbers is not reached.
        return Customer(self._n, number, self._rng.choice(self._methods), "at_once", 0.0, 0.0,
                        None, None)


def profile(tmp: Path, url: str) -> Path:
    path = tmp / "bench.toml"
    path.write_text(
        f'[kiosk]\nid = "K01"\ndata_dir = "{tmp}"\n'
        f'[backend]\nurl = "{url}"\nsecret = "{SECRET}"\nsecret_env = ""\n'
        '[log]\nlevel = "WARNING"\n[devices.card_terminal]\nkind = "none"\n'
        # The QR stays valid 900 s of kiosk time (the longest the settings allow; 0.36 s real
        # at the robot's 2,500×): on a busy machine the phone's payment must not come after
        # the order expired.
        f'[payments]\nqr_expires_in_s = {QR_VALID_S}\n'
        '[simulator.backend]\nenabled = false\n', encoding="utf-8")
    return path


def commit_times(tmp: Path, n: int = 100) -> list[float]:
    """Seconds of one journal commit (WAL, synchronous=FULL) on this disk, *n* times."""
    with Journal.open(tmp / "fsync.sqlite3", "K09") as journal:
        txn = journal.create("fps", "85291234567", "P", "q", {}, 100, 100, "en")
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            journal.note(txn.id, "bench", {"i": i})
            times.append(time.perf_counter() - t0)
    return times


def round_trip_times(url: str, n: int = 100) -> list[float]:
    """Seconds of a signed HTTP round trip to the simulator on loopback (a keep-alive GET)."""
    client = BackendClient(url, "K01", SECRET)
    try:
        client.get_payment("K01-NONE")  # connect once
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            client.get_payment("K01-NONE")
            times.append(time.perf_counter() - t0)
    finally:
        client.close()
    return times


class CountedCommits:
    """``with CountedCommits() as c:`` counts the journal's write transactions that changed a
    row (``c.count``): one that changed nothing writes no page and syncs nothing."""

    def __enter__(self) -> CountedCommits:
        self.count = 0
        self._write = write = Journal._write

        @contextlib.contextmanager
        def counted(journal):
            before = journal._conn.total_changes
            with write(journal) as conn:
                yield conn
            if journal._conn.total_changes != before:
                self.count += 1

        Journal._write = counted
        return self

    def __exit__(self, *_exc) -> None:
        Journal._write = self._write


def figures(transactions: int = 200) -> list[Figure]:
    """The robot's sales against a backend simulator in a process of its own (as a real backend
    is: its threads do not share the robot's interpreter)."""
    from bench.sim_process import SimulatorProcess

    logging.getLogger().setLevel(logging.ERROR)  # the robot's warnings are not the figures
    sim = SimulatorProcess()
    with tempfile.TemporaryDirectory() as tmp_name, sim as url:
        tmp = Path(tmp_name)
        settings = load(profile(tmp, url))
        robot = Robot(settings, RobotOptions(transactions, backend_url=url, time_scale=TIME_SCALE),
                      PayAtOnce(settings.payments.methods))
        # The floor's parts are sampled before and after the sales and pooled: on a shared
        # machine the load drifts, and one sample set taken after would carry it alone.
        commits_s, trips_s = commit_times(tmp), round_trip_times(url)
        before = sim.requests()
        with CountedCommits() as counted:
            summary = robot.run()
        requests = sim.requests() - before
        with Journal.open_readonly(settings.resolve(settings.journal.path)) as journal:
            rows = journal.list(limit=10**9)
            steps = sum(len(journal.events(t.id)) for t in rows) / len(rows)
        commits = counted.count / len(rows)
        per_commit = median(commits_s + commit_times(tmp))
        rtt = median(trips_s + round_trip_times(url))
    if summary["states"] != {"credited": transactions}:
        raise RuntimeError(f"not every bench sale was credited: {summary}")
    per_sale = requests / summary["transactions"]
    floor = commits * per_commit + per_sale * rtt
    measured = summary["median_txn_ms"] / 1000
    return [
        Figure("transactions: robot median per sale", None, measured * 1000, "ms"),
        Figure("transactions: journal commit (fsync)", None, per_commit * 1000, "ms"),
        Figure("transactions: commits per sale", None, commits, "count"),
        Figure("transactions: journal events per sale", None, steps, "count"),
        Figure("transactions: HTTP round trip (loopback)", None, rtt * 1000, "ms"),
        Figure("transactions: HTTP requests per sale", None, per_sale, "count"),
        Figure("transactions: floor per sale", None, floor * 1000, "ms"),
        Figure("transactions: median / floor", 1.5, measured / floor, "ratio"),
    ]


if __name__ == "__main__":
    from bench.results import table

    print(table(figures()))
