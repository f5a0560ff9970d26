"""The kiosk's core as the composition root builds it, on the backend simulator (HTTP) and a card
terminal simulator (pty, through the real driver), its flow on a fake clock: a ``World`` a test
drives with counted taps (no tests here; used by test_flow_purchases and test_flow_receipts).

The flow's timeouts run on a fake clock (so a test can walk away from a screen at once); the
money engine runs on the real clock, polling fast.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from contract.clock import FakeClock, SystemClock
from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from kiosk import composition
from kiosk import settings as settings_mod
from kiosk.flow.controller import Controller
from kiosk.flow.post_queue import PostQueue
from kiosk.hardware.card_terminal import open_terminal
from kiosk.hardware.handle import DeviceHandle
from kiosk.journal.store import Journal
from kiosk.money.purchases import PurchaseService
from simulators.backend.control import SimulatorControl

WAIT_S = 15.0


@dataclass
class World:
    controller: Controller
    post: PostQueue
    clock: FakeClock
    journal: Journal
    purchases: PurchaseService
    terminal_sim: CardTerminalSimulator
    control: SimulatorControl
    taps: int = 0

    @property
    def c(self) -> Controller:
        return self.controller

    def tap(self, intent: str, *args) -> None:
        """A customer's tap: one intent, counted."""
        self.taps += 1
        getattr(self.controller, intent)(*args)

    def wait_for(self, predicate, what: str) -> None:
        assert self.post.run_until(predicate, WAIT_S), f"waited {WAIT_S} s for {what}; in {self.c.state}"

    def wait_state(self, *states: str) -> None:
        self.wait_for(lambda: self.c.state in states, f"state {states}")

    def to_confirming(self, digits="91234567", country="852") -> None:
        if country != "852":
            self.tap("start")
            self.tap("set_country", country)
        for d in digits:
            self.tap("press_digit", d)  # on attract, the first digit starts
        self.tap("submit_number")
        self.wait_state("card_shown", "lookup_failed")
        if self.c.state == "card_shown":
            self.tap("choose_offer", self.c.view.offers[0].quote_id)

    def pay_qr(self, method="fps") -> str:
        self.tap("pay", method)
        self.wait_for(lambda: self.c.view.qr_payload is not None, "the QR code")
        return self.journal.get(self.c.view.txn_id).out_trade_no

    def walk_away(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.c.tick()
        self.post.run_pending()

    def ledger_topups(self, msisdn: str) -> list:
        return [t for t in self.control.ledger()["topups"] if t["msisdn"] == msisdn]


@contextlib.contextmanager
def make_world(tmp_path, backend_sim, printer=None):
    """The composition root's kiosk (no operations) on the backend simulator and a card terminal
    simulator, its flow on a fake clock; *printer*: a receipt printer driver (None: no printer)."""
    control = SimulatorControl(backend_sim.url)
    control.reset()
    settings = settings_mod.load(None, {
        "kiosk.data_dir": str(tmp_path), "backend.url": backend_sim.url,
        "backend.read_timeout_s": 3.0, "backend.retry_deadline_s": 1.0,
        "payments.poll_interval_s": 0.05, "payments.card_timeout_s": 30})
    terminal_sim = CardTerminalSimulator(state_path=tmp_path / "terminal.json",
                                         delays=Delays(stage_s=0.01, cancel_s=0.01))
    terminal = DeviceHandle(open_terminal(settings, terminal_sim.start("pty")), terminal_sim)
    post, clock = PostQueue(), FakeClock(start=time.time())
    kiosk = composition.build(settings, post, SystemClock(), operations=False,
                              overrides=composition.Overrides(
                                  terminal=terminal, printer=DeviceHandle(printer),
                                  flow_clock=clock, closers=(control.close,)))
    try:
        yield World(kiosk.controller, post, clock, kiosk.journal, kiosk.purchases, terminal_sim,
                    control)
        kiosk.purchases.cancel()
        assert kiosk.purchases.join(WAIT_S), "a purchase was still running at the end of the test"
    finally:
        kiosk.close()
