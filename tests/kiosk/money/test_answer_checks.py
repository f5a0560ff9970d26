"""Money answers checked in full: an APPROVED (card) or a paid order (wallet) for another amount
or currency than asked, or with none, is never counted as paid; it is given back with the row's
own key, journaled first, and the row goes to a person with what was asked and answered."""

from __future__ import annotations

import pytest

from kiosk.money.answer_checks import MISMATCH, mismatch
from kiosk.money.crash_points import CrashPoints
from kiosk.money.recovery import recover
from tests.kiosk.money.rig import REJECTED_MSISDN, Rig, offer, subscriber


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path)
    yield r
    r.service.join(10)
    r.close()


@pytest.mark.parametrize("answered, currency, why", [
    (8820, "344", ""),
    (882, "344", "another amount"),
    (None, "344", "no amount"),
    (0, "344", "an amount of 0"),
    (8820, "156", "another currency"),
    (8820, "", "no currency"),
])
def test_mismatch_names_what_was_asked_and_answered(answered, currency, why):
    text = mismatch(8820, answered, currency, "344")
    if not why:
        assert text == ""
        return
    assert text.startswith(MISMATCH) and why in text
    assert "asked 8820 cents in 344" in text


def moves(rig, txn_id):
    return [e.to_state for e in rig.journal.events(txn_id) if e.kind == "state"]


# --- card -----------------------------------------------------------------------------------

@pytest.mark.parametrize("plan, answered", [
    ({"amount_cents": 88200}, "88200 cents in 344"),
    ({"amount_cents": None}, "(no amount) in 344"),
    ({"amount_cents": 0}, "0 cents in 344"),
    ({"currency": "156"}, "8820 cents in 156"),
    ({"currency": ""}, "8820 cents in (none)"),
])
def test_card_approved_for_something_else_is_voided_and_needs_attention(rig, plan, answered):
    rig.terminal.plan = {"result": "APPROVED", "rc": "00", **plan}
    txn_id = rig.card()
    txn = rig.journal.get(txn_id)
    assert txn.state == "needs_attention"
    assert "asked 8820 cents in 344" in txn.attention_reason
    assert answered in txn.attention_reason and "reversed" in txn.attention_reason
    assert "paid" not in moves(rig, txn_id)  # never counted as paid
    assert moves(rig, txn_id) == ["hold_pending", "sale_pending", "refund_pending", "needs_attention"]
    assert rig.backend.credits == []
    assert f"VOID {txn.void_ecr_ref}" in rig.terminal.sent  # the row's own void reference
    assert rig.terminal.reversals() == {txn.ecr_ref: 1}
    assert rig.kinds()[-1] == "NeedsAttention" and "Paid" not in rig.kinds()
    [note] = [e.detail for e in rig.journal.events(txn_id) if e.kind == MISMATCH]
    assert note["asked_cents"] == 8820 and note["asked_currency"] == "344"


def test_card_mismatch_after_the_batch_closed_is_refunded_what_was_approved(rig):
    rig.terminal.plan = {"result": "APPROVED", "rc": "00", "amount_cents": 9000,
                         "currency": "156"}
    real_void = rig.terminal.void
    rig.terminal.void = lambda ref, orig: (rig.journal.close_batch(), real_void(ref, "gone"))[1]
    txn_id = rig.card()
    txn = rig.journal.get(txn_id)
    assert txn.state == "needs_attention" and "reversed" in txn.attention_reason
    assert f"REFUND {txn.refund_ecr_ref} 9000" in rig.terminal.sent


def test_card_approved_with_no_amount_and_no_void_is_a_persons_case(rig):
    rig.terminal.plan = {"result": "APPROVED", "rc": "00", "amount_cents": None}
    rig.terminal.void = lambda ref, orig: rig.terminal.answer("VOID", ref, "DECLINED", None, "12")
    txn_id = rig.card()
    txn = rig.journal.get(txn_id)
    assert txn.state == "needs_attention"
    assert "NOT given back" in txn.attention_reason and "no amount" in txn.attention_reason
    assert not any(s.startswith("REFUND") for s in rig.terminal.sent)
    assert rig.backend.credits == []


def test_card_mismatch_found_by_query_is_not_paid_either(rig):
    rig.terminal.plan = {"result": "APPROVED", "rc": "00", "amount_cents": 1}
    rig.terminal.lose_answers = 1  # the answer is lost: recovery's QUERY reads it
    txn_id = rig.card()
    assert rig.state(txn_id) == "sale_pending"
    recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    txn = rig.journal.get(txn_id)
    assert txn.state == "needs_attention" and "reversed" in txn.attention_reason
    assert rig.terminal.reversals() == {txn.ecr_ref: 1} and rig.backend.credits == []


class Crash(Exception):
    pass


class CrashAt(CrashPoints):
    """Raises at the named point (in place of SIGKILL), once."""

    def __init__(self, name):
        super().__init__()
        self.name, self.seen = name, []

    @property
    def active(self):
        return True

    def hit(self, name):
        self.seen.append(name)
        if name == self.name:
            self.name = None
            raise Crash(name)


@pytest.mark.parametrize("point", ["refund_pending:commit", "refund_pending:query:before",
                                   "refund_pending:void:before", "refund_pending:void:after"])
def test_card_mismatch_crash_at_each_new_step_recovers_to_one_reversal(tmp_path, point):
    from kiosk.money.purchases import PurchaseService
    rig = Rig(tmp_path)
    try:
        crash = CrashAt(point)
        rig.service = PurchaseService(rig.journal, rig.backend, rig.terminal, rig.settings,
                                      rig.clock, crash)
        rig.terminal.plan = {"result": "APPROVED", "rc": "00", "amount_cents": 100}
        rig.card()
        assert point in crash.seen
        recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
        txn = rig.journal.get(rig.journal.list(limit=1)[0].id)
        assert txn.state == "needs_attention" and "reversed" in txn.attention_reason
        assert rig.terminal.reversals() == {txn.ecr_ref: 1}
        assert rig.backend.credits == []
    finally:
        rig.service.join(10)
        rig.close()


# --- wallet ---------------------------------------------------------------------------------

def pay_with(rig, amount_cents=None, currency=None, op="get_payment"):
    """The customer pays just before the first ``op``; the backend reports this amount."""
    def pay():
        for no, o in list(rig.backend.orders.items()):
            if o.status == "pending":
                rig.backend.pay(no)
                if amount_cents is not None:
                    o.amount_cents = amount_cents
                o.currency = currency
    rig.pay_on(op, then=pay)


@pytest.mark.parametrize("amount, currency, answered", [
    (100, None, "100 cents in HKD"),
    (9999, None, "9999 cents in HKD"),
    (0, None, "0 cents in HKD"),
    (None, "USD", "8820 cents in USD"),
])
def test_wallet_paid_something_else_is_refunded_in_full_and_needs_attention(
        rig, amount, currency, answered):
    pay_with(rig, amount, currency)
    txn_id = rig.qr()
    txn = rig.journal.get(txn_id)
    assert txn.state == "needs_attention"
    assert "asked 8820 cents in HKD" in txn.attention_reason and answered in txn.attention_reason
    assert "paid" not in moves(rig, txn_id)
    assert moves(rig, txn_id)[-2:] == ["refund_pending", "needs_attention"]
    assert rig.backend.credits == []
    paid = 8820 if amount is None else amount
    if paid:
        assert "reversed" in txn.attention_reason
        assert rig.backend.refunds == {(txn.out_trade_no, txn.refund_key): paid}
    else:
        assert "NOT given back" in txn.attention_reason and rig.backend.refunds == {}
    assert rig.kinds()[-1] == "NeedsAttention"


def test_wallet_mismatch_seen_only_at_the_close_is_refunded_too(rig):
    """Paid between the last query and the close (409 already_paid), for another amount."""
    pay_with(rig, 100, op="close_payment")
    txn_id = rig.qr()
    txn = rig.journal.get(txn_id)
    assert txn.state == "needs_attention" and "100 cents in HKD" in txn.attention_reason
    assert moves(rig, txn_id)[-3:] == ["cancel_pending", "refund_pending", "needs_attention"]
    assert rig.backend.refunds == {(txn.out_trade_no, txn.refund_key): 100}
    assert rig.backend.credits == []


def test_rejected_credit_of_a_right_payment_is_still_a_plain_refund(rig):
    rig.pay_on("get_payment")
    txn_id = rig.service.start_qr(subscriber(REJECTED_MSISDN), offer(), "fps", "en")
    assert rig.service.join(10)
    assert rig.state(txn_id) == "refunded"
