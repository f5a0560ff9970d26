"""Holds before money and the QR long poll, over real HTTP with the backend simulator, on the
real journal and the real clock: the refusal is shown before any money moves, the credit names
the hold, an unused hold is released, and a payment is seen without waiting for a poll."""

from __future__ import annotations

import threading
import time

import pytest

from contract.clock import SystemClock
from kiosk.journal.store import Journal
from kiosk.money.events import FINAL_EVENTS, HoldRefused, QrReady
from kiosk.money.purchases import PurchaseService
from kiosk.settings import load
from tests.integration.conftest import KIOSK_ID

HK = "85291234567"
CAPPED = "85292345678"  # the simulator's subscriber whose monthly cap is reached


class Customer:
    def __init__(self, control=None, pay_after_s: float | None = None):
        self.control, self.pay_after_s = control, pay_after_s
        self.events: list = []
        self.at: dict[str, float] = {}
        self.done = threading.Event()

    def __call__(self, event) -> None:
        self.events.append(event)
        self.at.setdefault(type(event).__name__, time.monotonic())
        if isinstance(event, QrReady) and self.pay_after_s is not None:
            threading.Timer(self.pay_after_s, self.control.pay, (event.txn_id,)).start()
        if isinstance(event, FINAL_EVENTS):
            self.done.set()

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


@pytest.fixture
def journal(tmp_path):
    j = Journal.open(tmp_path / "journal.sqlite3", KIOSK_ID)
    yield j
    j.close()


def service_for(backend_client, journal, **overrides):
    settings = load(None, {"payments.poll_interval_s": 0.05, "payments.qr_expires_in_s": 30,
                           **overrides})
    return PurchaseService(journal, backend_client, None, settings, SystemClock())


def buy(service, backend_client, customer, msisdn, method="fps"):
    service.subscribe(customer)
    subscriber = backend_client.get_subscriber(msisdn)
    offer = next(o for o in subscriber.offers if o.data_mb)
    txn_id = service.start_qr(subscriber, offer, method, "en")
    assert service.join(30) and customer.done.wait(5)
    return txn_id, offer


def ledger_hold(control, txn_id):
    return next(h for h in control.ledger()["holds"] if h["transaction_id"] == txn_id)


def test_a_capped_subscriber_is_refused_before_paying_and_nothing_is_charged(
        backend_client, simulator_control, journal):
    customer = Customer()
    txn_id, _ = buy(service_for(backend_client, journal), backend_client, customer, CAPPED)
    assert customer.kinds() == ["HoldRefused"]
    assert customer.events[0] == HoldRefused(txn_id, "monthly_cap_exceeded")
    txn = journal.get(txn_id)
    assert (txn.state, txn.hold_state, txn.hold_key) == ("cancelled", "refused", f"{txn_id}-H")
    ledger = simulator_control.ledger()
    assert ledger["orders"] == [] and ledger["holds"] == [] and ledger["topups"] == []


def test_the_credit_names_the_hold_and_uses_it(backend_client, simulator_control, journal):
    customer = Customer(simulator_control, pay_after_s=0.0)
    txn_id, offer = buy(service_for(backend_client, journal), backend_client, customer, HK)
    assert customer.kinds() == ["QrReady", "Paid", "Credited"]
    txn = journal.get(txn_id)
    assert (txn.state, txn.hold_state) == ("credited", "used")
    hold = ledger_hold(simulator_control, txn_id)
    assert (hold["status"], hold["hold_id"]) == ("used", txn.hold_id)
    topup = next(t for t in simulator_control.ledger()["topups"]
                 if t["transaction_id"] == txn_id)
    assert topup["hold_id"] == txn.hold_id and topup["status"] == "credited"


def test_an_unpaid_order_releases_its_hold(backend_client, simulator_control, journal):
    customer = Customer()
    service = service_for(backend_client, journal, **{"payments.qr_expires_in_s": 30})
    service.subscribe(lambda e: isinstance(e, QrReady) and service.cancel())
    txn_id, _ = buy(service, backend_client, customer, HK)
    assert customer.kinds() == ["QrReady", "PaymentCancelled"]
    deadline = time.monotonic() + 10
    while journal.get(txn_id).hold_state != "released" and time.monotonic() < deadline:
        time.sleep(0.02)  # the release runs on its own thread
    assert journal.get(txn_id).hold_state == "released"
    assert ledger_hold(simulator_control, txn_id)["status"] == "released"


def test_holds_switched_off_take_no_hold(backend_client, simulator_control, journal):
    customer = Customer(simulator_control, pay_after_s=0.0)
    txn_id, _ = buy(service_for(backend_client, journal, **{"payments.holds.before": []}),
                    backend_client, customer, HK)
    assert customer.kinds() == ["QrReady", "Paid", "Credited"]
    assert journal.get(txn_id).hold_state is None
    assert simulator_control.ledger()["holds"] == []


def test_a_hold_that_never_answers_takes_no_money(backend_client, simulator_control, journal):
    simulator_control.fault("POST /v1/topups/holds", "http_500", count=100)
    customer = Customer()
    txn_id, _ = buy(service_for(backend_client, journal), backend_client, customer, HK)
    assert customer.kinds() == ["PaymentCancelled"] and customer.events[0].reason == "unavailable"
    txn = journal.get(txn_id)
    assert txn.state == "cancelled" and txn.hold_state in ("release_pending", "abandoned")
    assert simulator_control.ledger()["orders"] == []


def test_a_payment_is_seen_by_the_long_poll_not_the_next_poll(backend_client,
                                                              simulator_control, journal):
    # Plain polls every 20 s would see the payment late; the long poll sees it at once.
    service = service_for(backend_client, journal, **{"payments.poll_interval_s": 20.0,
                                                      "payments.long_poll.wait_s": 10})
    customer = Customer(simulator_control, pay_after_s=0.5)
    buy(service, backend_client, customer, HK)
    assert customer.kinds() == ["QrReady", "Paid", "Credited"]
    assert customer.at["Paid"] - customer.at["QrReady"] < 5


def test_a_cancel_ends_a_held_long_poll_at_once(backend_client, simulator_control, journal):
    service = service_for(backend_client, journal, **{"payments.long_poll.wait_s": 25})
    customer = Customer()
    service.subscribe(lambda e: isinstance(e, QrReady) and threading.Timer(
        0.5, service.cancel).start())
    started = time.monotonic()
    buy(service, backend_client, customer, HK)
    assert customer.kinds() == ["QrReady", "PaymentCancelled"]
    assert time.monotonic() - started < 10  # not the poll's 25 s
