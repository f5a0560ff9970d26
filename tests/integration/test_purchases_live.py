"""The purchase service over real HTTP (backend simulator) and a real pty (terminal simulator
driven by the real driver), on the real journal: what a customer would see, end to end."""

from __future__ import annotations

import threading

import pytest

from contract.clock import SystemClock
from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from kiosk.hardware.card_terminal import open_terminal
from kiosk.journal.store import Journal
from kiosk.money.events import FINAL_EVENTS, Credited, QrReady
from kiosk.money.purchases import PurchaseService
from kiosk.settings import load
from tests.integration.conftest import KIOSK_ID


class Customer:
    """Collects events; pays the wallet order (through the simulator) when the QR shows."""

    def __init__(self, control, pay: bool):
        self.control, self.pay = control, pay
        self.events: list = []
        self.done = threading.Event()

    def __call__(self, event) -> None:
        self.events.append(event)
        if isinstance(event, QrReady) and self.pay:
            self.control.pay(event.txn_id)
        if isinstance(event, FINAL_EVENTS):
            self.done.set()

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


@pytest.fixture
def settings():
    return load(None, {"payments.poll_interval_s": 0.05, "payments.qr_expires_in_s": 30})


@pytest.fixture
def journal(tmp_path):
    j = Journal.open(tmp_path / "journal.sqlite3", KIOSK_ID)
    yield j
    j.close()


@pytest.fixture
def terminal(tmp_path, settings):
    sim = CardTerminalSimulator(state_path=tmp_path / "terminal.json", delays=Delays.none())
    port = sim.start("pty")
    driver = open_terminal(settings, port, evt_watchdog_s=0.5, answer_timeout_s=1.0)
    yield driver, sim
    driver.close()
    sim.stop()


def buy(backend_client, journal, terminal, settings, customer, msisdn, method):
    service = PurchaseService(journal, backend_client, terminal, settings, SystemClock())
    service.subscribe(customer)
    subscriber = backend_client.get_subscriber(msisdn)
    offer = next(o for o in subscriber.offers if o.data_mb)  # not the unlimited day pass
    if method == "card":
        txn_id = service.start_card(subscriber, offer, "en")
    else:
        txn_id = service.start_qr(subscriber, offer, method, "en")
    assert service.join(20) and customer.done.is_set()
    return journal.get(txn_id), offer


def test_wallet_purchase_paid_is_credited_at_the_backend(backend_client, simulator_control,
                                                         journal, settings):
    customer = Customer(simulator_control, pay=True)
    txn, offer = buy(backend_client, journal, None, settings, customer, "85291234567", "fps")
    assert customer.kinds() == ["QrReady", "Paid", "Credited"]
    assert customer.events[0].qr_payload.startswith("000201")  # an EMVCo FPS payload
    assert txn.state == "credited" and txn.amount_cents == offer.price_cents
    ledger = simulator_control.ledger()
    topups = [t for t in ledger["topups"] if t["status"] == "credited"]
    assert [t["payment"]["reference"] for t in topups] == [txn.out_trade_no]
    assert isinstance(customer.events[-1], Credited)
    assert customer.events[-1].balance.data_mb_left > 1229


def test_a_refused_credit_is_refunded_in_full(backend_client, simulator_control, journal,
                                              settings):
    # The capped subscriber's hold is refused before paying (test_holds_live.py); a credit
    # refused after the payment (here a simulated rejection) is refunded in full.
    simulator_control.fault("POST /v1/topups", "reject")
    customer = Customer(simulator_control, pay=True)
    txn, offer = buy(backend_client, journal, None, settings, customer, "85291234567",
                     "wechatpay")
    assert customer.kinds()[-1] == "Refunded" and txn.state == "refunded"
    assert txn.hold_state in ("release_pending", "released")  # the unused hold goes back
    refunds = simulator_control.ledger()["refunds"]
    assert [(r["out_trade_no"], r["amount_cents"]) for r in refunds] == [
        (txn.out_trade_no, offer.price_cents)]


def test_answer_lost_after_commit_credits_once(backend_client, simulator_control, journal,
                                               settings):
    simulator_control.fault("POST /v1/topups", "drop_after_commit", 1)
    customer = Customer(simulator_control, pay=True)
    txn, _ = buy(backend_client, journal, None, settings, customer, "85261234567", "payme")
    assert txn.state == "credited"
    credited = [t for t in simulator_control.ledger()["topups"] if t["status"] == "credited"]
    assert len(credited) == 1


def test_card_purchase_through_the_terminal_is_credited(backend_client, simulator_control,
                                                        journal, settings, terminal):
    driver, sim = terminal
    customer = Customer(simulator_control, pay=False)
    txn, offer = buy(backend_client, journal, driver, settings, customer, "85291234567", "card")
    assert "CardProgress" in customer.kinds() and customer.kinds()[-1] == "Credited"
    assert txn.state == "credited" and txn.card_last4 and len(txn.card_last4) == 4
    assert sim.charges == 1


def test_card_refused_credit_is_voided_at_the_terminal(backend_client, simulator_control,
                                                      journal, settings, terminal):
    driver, sim = terminal
    simulator_control.fault("POST /v1/topups", "reject")
    customer = Customer(simulator_control, pay=False)
    txn, _ = buy(backend_client, journal, driver, settings, customer, "85291234567", "card")
    assert txn.state == "refunded"
    void = driver.query(txn.void_ecr_ref)
    assert void.cmd == "VOID" and void.approved


def test_declined_card_charges_nothing(backend_client, simulator_control, journal, settings,
                                       terminal):
    driver, sim = terminal
    sim.set_scenario("decline_51")
    customer = Customer(simulator_control, pay=False)
    txn, _ = buy(backend_client, journal, driver, settings, customer, "85291234567", "card")
    assert txn.state == "declined" and customer.events[-1].rc == "51"
    assert simulator_control.ledger()["topups"] == []
