"""The whole customer flow without Kivy: controller + real purchase service + journal + the backend
simulator over HTTP + the card terminal simulator over a pty, driven by the real driver.

The flow's timeouts run on a fake clock (so a test can walk away from a screen at once); the
money engine runs on the real clock, polling fast.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import pytest

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
from simulators.backend.server import BackendSimulator

WAIT_S = 15.0
FINAL = ("done", "refunded", "needs_attention", "payment_failed")


@pytest.fixture(scope="module")
def backend_sim():
    sim = BackendSimulator(secrets={"K01": "demo-kiosk-secret"}).start()
    yield sim
    sim.stop()


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


@pytest.fixture
def world(tmp_path, backend_sim):
    with make_world(tmp_path, backend_sim) as w:
        yield w


def test_qr_happy_path_credits_the_plan_paid_through_the_wallet(world):
    world.to_confirming()
    out_trade_no = world.pay_qr("fps")
    assert world.c.state == "paying_qr" and world.c.view.qr_payload
    world.control.pay(out_trade_no)
    world.wait_state(*FINAL)
    assert world.c.state == "done" and world.c.view.balance is not None
    world.wait_for(lambda: world.c.view.receipt_status == "no_printer", "the receipt outcome")
    assert world.c.view.e_receipt.endswith(world.c.view.txn_id)
    txn = world.journal.get(world.c.view.txn_id)
    assert txn.state == "credited" and txn.method == "fps" and txn.receipt_status == "no_printer"
    assert [t["status"] for t in world.ledger_topups("85291234567")] == ["credited"]


def test_card_happy_path_shows_the_terminal_prompts(world):
    stages = []
    world.c.subscribe(lambda state, view: view.terminal_stage and stages.append(view.terminal_stage))
    world.to_confirming("13812345678", country="86")
    world.tap("pay", "card")
    world.wait_state(*FINAL)
    assert world.c.state == "done"
    assert "PRESENT_CARD" in stages and "AUTHORISING" in stages
    txn = world.journal.get(world.c.view.txn_id)
    assert txn.state == "credited" and txn.card_last4 and txn.auth_code
    assert len(world.ledger_topups("8613812345678")) == 1


def test_decline_takes_nothing_and_offers_another_method(world):
    world.terminal_sim.set_scenario("decline_05")
    world.to_confirming()
    world.tap("pay", "card")
    world.wait_state(*FINAL)
    assert world.c.state == "payment_failed" and world.c.view.failure == "declined"
    assert world.journal.get(world.c.view.txn_id).state == "declined"
    assert world.ledger_topups("85291234567") == []
    world.wait_for(lambda: not world.purchases.busy, "the purchase to end")
    world.tap("retry")
    assert world.c.state == "confirming"
    out_trade_no = world.pay_qr("wechatpay")
    world.control.pay(out_trade_no)
    world.wait_state("done")


def test_cancel_during_qr_waits_for_the_outcome_then_nothing_is_charged(world):
    world.to_confirming()
    out_trade_no = world.pay_qr("alipayhk")
    world.tap("cancel")
    world.tap("cancel")
    assert world.c.state == "paying_qr" and world.c.view.cancelling
    world.wait_state(*FINAL)
    assert world.c.state == "payment_failed" and world.c.view.failure == "customer"
    assert world.journal.get(world.c.view.txn_id).state == "cancelled"
    notes = [e.kind for e in world.journal.events(world.c.view.txn_id) if e.kind == "customer_cancel"]
    assert notes == ["customer_cancel"]
    order = next(o for o in world.control.ledger()["orders"] if o["out_trade_no"] == out_trade_no)
    assert order["status"] == "closed"
    assert world.ledger_topups("85291234567") == []


def test_credit_refused_by_the_backend_is_refunded(world):
    seen = []
    world.c.subscribe(lambda state, view: seen.append(state))
    world.to_confirming("92345678")
    out_trade_no = world.pay_qr("payme")
    world.control.pay(out_trade_no)
    world.wait_state(*FINAL)
    assert world.c.state == "refunded" and world.c.view.txn_id
    assert "refunding" in seen, "the customer is told a refund is under way before it is done"
    assert world.journal.get(world.c.view.txn_id).state == "refunded"
    assert [t["status"] for t in world.ledger_topups("85292345678")] == ["rejected"]
    refunds = [r for r in world.control.ledger()["refunds"] if r["out_trade_no"] == out_trade_no]
    assert len(refunds) == 1 and refunds[0]["amount_cents"] == world.c.view.amount_cents


@pytest.mark.parametrize("digits,reason", [
    ("51234567", "suspended"),
    ("98765432", "not_registered"),
    ("98888888", "not_found"),
])
def test_lookup_failures_say_why_and_take_no_money(world, digits, reason):
    world.to_confirming(digits)
    assert world.c.state == "lookup_failed" and world.c.view.failure == reason
    world.tap("back")
    assert world.c.state == "entering_number" and world.c.view.digits == digits
    assert world.journal.list() == []


def test_backend_down_at_lookup_is_a_clear_screen_and_no_money(world):
    world.control.fault("GET /v1/subscribers/{msisdn}", "http_500", count=20)
    world.to_confirming()
    assert world.c.state == "lookup_failed" and world.c.view.failure == "backend_unavailable"
    world.walk_away(25)
    assert world.c.state == "attract" and world.journal.list() == []


@pytest.mark.parametrize("screen,limit_s", [
    ("entering_number", 60), ("card_shown", 60), ("confirming", 60),  # flow.idle_timeout_s
    ("lookup_failed", 20), ("done", 20), ("payment_failed", 20), ("refunded", 20),  # result_screen_s
])
def test_a_customer_who_walks_away_from_any_screen_is_forgotten(world, screen, limit_s):
    if screen == "entering_number":
        world.tap("press_digit", "9")
    elif screen == "lookup_failed":
        world.to_confirming("51234567")
    elif screen == "refunded":
        world.to_confirming("92345678")
        world.control.pay(world.pay_qr())
    else:
        world.to_confirming()
        if screen == "card_shown":
            world.tap("back")
        elif screen == "done":
            world.control.pay(world.pay_qr())
        elif screen == "payment_failed":
            world.terminal_sim.set_scenario("decline_51")
            world.tap("pay", "card")
    world.wait_state(screen)
    world.walk_away(limit_s - 0.5)
    assert world.c.state == screen
    world.walk_away(1)
    assert world.c.state == "attract"
    view = world.c.view
    assert (view.digits, view.msisdn, view.subscriber, view.txn_id) == ("", None, None, None)


def test_qr_left_unpaid_is_cancelled_safely_and_never_drops_to_attract(world):
    world.to_confirming()
    world.pay_qr()
    world.walk_away(119)
    assert world.c.state == "paying_qr" and not world.c.view.cancelling
    world.walk_away(5)
    assert world.c.state in ("paying_qr", "payment_failed")
    world.wait_state("payment_failed")
    txn_id = world.c.view.txn_id
    assert world.journal.get(txn_id).state == "cancelled"
    assert "screen_deadline" in [e.kind for e in world.journal.events(txn_id)]


def test_card_never_presented_is_aborted_at_the_deadline(world):
    world.terminal_sim.set_scenario("no_card")
    world.to_confirming()
    world.tap("pay", "card")
    world.wait_for(lambda: world.c.view.terminal_stage == "PRESENT_CARD", "the card prompt")
    world.walk_away(30 + 16)
    assert world.c.state in ("paying_card", "payment_failed")
    world.wait_state(*FINAL)
    assert world.c.state == "payment_failed"
    assert world.journal.get(world.c.view.txn_id).state in ("cancelled", "declined")


def test_common_path_from_attract_to_qr_on_screen_takes_at_most_11_taps(world):
    world.to_confirming()
    world.pay_qr("fps")
    assert world.c.state == "paying_qr" and world.c.view.qr_payload
    assert world.taps <= 11, world.taps
