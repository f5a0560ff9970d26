"""Recovery and the reconciler: every unfinished row is driven to one definite end."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.backend.errors import Ambiguous
from kiosk.money.recovery import Reconciler, recover
from tests.kiosk.money.rig import REJECTED_MSISDN, Rig

WALLET_PATH = ("order_pending", "awaiting_payment", "paid", "credit_pending")


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path)
    yield r
    r.close()


def row(rig, state: str, method: str = "wechatpay", msisdn: str = "85291234567", **fields):
    """A journal row left in ``state`` as a crash would leave it."""
    txn = rig.journal.create(method, msisdn, "HK-30D-10GB", "q-HK-30D-10GB", {"en": "x"}, 8820,
                             9800, "en")
    if method == "card":
        path = ("sale_pending", "paid", "credit_pending", "refund_pending")
    elif state == "cancel_pending":
        path = ("order_pending", "awaiting_payment", "cancel_pending")
    else:
        path = WALLET_PATH + ("refund_pending",)
    for step in path[: path.index(state) + 1] if state != "created" else ():
        extra = fields if step == "sale_pending" else {}
        txn = rig.journal.advance(txn.id, step, **extra)
    return txn


def run(rig):
    return recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)


def test_created_wallet_row_ends_cancelled_without_an_order(rig):
    txn = row(rig, "created")
    report = run(rig)
    assert rig.state(txn.id) == "cancelled"
    assert report.settled == (txn.id,) and rig.backend.orders == {}


def test_order_pending_with_an_order_closes_it(rig):
    txn = row(rig, "order_pending")
    rig.backend.create_payment(txn.out_trade_no, "wechatpay", 8820, "x", 120)
    run(rig)
    assert rig.state(txn.id) == "cancelled"
    assert rig.backend.orders[txn.out_trade_no].status == "closed"


@pytest.mark.parametrize("state", ["awaiting_payment", "cancel_pending"])
def test_order_paid_while_the_kiosk_was_down_is_credited(rig, state):
    txn = row(rig, state)
    rig.backend.create_payment(txn.out_trade_no, "wechatpay", 8820, "x", 120)
    rig.backend.pay(txn.out_trade_no)
    run(rig)
    assert rig.state(txn.id) == "credited"
    assert rig.backend.violations() == []


def test_credit_already_made_is_not_made_twice(rig):
    txn = row(rig, "credit_pending")
    rig.backend.create_payment(txn.out_trade_no, "wechatpay", 8820, "x", 120)
    rig.backend.pay(txn.out_trade_no)
    rig.backend.fault("create_topup", "drop")
    with pytest.raises(Ambiguous):
        rig.backend.create_topup(txn.credit_key, txn.msisdn, txn.quote_id, txn.plan_id, 8820,
                                 "wechatpay", txn.out_trade_no, txn.id)
    run(rig)
    assert rig.state(txn.id) == "credited"
    assert len(rig.backend.credits) == 1


def test_refund_already_made_is_not_made_twice(rig):
    txn = row(rig, "refund_pending", msisdn=REJECTED_MSISDN)
    rig.backend.create_payment(txn.out_trade_no, "wechatpay", 8820, "x", 120)
    rig.backend.pay(txn.out_trade_no)
    rig.backend.create_refund(txn.out_trade_no, txn.refund_key, 8820, "topup_rejected")
    run(rig)
    assert rig.state(txn.id) == "refunded"
    assert len(rig.backend.refunds) == 1
    assert rig.backend.violations() == []


@pytest.mark.parametrize("approved", [True, False])
def test_card_sale_in_flight_is_settled_by_query(rig, approved):
    txn = row(rig, "sale_pending", method="card", batch_no=1)
    if approved:
        rig.terminal.sale(txn.ecr_ref, 8820)
    run(rig)
    assert rig.state(txn.id) == ("credited" if approved else "cancelled")
    assert [s for s in rig.terminal.sent if s.startswith("SALE")] == (
        [f"SALE {txn.ecr_ref}"] if approved else [])


def test_card_void_already_made_is_not_repeated(rig):
    txn = row(rig, "sale_pending", method="card", msisdn=REJECTED_MSISDN, batch_no=1)
    rig.terminal.sale(txn.ecr_ref, 8820)
    for state in ("paid", "credit_pending", "refund_pending"):
        txn = rig.journal.advance(txn.id, state)
    rig.terminal.void(txn.void_ecr_ref, txn.ecr_ref)
    run(rig)
    assert rig.state(txn.id) == "refunded"
    assert rig.terminal.reversals() == {txn.ecr_ref: 1}
    assert sum(s.startswith("VOID") for s in rig.terminal.sent) == 1


def test_reconciler_never_gives_up_on_an_ambiguity_and_backs_off(rig):
    """GIVEN a close the backend never answers, for far longer than any watch window, THEN the
    row keeps retrying with doubling waits (never a person's case), and the first pass after
    the backend is back settles it."""
    txn = row(rig, "cancel_pending")
    rig.backend.create_payment(txn.out_trade_no, "wechatpay", 8820, "x", 120)
    rig.backend.fault("close_payment", *["lost"] * 10_000)
    rig.backend.fault("get_payment", *["lost"] * 10_000)
    reconciler = Reconciler(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    waits, due_at = [], rig.clock.now()
    for _ in range(14):  # about an hour and a half of the backend away
        rig.clock.advance(max(0.0, due_at - rig.clock.now()))
        assert reconciler.run_once().still_open == (txn.id,)
        again = rig.journal.get(txn.id)
        due = datetime.fromisoformat(again.retry_at.replace("Z", "+00:00")).timestamp()
        waits.append(due - rig.clock.now())
        due_at = due
    assert again.state == "cancel_pending" and again.retrying and again.retry_attempts == 14
    assert all(w <= rig.settings.payments.retry_max_s for w in waits)
    assert waits[-1] >= rig.settings.payments.retry_max_s / 2 > waits[0]
    assert rig.journal.needing_attention() == []
    rig.backend.faults.clear()
    rig.clock.advance(rig.settings.payments.retry_max_s)
    assert reconciler.run_once().settled == (txn.id,)
    assert rig.state(txn.id) == "cancelled" and rig.journal.retrying() == []


def test_start_up_recovery_retries_an_old_give_up_and_what_is_retrying_at_once(rig):
    """A row an older kiosk handed to a person for a plain ambiguity, and a row whose next retry
    is hours away, are both tried at start-up, before the first sale."""
    gave_up = row(rig, "credit_pending")
    rig.journal.advance(gave_up.id, "needs_attention",
                        attention_reason="not settled automatically: credit not confirmed")
    waiting = row(rig, "credit_pending")
    rig.journal.retry_later(waiting.id, "credit not confirmed", 3 * 3600)
    for txn in (gave_up, waiting):
        rig.backend.create_payment(txn.out_trade_no, "wechatpay", 8820, "x", 120)
        rig.backend.pay(txn.out_trade_no)
    report = recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    assert set(report.settled) == {gave_up.id, waiting.id}
    assert rig.state(gave_up.id) == rig.state(waiting.id) == "credited"


def test_reconciler_thread_stops_when_asked(rig):
    txn = row(rig, "paid")
    rig.backend.create_payment(txn.out_trade_no, "wechatpay", 8820, "x", 120)
    rig.backend.pay(txn.out_trade_no)
    reconciler = Reconciler(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    reconciler.start()
    reconciler.stop(timeout=5)
    assert rig.state(txn.id) == "credited"


def test_reconciler_leaves_the_running_purchase_alone(rig):
    txn = row(rig, "paid")
    reconciler = Reconciler(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock,
                            skip=lambda txn_id: txn_id == txn.id)
    reconciler.run_once()
    assert rig.state(txn.id) == "paid" and rig.backend.calls == []


def test_an_order_the_backend_does_not_know_is_cancelled_not_retried(rig):
    """404 on the close and on the query is definite: no order, so nothing can be paid on it."""
    txn = row(rig, "cancel_pending")
    report = recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    assert report.settled == (txn.id,) and rig.state(txn.id) == "cancelled"
