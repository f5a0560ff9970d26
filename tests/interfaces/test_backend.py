"""The backend contract, run over every implementation of the client's interface: the real
``BackendClient`` against the backend simulator on 127.0.0.1:0, and the tests' FakeBackend.

There is no Protocol for the backend: the interface is the real client's public methods, less
``call`` (the raw signed request under them) and ``from_settings`` (a constructor). Each test
takes a ``part``: the backend, and the customer's phone that pays an order (the simulator's
control endpoint, or the fake's ``pay``). Only shapes and outcomes are compared, never dates.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.backend.client import BackendClient
from kiosk.backend.errors import Conflict, NotFound, Rejected
from kiosk.backend.models import (
    Balance,
    Command,
    Offer,
    PaymentOrder,
    PaymentStatus,
    Refund,
    Subscriber,
    Topup,
)
from simulators.backend import BackendSimulator
from simulators.backend.control import SimulatorControl
from tests.fakes.backend import REJECTED_MSISDN, FakeBackend
from tests.fakes.subscribers import subscriber
from tests.integration.conftest import KIOSK_ID, SECRET, NoWaitClock
from tests.interfaces.signatures import interface_gaps

MSISDN = "85291234567"  # a demo subscriber of the simulator, active with offers
UNKNOWN = "85290000001"  # a valid number the backend does not know
NOT_THE_INTERFACE = ("call",)  # the raw request under the contract's calls

pytestmark = pytest.mark.timeout(60)


class Part:
    def __init__(self, backend, pay, queue_command):
        self.backend, self.pay, self.queue_command = backend, pay, queue_command
        self._n = 0

    def order(self, msisdn: str = MSISDN, paid: bool = True) -> tuple[Offer, str]:
        """The subscriber's first offer and a wallet order for its price (paid, or not)."""
        offer = self.backend.get_subscriber(msisdn).offers[0]
        self._n += 1
        out_trade_no = f"K01-20261125-{self._n:06d}"
        self.backend.create_payment(out_trade_no, "fps", offer.price_cents, "data top-up", 120)
        if paid:
            self.pay(out_trade_no)
        return offer, out_trade_no

    def credit(self, msisdn: str, offer: Offer, out_trade_no: str) -> Topup:
        return self.backend.create_topup(f"{out_trade_no}-C", msisdn, offer.quote_id,
                                         offer.plan_id, offer.price_cents, "fps", out_trade_no,
                                         out_trade_no)


def real_part(tmp_path):
    sim = BackendSimulator(host="127.0.0.1", port=0, secrets={KIOSK_ID: SECRET},
                           state_path=tmp_path / "backend-simulator.json").start()
    client = BackendClient(sim.url, KIOSK_ID, SECRET, connect_timeout_s=2.0, read_timeout_s=2.0,
                           retry_deadline_s=5.0, clock=NoWaitClock())
    control = SimulatorControl(sim.url)
    part = Part(client, control.pay, lambda kind: control.queue_command(KIOSK_ID, kind))
    return part, lambda: (client.close(), control.close(), sim.stop())


def fake_part():
    fake = FakeBackend(subscribers={n: subscriber(n) for n in (MSISDN, REJECTED_MSISDN)},
                       refuse_holds={REJECTED_MSISDN: "monthly_cap_exceeded"})  # as the simulator
    return Part(fake, fake.pay, lambda kind: fake.commands.append((Command("c-1", kind),))), fake.close


@pytest.fixture(params=["real", "fake"])
def part(request, tmp_path):
    made, close = real_part(tmp_path) if request.param == "real" else fake_part()
    yield made
    close()


def test_has_every_method_of_the_client_with_its_signature(part):
    assert interface_gaps(part.backend, BackendClient, leave_out=NOT_THE_INTERFACE) == []


def test_a_known_number_is_a_subscriber_with_offers(part):
    found = part.backend.get_subscriber(MSISDN)
    assert type(found) is Subscriber and found.msisdn == MSISDN
    assert type(found.balance) is Balance and isinstance(found.offers, tuple) and found.offers
    offer = found.offers[0]
    assert type(offer) is Offer and isinstance(offer.price_cents, int) and offer.quote_id


def test_an_unknown_number_is_not_found(part):
    with pytest.raises(NotFound):
        part.backend.get_subscriber(UNKNOWN)


def test_a_paid_order_is_credited_once_under_its_key(part):
    b = part.backend
    offer, no = part.order(paid=False)
    pending = b.get_payment(no)
    assert type(pending) is PaymentStatus
    assert (pending.status, pending.amount_cents, pending.paid_at) == ("pending", offer.price_cents,
                                                                       None)
    part.pay(no)
    paid = b.get_payment(no)
    assert paid.status == "paid" and isinstance(paid.paid_at, datetime)
    topup = part.credit(MSISDN, offer, no)
    assert type(topup) is Topup and topup.status == "credited" and topup.topup_id
    assert type(topup.balance) is Balance and isinstance(topup.credited_at, datetime)
    assert part.credit(MSISDN, offer, no) == topup  # the same key: the first answer again
    assert b.get_topup(f"{no}-C") == topup
    assert b.get_topup("K01-20261125-999999-C") is None


def test_a_new_order_is_pending_with_a_qr_until_it_expires(part):
    offer = part.backend.get_subscriber(MSISDN).offers[0]
    order = part.backend.create_payment("K01-20261125-000100", "fps", offer.price_cents,
                                        "data top-up", 120)
    assert type(order) is PaymentOrder
    assert (order.out_trade_no, order.status) == ("K01-20261125-000100", "pending")
    assert order.qr_payload and order.expires_at.tzinfo is not None
    assert part.backend.get_payment("K01-20261125-000999") is None


def test_an_unpaid_order_closes_and_a_paid_one_does_not(part):
    b = part.backend
    _offer, unpaid = part.order(paid=False)
    assert b.close_payment(unpaid) == "closed"
    assert b.get_payment(unpaid).status == "closed"
    _offer, paid = part.order()
    with pytest.raises(Conflict):
        b.close_payment(paid)
    with pytest.raises(NotFound):
        b.close_payment("K01-20261125-999999")


def test_a_credit_without_payment_or_over_the_cap_is_rejected_with_the_reason(part):
    offer, unpaid = part.order(paid=False)
    with pytest.raises(Rejected) as refused:
        part.credit(MSISDN, offer, unpaid)
    assert refused.value.reason == "payment_not_found"
    rejected = part.backend.get_topup(f"{unpaid}-C")
    assert type(rejected) is Topup and (rejected.status, rejected.reason) == (
        "rejected", "payment_not_found")
    offer, paid = part.order(REJECTED_MSISDN)
    with pytest.raises(Rejected) as capped:
        part.credit(REJECTED_MSISDN, offer, paid)
    assert capped.value.reason == "monthly_cap_exceeded"


def test_a_paid_order_is_refunded_once_under_its_key(part):
    b = part.backend
    offer, no = part.order()
    refund = b.create_refund(no, f"{no}-R", offer.price_cents, "credit refused")
    assert type(refund) is Refund and refund.status == "succeeded" and refund.refund_id
    assert b.create_refund(no, f"{no}-R", offer.price_cents, "credit refused") == refund
    assert b.get_refund(no, f"{no}-R") == refund
    assert b.get_refund(no, f"{no}-X") is None
    after = b.get_payment(no)
    assert (after.status, after.refunded_cents) == ("refunded", offer.price_cents)
    with pytest.raises(Rejected):  # nothing left to refund
        b.create_refund(no, f"{no}-R2", 1, "again")
    with pytest.raises(NotFound):
        b.create_refund("K01-20261125-999999", "K01-20261125-999999-R", 100, "no such order")


def test_a_heartbeat_brings_the_queued_commands_once(part):
    assert part.backend.heartbeat("in_service", "0.1.0", {"printer": "online"}, 0) == ()
    part.queue_command("reload_offers")
    commands = part.backend.heartbeat("in_service", "0.1.0", {"printer": "online"}, 0)
    assert [(type(c), c.kind) for c in commands] == [(Command, "reload_offers")]
    assert part.backend.heartbeat("in_service", "0.1.0", {"printer": "online"}, 0) == ()


# --- the suite catches a fake that drifted --------------------------------------------------

class BackendWithAnOldHeartbeat(FakeBackend):
    def heartbeat(self, state, app_version, devices):  # no pending_transactions
        return super().heartbeat(state, app_version, devices, 0)


BackendWithoutRefunds = type("BackendWithoutRefunds", (), {
    k: v for k, v in vars(FakeBackend).items()
    if k not in ("get_refund", "__dict__", "__weakref__")})


@pytest.mark.parametrize("broken, gap", [(BackendWithoutRefunds, "get_refund: missing"),
                                         (BackendWithAnOldHeartbeat, "heartbeat(self, state")])
def test_a_fake_that_lacks_a_method_or_its_signature_fails_the_suite(broken, gap):
    with pytest.raises(AssertionError, match=gap.replace("(", r"\(")):
        test_has_every_method_of_the_client_with_its_signature(Part(broken, None, None))


# --- holds, scan payments, reverses ---------------------------------------------------------

def test_a_hold_is_used_by_the_credit_and_a_capped_one_is_refused(part):
    b = part.backend
    offer, no = part.order()
    hold = b.create_hold(f"{no}-H", MSISDN, offer.quote_id, offer.plan_id, offer.price_cents, no)
    assert hold.hold_id and hold.expires_at.tzinfo is not None
    assert b.create_hold(f"{no}-H", MSISDN, offer.quote_id, offer.plan_id, offer.price_cents,
                         no) == hold
    topup = b.create_topup(f"{no}-C", MSISDN, offer.quote_id, offer.plan_id, offer.price_cents,
                           "fps", no, no, hold_id=hold.hold_id)
    assert topup.status == "credited"
    b.release_hold(hold.hold_id)  # used: nothing to release, still 200
    capped = b.get_subscriber(REJECTED_MSISDN).offers[0]
    with pytest.raises(Rejected) as refused:
        b.create_hold("K01-CAP-H", REJECTED_MSISDN, capped.quote_id, capped.plan_id,
                      capped.price_cents, "K01-CAP")
    assert refused.value.reason == "monthly_cap_exceeded"


def test_a_released_hold_cannot_be_credited(part):
    b = part.backend
    offer, no = part.order()
    hold = b.create_hold(f"{no}-H", MSISDN, offer.quote_id, offer.plan_id, offer.price_cents, no)
    b.release_hold(hold.hold_id)
    b.release_hold(hold.hold_id)  # naturally repeatable
    with pytest.raises(Rejected) as refused:
        b.create_topup(f"{no}-C", MSISDN, offer.quote_id, offer.plan_id, offer.price_cents, "fps",
                       no, no, hold_id=hold.hold_id)
    assert refused.value.reason == "hold_expired"


def test_scan_payments_follow_the_last_digit_and_reverse_refunds(part):
    b = part.backend
    paid = b.scan_payment("K01-20261125-000201", "134567890123456780", 8820, "x")
    assert (paid.status, paid.reason) == ("paid", None)
    failed = b.scan_payment("K01-20261125-000202", "134567890123456785", 8820, "x")
    assert (failed.status, failed.reason) == ("failed", "insufficient_funds")
    assert b.reverse_payment("K01-20261125-000201").refunded_cents == 8820
    assert b.get_payment("K01-20261125-000201").status == "reversed"
    with pytest.raises(Rejected) as bad:
        b.scan_payment("K01-20261125-000203", "4891234567890", 8820, "x")
    assert bad.value.reason == "bad_auth_code"
    with pytest.raises(NotFound):
        b.reverse_payment("K01-20261125-999999")
