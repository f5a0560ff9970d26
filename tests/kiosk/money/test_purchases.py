"""The purchase service against fakes of the backend and terminal, on a real journal."""

from __future__ import annotations

import pytest

from kiosk.money.events import Credited, PaymentCancelled, QrReady
from kiosk.money.purchases import PurchaseBusy, PurchaseError
from tests.kiosk.money.rig import REJECTED_MSISDN, Rig, offer, subscriber


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path)
    yield r
    r.service.join(10)
    r.close()


def test_paid_at_once_is_credited_once(rig):
    """GIVEN a customer who pays as soon as the QR shows WHEN polled THEN one plan is credited."""
    rig.pay_on("get_payment")
    txn_id = rig.qr()
    assert rig.kinds() == ["QrReady", "Paid", "Credited"]
    qr = rig.events[0]
    assert isinstance(qr, QrReady) and qr.amount_cents == 8820 and qr.qr_payload
    assert rig.state(txn_id) == "credited"
    assert rig.backend.credits == [(txn_id, f"{txn_id}-C")]
    credited = rig.events[-1]
    assert isinstance(credited, Credited) and credited.balance.data_mb_left == 10240
    assert rig.journal.get(txn_id).msisdn is None  # full number dropped once final
    assert rig.backend.violations() == []


def test_never_paid_expires_and_closes_the_order(rig):
    txn_id = rig.qr()
    assert rig.kinds() == ["QrReady", "PaymentCancelled"]
    assert rig.events[-1] == PaymentCancelled(txn_id, "expired")
    assert rig.state(txn_id) == "cancelled"
    assert rig.backend.orders[txn_id].status == "closed"
    assert rig.backend.calls.count("close_payment") == 1
    # the deadline is the configured one on the injected clock: 120 s at 2 s a poll
    assert 55 <= rig.backend.calls.count("get_payment") <= 63


def test_customer_cancel_closes_the_order(rig):
    rig.pay_on("get_payment", 3, then=rig.service.cancel)
    txn_id = rig.qr()
    assert rig.events[-1] == PaymentCancelled(txn_id, "customer")
    assert rig.backend.orders[txn_id].status == "closed"
    assert rig.backend.calls.count("get_payment") <= 5


def test_paid_just_before_the_close_is_credited(rig):
    """The customer pays between the last query and the close: 409 already_paid → credit."""
    rig.pay_on("close_payment")
    txn_id = rig.qr()
    assert rig.state(txn_id) == "credited"
    assert "PaymentCancelled" not in rig.kinds()
    assert rig.backend.violations() == []


def test_credit_rejected_is_refunded_in_full(rig):
    rig.pay_on("get_payment")
    txn_id = rig.qr(msisdn=REJECTED_MSISDN)
    assert rig.kinds()[-1] == "Refunded"
    assert rig.state(txn_id) == "refunded"
    assert rig.backend.refunds == {(txn_id, f"{txn_id}-R"): 8820}
    assert rig.backend.violations() == []
    kinds = [e.kind for e in rig.journal.events(txn_id)]
    assert "credit_rejected" in kinds


def test_price_mismatch_is_refunded(rig):
    rig.pay_on("get_payment")
    rig.backend.fault("create_topup", "reject")
    txn_id = rig.qr()
    assert rig.state(txn_id) == "refunded"
    assert rig.backend.credits == []


@pytest.mark.parametrize("mode", ["drop", "lost"])
def test_ambiguous_credit_is_settled_by_query_with_the_same_key(rig, mode):
    rig.pay_on("get_payment")
    rig.backend.fault("create_topup", mode)
    txn_id = rig.qr()
    assert rig.state(txn_id) == "credited"
    assert len(rig.backend.credits) == 1
    assert rig.backend.calls.count("get_topup") == 1
    assert rig.backend.calls.count("create_topup") == (1 if mode == "drop" else 2)


def test_ambiguous_refund_refunds_once(rig):
    rig.pay_on("get_payment")
    rig.backend.fault("create_refund", "drop")
    txn_id = rig.qr(msisdn=REJECTED_MSISDN)
    assert rig.state(txn_id) == "refunded"
    assert len(rig.backend.refunds) == 1
    assert rig.backend.violations() == []


def test_lost_order_answer_reuses_the_order_number(rig):
    rig.backend.fault("create_payment", "drop")
    rig.pay_on("get_payment")
    txn_id = rig.qr()
    assert list(rig.backend.orders) == [txn_id]
    assert rig.state(txn_id) == "credited"


def test_refused_order_takes_no_money(rig):
    def refuse(*_a, **_k):
        from kiosk.backend.errors import Rejected
        raise Rejected("method unavailable", "method_unavailable")
    rig.backend.create_payment = refuse
    txn_id = rig.qr()
    assert rig.events == [PaymentCancelled(txn_id, "unavailable")]
    assert rig.state(txn_id) == "cancelled"


def test_double_tap_never_makes_a_second_order(rig):
    rig.pay_on("get_payment", 2)
    first = rig.service.start_qr(subscriber("85291234567"), offer(), "wechatpay", "en")
    with pytest.raises(PurchaseBusy):
        rig.service.start_qr(subscriber("85291234567"), offer(), "wechatpay", "en")
    assert rig.service.join(10)
    assert list(rig.backend.orders) == [first]
    assert len(rig.journal.list()) == 1


def test_unknown_method_is_refused_before_anything_is_journaled(rig):
    with pytest.raises(PurchaseError):
        rig.service.start_qr(subscriber("85291234567"), offer(), "bitcoin", "en")
    assert rig.journal.list() == []
    assert not rig.service.busy


def test_paid_status_for_another_order_is_ignored(rig):
    real = rig.backend.get_payment

    def confused(no):
        status = real(no)
        return status and type(status)("K99-OTHER", "paid", status.amount_cents, None, 0)
    rig.backend.get_payment = confused
    txn_id = rig.qr()
    assert rig.state(txn_id) != "credited"
    assert rig.backend.credits == []


def test_refund_never_asks_more_than_was_paid(rig):
    rig.pay_on("get_payment")
    real = rig.backend.get_payment

    def short(no):
        status = real(no)
        if status and status.status == "refunded":
            return status
        return status and type(status)(no, status.status, 5000, None, 0) if status else status

    rig.backend.get_payment = short
    txn_id = rig.service.start_qr(subscriber(REJECTED_MSISDN), offer(5000), "fps", "en")
    assert rig.service.join(10)
    assert rig.backend.refunds[(txn_id, f"{txn_id}-R")] == 5000


def test_close_not_confirmed_is_left_for_the_reconciler_which_credits_a_late_payment(rig):
    from kiosk.money.recovery import Reconciler

    rig.backend.fault("close_payment", *["lost"] * 3)
    rig.backend.fault("get_payment", *["lost"] * 70)
    txn_id = rig.qr()
    assert rig.kinds()[-1] == "Retrying"
    assert rig.state(txn_id) == "cancel_pending" and rig.journal.get(txn_id).retrying
    assert not rig.service.busy
    rig.backend.faults.clear()  # the backend is back
    rig.backend.pay(txn_id)  # and the customer pays late
    reconciler = Reconciler(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    assert reconciler.run_once().still_open == (txn_id,)  # its retry is not due yet
    rig.clock.advance(rig.settings.payments.retry_initial_s)
    report = reconciler.run_once()
    assert report.settled == (txn_id,)
    assert rig.state(txn_id) == "credited"
    assert rig.backend.violations() == []


def test_order_never_confirmed_tells_the_customer_nothing_was_taken(rig):
    from kiosk.money.recovery import recover

    rig.backend.fault("create_payment", *["drop"] * 3)  # the order exists; every answer lost
    txn_id = rig.qr()
    assert rig.events == [PaymentCancelled(txn_id, "unavailable")]
    assert rig.state(txn_id) == "order_pending"
    assert not rig.service.busy
    recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    assert rig.state(txn_id) == "cancelled"
    assert rig.backend.orders[txn_id].status == "closed"


def test_full_disk_refuses_the_sale_before_any_money_moves(rig, monkeypatch):
    from kiosk.journal.store import DiskFull

    def full(*_a, **_k):
        raise DiskFull("database or disk is full")
    monkeypatch.setattr(rig.journal, "create", full)
    with pytest.raises(DiskFull):
        rig.service.start_qr(subscriber("85291234567"), offer(), "wechatpay", "en")
    assert rig.backend.calls == [] and rig.events == []
    assert not rig.service.busy
