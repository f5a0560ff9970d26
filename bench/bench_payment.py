"""Payment seen → screen: from the payment happening outside to the kiosk showing it.

Through the real app off-screen, as the tap figures (``bench.ui_session``, ``bench.customer``):

- **wallet, plain poll**: a customer at the QR; after a random wait (uniform over one poll
  interval, so the payment falls anywhere in the poll cycle) the phone pays
  (``/_sim/payments/{no}/pay`` on the backend simulator, which marks the order paid before it
  answers); time from just before that call → the first frame of the next screen (crediting),
  after ``glFinish()``. The app's own poll interval (the profile's ``payments.poll_interval_s``,
  2 s by default) is used, not the bench's fast one. The backend client's queries are answered at
  once (any ``wait_s`` is dropped, as a server that ignores it would): plain polling.
- **wallet, long poll**: the same, the client's ``get_payment`` left as the app calls it. Measured
  only when the client takes ``wait_s`` and the app passes it; otherwise the rows say "not
  measured" (no figure is made up).
- **card**: the card terminal simulator's final RSP of the SALE handed to its link (the bytes
  written on the pty) → the first frame of the next screen. The simulated customer is quick
  (0.05 s between the terminal's stages): what is timed starts at the RSP.

``python -m bench.bench_payment [--count N] [--json]``; one child process (one Kivy window).
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import subprocess
import sys
import threading
import time

from bench.procs import ROOT, env
from bench.results import Figure, median, p95, table

LONG_POLL_P95_MS = 300.0
PLAIN = "payment: paid → screen, plain poll"
LONG = "payment: paid → screen, long poll"
CARD = "payment: card RSP → screen"


def client_long_polls() -> bool:
    """Whether this checkout's backend client can long-poll (``get_payment(..., wait_s=…)``)."""
    from kiosk.backend.client import BackendClient

    return "wait_s" in inspect.signature(BackendClient.get_payment).parameters


class _Queries:
    """Wraps the core's ``backend.get_payment`` (looked up at each call by the money engine):
    counts the calls that asked for a long poll, and drops ``wait_s`` when told to."""

    def __init__(self, backend, plain: bool):
        self.long_polls = 0
        self._lock = threading.Lock()
        get = backend.get_payment

        def get_payment(*args, **kwargs):
            if kwargs.get("wait_s"):
                with self._lock:
                    self.long_polls += 1
                if plain:
                    kwargs.pop("wait_s")
            return get(*args, **kwargs)

        backend.get_payment = get_payment


class _RspTimes:
    """Notes when the terminal simulator hands each final SALE RSP to its link."""

    def __init__(self, simulator):
        from devices.card_terminal import protocol as p

        self.times: list[float] = []
        link = simulator._link
        send = link.send

        def timed_send(msg, *args, **kwargs):
            if isinstance(msg, p.TerminalResult) and msg.cmd == "SALE":
                self.times.append(time.perf_counter())
            return send(msg, *args, **kwargs)

        link.send = timed_send


def _wallet(count: int, plain: bool, seed: int) -> dict:
    from bench.customer import NUMBERS, WALLETS, Customer
    from bench.ui_session import running_app
    from kiosk.settings import load

    interval = load(None).payments.poll_interval_s  # the profile's own, not the bench's 0.1 s
    rng = random.Random(seed)
    times: list[float] = []
    with running_app({"payments.poll_interval_s": interval}) as (driver, kiosk):
        queries = _Queries(kiosk.backend, plain)
        customer = Customer(driver, kiosk)
        try:
            for i in range(count + 1):  # the first is a warm-up (every screen built once)
                customer.start()
                customer.look_up(NUMBERS[i % len(NUMBERS)])
                customer.choose_offer()
                customer.pay_wallet(WALLETS[i % len(WALLETS)])
                seen = customer.paid_to_screen(rng.uniform(0.0, interval))
                if i:
                    times.append(seen)
                customer.forget()
        finally:
            customer.close()
    return {"ms": [round(t * 1000, 3) for t in times], "long_polls": queries.long_polls,
            "interval_s": interval}


def _card(count: int) -> dict:
    from bench.customer import NUMBERS, Customer
    from bench.ui_session import running_app
    from devices.card_terminal.simulator import Delays

    times: list[float] = []
    with running_app() as (driver, kiosk):
        simulator = kiosk.terminal.simulator
        if simulator is None:
            raise RuntimeError("the bench profile has no card terminal simulator")
        simulator.delays = Delays(stage_s=0.05)
        rsp = _RspTimes(simulator)
        customer = Customer(driver, kiosk)
        try:
            for i in range(count + 1):
                customer.start()
                customer.look_up(NUMBERS[i % len(NUMBERS)])
                customer.choose_offer()
                seen, answered = customer.card_to_screen(rsp.times)
                if i:
                    times.append(seen - answered)
                customer.forget()
        finally:
            customer.close()
    return {"ms": [round(t * 1000, 3) for t in times]}


def measure(count: int, part: str) -> dict:
    if part == "plain":
        return _wallet(count, plain=True, seed=1)
    if part == "long":
        return _wallet(count, plain=False, seed=2)
    return _card(count)


def _child(count: int, part: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.bench_payment", "--count", str(count),
                          "--part", part, "--json"], capture_output=True, text=True,
                         env=env(KIOSK_EXIT_AFTER_FIRST_FRAME=""), cwd=ROOT, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"bench_payment --part {part} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pair(name: str, ms: list[float], budget_p95: float | None) -> list[Figure]:
    return [Figure(f"{name} (median)", None, median(ms), "ms"),
            Figure(f"{name} (p95)", budget_p95, p95(ms), "ms")]


def not_measured(name: str, budget_p95: float | None, why: str) -> list[Figure]:
    return [Figure(f"{name} (median)", None, None, "ms", why),
            Figure(f"{name} (p95)", budget_p95, None, "ms", why)]


def figures(count: int = 30, card_count: int | None = None) -> list[Figure]:
    plain = _child(count, "plain")
    figs = _pair(PLAIN, plain["ms"], None)
    if not client_long_polls():
        figs += not_measured(LONG, LONG_POLL_P95_MS,
                             "not measured yet: the backend client has no wait_s long poll")
    else:
        long = _child(count, "long")
        if long["long_polls"] == 0:
            figs += not_measured(LONG, LONG_POLL_P95_MS,
                                 "not measured: the app never asked with wait_s")
        else:
            figs += _pair(LONG, long["ms"], LONG_POLL_P95_MS)
    card = _child(card_count or count, "card")
    figs += _pair(CARD, card["ms"], LONG_POLL_P95_MS)
    return figs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--part", choices=("plain", "long", "card"), default=None)
    parser.add_argument("--json", action="store_true", help="measure here, print raw JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.count, args.part or "plain")))
    else:
        print(table(figures(args.count)))


if __name__ == "__main__":
    main()
