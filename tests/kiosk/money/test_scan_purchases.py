"""Scan to pay through the purchase service: the customer shows a wallet code, on a real journal
with the fake backend (its last-digit convention, like the simulator's)."""

from __future__ import annotations

import pytest

from kiosk.backend.errors import Rejected
from kiosk.money.events import ConfirmOnPhone, Credited, PaymentCancelled, Refunded, ScanFailed
from kiosk.money.purchases import PurchaseError
from kiosk.money.recovery import recover
from tests.kiosk.money.rig import REJECTED_MSISDN, Rig, offer, subscriber

PAID = "134567890123456780"  # WeChat Pay, paid at once
CONFIRM = "281234567890123453"  # AlipayHK, user_paying
POOR = "134567890123456785"  # failed: insufficient_funds


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path)
    yield r
    r.service.join(10)
    r.close()


def scan(rig, code, msisdn="85291234567", price=8820):
    txn_id = rig.service.start_scan(subscriber(msisdn), offer(price), code, "en")
    assert rig.service.join(10), "the purchase did not finish"
    return txn_id


def states(rig, txn_id):
    return [e.to_state for e in rig.journal.events(txn_id) if e.kind == "state"]


def test_paid_at_once_is_credited_under_the_wallet_the_answer_names(rig):
    txn_id = scan(rig, PAID)
    assert rig.kinds() == ["Paid", "Credited"]
    txn = rig.journal.get(txn_id)
    assert txn.state == "credited" and txn.method == "scan_wechatpay"
    assert txn.card_brand == "wechatpay"
    assert states(rig, txn_id) == ["hold_pending", "scan_pending", "paid", "credit_pending",
                                   "credited"]
    assert rig.backend.posted[:2] == [("create_hold", f"{txn_id}-H"), ("scan_payment", txn_id)]
    assert rig.backend.credits == [(txn_id, f"{txn_id}-C")]
    assert txn.hold_state == "used"
    assert rig.backend.violations() == []


def test_the_code_is_never_journaled(rig):
    txn_id = scan(rig, PAID)
    text = repr(rig.journal.get(txn_id)) + repr(list(rig.journal.events(txn_id)))
    assert PAID not in text


def test_not_a_wallet_code_is_refused_before_anything(rig):
    with pytest.raises(PurchaseError):
        rig.service.start_scan(subscriber("85291234567"), offer(), "4006381333931", "en")
    assert rig.backend.calls == [] and rig.journal.unfinished() == []


def test_a_definite_failure_takes_nothing_and_releases_the_hold(rig):
    txn_id = scan(rig, POOR)
    assert rig.events[-1] == ScanFailed(txn_id, "insufficient_funds")
    txn = rig.journal.get(txn_id)
    assert txn.state == "failed"
    assert rig.backend.credits == []
    assert rig.service.join(5)
    assert txn.hold_state in ("release_pending", "released")


def test_a_new_code_after_a_failure_is_a_new_order(rig):
    first = scan(rig, POOR)
    second = scan(rig, PAID)
    assert first != second
    assert rig.journal.get(second).out_trade_no == second
    assert rig.state(first) == "failed" and rig.state(second) == "credited"


def test_bad_auth_code_from_the_backend_is_a_failure_with_nothing_taken(rig):
    """Digits the kiosk takes for a wallet code, refused by the backend's own rules (422)."""
    def refuse(*args):
        rig.backend.calls.append("scan_payment")
        raise Rejected("not a wallet code", "bad_auth_code", "bad_auth_code")
    rig.backend.scan_payment = refuse
    txn_id = scan(rig, PAID)
    assert rig.events[-1] == ScanFailed(txn_id, "bad_auth_code")
    assert rig.state(txn_id) == "failed"
    assert "reverse_payment" not in rig.backend.calls and rig.backend.credits == []


def test_confirmed_on_the_phone_is_credited(rig):
    def confirm(name):
        if name == "get_payment":
            for o in rig.backend.orders.values():
                if o.status == "user_paying":
                    o.status = "paid"
    rig.backend.on_call = confirm
    txn_id = scan(rig, CONFIRM)
    assert rig.kinds() == ["ConfirmOnPhone", "Paid", "Credited"]
    assert rig.events[0] == ConfirmOnPhone(txn_id, "alipayhk")
    txn = rig.journal.get(txn_id)
    assert (txn.method, txn.card_brand) == ("scan_alipay", "alipayhk")
    assert "user_paying" in states(rig, txn_id)
    assert rig.backend.violations() == []


def test_never_confirmed_is_reversed_after_the_deadline(rig):
    """The customer never confirms: 45 s after the answer the order is reversed; the reverse is
    asked again while the wallet still says user_paying."""
    seen = {"reverse": 0}

    def wallet(name):
        if name == "reverse_payment":
            seen["reverse"] += 1
            if seen["reverse"] == 3:  # the wallet cancels the confirmation by then
                for o in rig.backend.orders.values():
                    if o.status == "user_paying":
                        o.status = "pending"
    rig.backend.on_call = wallet
    start = rig.clock.monotonic()
    txn_id = scan(rig, CONFIRM)
    assert rig.clock.monotonic() - start >= 45
    assert rig.events[-1] == PaymentCancelled(txn_id, "expired")
    assert states(rig, txn_id)[-2:] == ["reverse_pending", "reversed"]
    assert rig.backend.calls.count("reverse_payment") == 3
    assert rig.backend.credits == []


def test_cancel_while_confirming_reverses(rig):
    def cancel_then_let_go(name):
        if name == "get_payment":
            rig.service.cancel()
    rig.backend.on_call = cancel_then_let_go
    txn_id = scan(rig, "281234567890123454")
    # the reverse keeps answering user_paying (the fake never lets go): left for the retries
    txn = rig.journal.get(txn_id)
    assert txn.state == "reverse_pending" and txn.retrying
    assert rig.kinds()[-1] == "Retrying"
    # the wallet lets go; the retry (recovery here) settles it: reversed, nothing taken
    rig.backend.on_call = None
    rig.backend.orders[txn_id].status = "pending"
    recover(rig.journal, rig.backend, None, rig.settings, rig.clock)
    assert rig.state(txn_id) == "reversed"


def test_paid_when_the_deadline_came_is_credited_not_reversed(rig):
    count = {"n": 0}

    def late(name):
        if name == "get_payment":
            count["n"] += 1
    rig.backend.on_call = late
    original = rig.backend.reverse_payment

    def pay_first(no):
        rig.backend.orders[no].status = "paid"
        return original(no)
    rig.backend.reverse_payment = pay_first
    txn_id = scan(rig, "281234567890123454")
    # the reverse itself refunded the late payment in full
    assert rig.state(txn_id) == "reversed"
    assert isinstance(rig.events[-1], Refunded)
    assert rig.backend.orders[txn_id].refunded_cents == 8820
    assert rig.backend.credits == []


def test_a_lost_scan_answer_is_queried_then_followed(rig):
    rig.backend.fault("scan_payment", "drop")
    txn_id = scan(rig, PAID)
    assert rig.state(txn_id) == "credited"
    assert rig.backend.posted.count(("scan_payment", txn_id)) == 1
    assert rig.backend.violations() == []


def test_a_scan_never_received_is_reversed(rig):
    rig.backend.fault("scan_payment", "lost")
    txn_id = scan(rig, PAID)
    assert rig.state(txn_id) == "reversed"
    assert rig.backend.credits == [] and rig.backend.orders.get(txn_id) is None


def test_credit_rejected_after_a_scan_is_refunded(rig):
    txn_id = scan(rig, PAID, msisdn=REJECTED_MSISDN)
    assert rig.state(txn_id) in ("refunded", "cancelled")  # the hold may refuse first
    assert rig.backend.violations() == []


def test_recovery_credits_a_scan_paid_before_a_crash(rig):
    txn = rig.journal.create("scan_wechatpay", "85291234567", "HK-30D-10GB", "q-HK-30D-10GB",
                             {"en": "x"}, 8820, 8820, "en")
    txn = rig.journal.advance(txn.id, "scan_pending")
    rig.backend.scan_payment(txn.id, PAID, 8820, "x")  # the answer was lost in the crash
    recover(rig.journal, rig.backend, None, rig.settings, rig.clock)
    assert rig.state(txn.id) == "credited"
    assert rig.backend.violations() == []


def test_recovery_reverses_a_scan_still_confirming(rig):
    txn = rig.journal.create("scan_alipay", "85291234567", "HK-30D-10GB", "q-HK-30D-10GB",
                             {"en": "x"}, 8820, 8820, "en")
    txn = rig.journal.advance(txn.id, "scan_pending")
    rig.backend.scan_payment(txn.id, CONFIRM, 8820, "x")
    txn = rig.journal.advance(txn.id, "user_paying")
    rig.backend.orders[txn.id].status = "paid"  # confirmed while the kiosk was down
    recover(rig.journal, rig.backend, None, rig.settings, rig.clock)
    assert rig.state(txn.id) == "credited"


def test_recovery_cancels_a_scan_row_that_never_sent(rig):
    txn = rig.journal.create("scan_alipay", "85291234567", "HK-30D-10GB", "q-HK-30D-10GB",
                             {"en": "x"}, 8820, 8820, "en")
    recover(rig.journal, rig.backend, None, rig.settings, rig.clock)
    assert rig.state(txn.id) == "cancelled" and rig.backend.calls == []


def test_credited_event_comes_last_and_once(rig):
    scan(rig, PAID)
    assert sum(isinstance(e, Credited) for e in rig.events) == 1


def test_a_paid_order_past_the_reverse_window_is_refunded_instead(rig):
    """A paid scan order the kiosk could not settle for a day: the reverse is refused (409
    reverse_window_passed), so the refund API gives the money back."""
    from kiosk.backend.errors import Conflict

    txn = rig.journal.create("scan_wechatpay", "85291234567", "HK-30D-10GB", "q-HK-30D-10GB",
                             {"en": "x"}, 8820, 8820, "en")
    txn = rig.journal.advance(txn.id, "scan_pending")
    rig.backend.scan_payment(txn.id, PAID, 8820, "x")
    rig.journal.advance(txn.id, "reverse_pending")

    def too_late(no):
        raise Conflict("too late", "reverse_window_passed", 409)
    rig.backend.reverse_payment = too_late
    recover(rig.journal, rig.backend, None, rig.settings, rig.clock)
    assert rig.state(txn.id) == "refunded"
    assert sum(rig.backend.refunds.values()) == 8820 and rig.backend.credits == []
    assert rig.backend.violations() == []
