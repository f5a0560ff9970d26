"""Card purchases: SALE, QUERY on a lost answer, VOID/REFUND when the credit is rejected."""

from __future__ import annotations

import threading

import pytest

from kiosk.money.events import CardProgress, Declined, PaymentCancelled
from kiosk.money.purchases import LastSaleUnsettled
from kiosk.money.recovery import recover
from tests.kiosk.money.rig import REJECTED_MSISDN, Rig, offer, subscriber


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path)
    yield r
    r.service.join(10)
    r.close()


def test_approved_sale_is_credited_with_the_card_details(rig):
    txn_id = rig.card()
    assert rig.kinds() == ["CardProgress", "Paid", "Credited"]
    assert rig.events[0] == CardProgress(txn_id, "PRESENT_CARD")
    txn = rig.journal.get(txn_id)
    assert txn.state == "credited"
    assert (txn.card_last4, txn.card_brand, txn.batch_no) == ("0119", "VISA", 1)
    assert rig.backend.credits == [(txn.ecr_ref, txn.credit_key)]


def test_declined_sale_charges_nothing(rig):
    rig.terminal.plan = {"result": "DECLINED", "rc": "51"}
    txn_id = rig.card()
    assert rig.events[-1] == Declined(txn_id, "declined", "51")
    assert rig.state(txn_id) == "declined"
    assert rig.backend.credits == []


def test_customer_cancel_aborts_the_sale(rig):
    rig.terminal.hold = threading.Event()
    txn_id = rig.service.start_card(subscriber("85291234567"), offer(), "en")
    assert rig.service.busy
    rig.service.cancel()
    assert rig.service.join(10)
    assert rig.events[-1] == PaymentCancelled(txn_id, "customer")
    assert rig.state(txn_id) == "cancelled"
    assert f"ABORT {rig.journal.get(txn_id).ecr_ref}" in rig.terminal.sent


def test_lost_answer_is_settled_by_query_never_a_second_sale(rig):
    rig.terminal.lose_answers = 1
    txn_id = rig.card()
    # The driver gave up within the customer's bound: the customer is told it is being checked,
    # no QUERY in front of them; the background recovery settles it.
    assert rig.state(txn_id) == "sale_pending" and rig.kinds()[-1] == "Retrying"
    assert not any(s.startswith("QUERY") for s in rig.terminal.sent)
    recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    txn = rig.journal.get(txn_id)
    assert txn.state == "credited"
    sales = [s for s in rig.terminal.sent if s.startswith("SALE")]
    assert sales == [f"SALE {txn.ecr_ref}"]
    assert f"QUERY {txn.ecr_ref}" in rig.terminal.sent


def test_rejected_credit_voids_the_sale_in_the_open_batch(rig):
    txn_id = rig.card(msisdn=REJECTED_MSISDN)
    txn = rig.journal.get(txn_id)
    assert txn.state == "refunded"
    assert rig.kinds()[-1] == "Refunded"
    assert f"VOID {txn.void_ecr_ref}" in rig.terminal.sent
    assert rig.terminal.reversals() == {txn.ecr_ref: 1}


def test_rejected_credit_after_settle_is_refunded_with_the_rrn(rig):
    """The batch closed between the sale and the rejected credit: REFUND, not VOID."""
    def settle_first(name):
        if name == "create_topup":
            rig.journal.close_batch()
            rig.terminal.settle("S1")
    rig.backend.on_call = settle_first
    txn_id = rig.card(msisdn=REJECTED_MSISDN)
    txn = rig.journal.get(txn_id)
    assert txn.state == "refunded"
    assert not any(s.startswith("VOID") for s in rig.terminal.sent)
    assert f"REFUND {txn.refund_ecr_ref} 8820" in rig.terminal.sent
    assert rig.terminal.reversals() == {txn.ecr_ref: 1}


def test_wrong_amount_approved_is_voided_and_needs_attention(rig):
    rig.terminal.plan = {"result": "APPROVED", "rc": "00", "amount_cents": 88200}
    txn_id = rig.card()
    txn = rig.journal.get(txn_id)
    assert txn.state == "needs_attention"
    assert "88200" in txn.attention_reason and "reversed" in txn.attention_reason
    assert rig.backend.credits == []
    assert rig.terminal.reversals() == {txn.ecr_ref: 1}
    assert rig.kinds()[-1] == "NeedsAttention"


def test_no_new_sale_while_the_last_outcome_is_unknown(rig):
    rig.terminal.lose_answers = 10  # the sale and every query answer are lost
    rig.terminal.query = lambda ref: (_ for _ in ()).throw(
        __import__("devices.interfaces", fromlist=["LinkError"]).LinkError("down"))
    first = rig.card()
    assert rig.state(first) == "sale_pending" and rig.journal.get(first).retrying
    assert rig.kinds()[-1] == "Retrying"  # the customer hears it is safe and settling
    with pytest.raises(LastSaleUnsettled):
        rig.service.start_card(subscriber("85291234567"), offer(), "en")


def test_busy_terminal_during_a_reversal_is_asked_again_not_escalated(rig):
    real_void = rig.terminal.void
    answers = iter(["ERROR"])

    def busy_once(ecr_ref, orig):
        result = next(answers, None)
        if result:
            return rig.terminal.answer("VOID", ecr_ref, result, None, "")
        return real_void(ecr_ref, orig)
    rig.terminal.void = busy_once
    txn_id = rig.card(msisdn=REJECTED_MSISDN)
    txn = rig.journal.get(txn_id)
    assert txn.state == "refunded"
    assert rig.terminal.reversals() == {txn.ecr_ref: 1}
    assert not any(s.startswith("REFUND") for s in rig.terminal.sent)
