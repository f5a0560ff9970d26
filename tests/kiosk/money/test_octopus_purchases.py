"""Octopus purchases: hold first, SALE … OCTOPUS, remaining value, declines, retap, incomplete
settled by QUERY (never ABORT), and the cash path when a credit fails after the sale."""

from __future__ import annotations

import pytest

from kiosk.money import octopus_payment
from kiosk.money.events import CardProgress, Declined, NeedsAttention, Paid, Retrying
from kiosk.money.purchases import PurchaseError
from kiosk.money.recovery import settle_pass
from tests.kiosk.money.rig import REJECTED_MSISDN, Rig, offer, subscriber

OCTOPUS = {"devices.card_terminal.tenders": ["card", "octopus"]}


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path, **OCTOPUS)
    yield r
    r.service.join(10)
    r.close()


def octopus(rig, msisdn="85291234567", price=8820) -> str:
    txn_id = rig.service.start_octopus(subscriber(msisdn), offer(price), "en")
    assert rig.service.join(10), "the purchase did not finish"
    return txn_id


def test_approved_octopus_sale_is_held_first_credited_and_keeps_the_remaining_value(rig):
    rig.terminal.octopus_value_cents = 10_000
    txn_id = octopus(rig)
    txn = rig.journal.get(txn_id)
    assert txn.state == "credited"
    assert (txn.method, txn.card_brand, txn.card_last4) == ("octopus", "OCTOPUS", "5678")
    assert txn.hold_state == "used" and rig.backend.posted[0][0] == "create_hold"
    assert rig.terminal.last_tender == "octopus"
    assert Paid(txn_id, remaining_value_cents=1180) in rig.events
    assert octopus_payment.remaining_value(rig.journal, txn_id) == 1180
    assert rig.backend.credits == [(txn.ecr_ref, txn.credit_key)]


def test_a_hold_is_taken_for_octopus_even_when_the_setting_leaves_it_out(tmp_path):
    r = Rig(tmp_path, **OCTOPUS, **{"payments.holds.before": []})
    try:
        txn_id = octopus(r)
        assert r.journal.get(txn_id).hold_state == "used"
    finally:
        r.close()


def test_negative_remaining_value_is_kept_as_negative(rig):
    rig.terminal.octopus_value_cents = 5_000
    txn_id = octopus(rig)
    assert octopus_payment.remaining_value(rig.journal, txn_id) == -3820


@pytest.mark.parametrize("rc", ["IV", "BL", "LM"])
def test_octopus_declines_charge_nothing_and_release_the_hold(rig, rc):
    rig.terminal.plan = {"result": "DECLINED", "rc": rc}
    txn_id = octopus(rig)
    assert rig.events[-1] == Declined(txn_id, "octopus", rc)
    txn = rig.journal.get(txn_id)
    assert txn.state == "declined"
    assert rig.backend.credits == []
    assert rig.service.join(10) and txn.hold_state in ("release_pending", "released")


def test_retap_prompt_reaches_the_flow_then_the_sale_completes(rig):
    rig.terminal.plan = {"result": "APPROVED", "rc": "00", "retap": True}
    txn_id = octopus(rig)
    assert CardProgress(txn_id, "RETAP") in rig.events
    assert rig.state(txn_id) == "credited"


def test_incomplete_stays_pending_does_not_block_sales_and_is_settled_by_query(rig):
    rig.terminal.plan = {"result": "INCOMPLETE", "rc": "RT", "final": "APPROVED"}
    first = octopus(rig)
    assert rig.state(first) == "incomplete"
    assert isinstance(rig.events[-1], Retrying)
    assert rig.events[-1].reason == octopus_payment.INCOMPLETE_REASON
    ref = rig.journal.get(first).ecr_ref
    rig.terminal.plan = {"result": "APPROVED", "rc": "00"}
    second = octopus(rig)  # the kiosk keeps selling meanwhile
    assert rig.state(second) == "credited"
    # still resolving: the reconciler only QUERYs (never ABORT) and leaves it pending
    settle_pass(rig.service._ctx, skip=lambda t: False, due_only=False)
    assert rig.state(first) == "incomplete"
    assert f"ABORT {ref}" not in rig.terminal.sent
    rig.terminal.resolve_incomplete(ref)
    settle_pass(rig.service._ctx, skip=lambda t: False, due_only=False)
    assert rig.state(first) == "credited"
    assert f"ABORT {ref}" not in rig.terminal.sent


def test_incomplete_resolved_cancelled_charges_nothing(rig):
    rig.terminal.plan = {"result": "INCOMPLETE", "rc": "RT", "final": "CANCELLED"}
    txn_id = octopus(rig)
    rig.terminal.resolve_incomplete(rig.journal.get(txn_id).ecr_ref)
    settle_pass(rig.service._ctx, skip=lambda t: False, due_only=False)
    assert rig.state(txn_id) == "cancelled"
    assert rig.backend.credits == []


def test_credit_rejected_after_octopus_goes_to_a_person_as_refund_in_cash(rig):
    txn_id = octopus(rig, msisdn=REJECTED_MSISDN)
    txn = rig.journal.get(txn_id)
    # a refused hold would stop it before paying; this number's credit is what is refused
    if txn.state == "cancelled":
        pytest.skip("the fake refuses this number's hold")
    assert txn.state == "needs_attention"
    assert octopus_payment.is_cash_refund(txn.attention_reason)
    assert isinstance(rig.events[-1], NeedsAttention)
    assert not any(s.startswith(("VOID", "REFUND")) for s in rig.terminal.sent)


def test_hold_expired_before_the_credit_is_the_cash_path(rig):
    def expire():
        for hold in rig.backend.holds.values():
            hold["status"] = "expired"
    rig.pay_on("create_topup", then=expire)
    txn_id = octopus(rig)
    txn = rig.journal.get(txn_id)
    assert txn.state == "needs_attention"
    assert "hold_expired" in txn.attention_reason and octopus_payment.is_cash_refund(
        txn.attention_reason)
    assert txn.hold_state in ("release_pending", "released")


def test_lost_answer_is_queried_never_a_second_sale(rig):
    rig.terminal.lose_answers = 1
    txn_id = octopus(rig)
    txn = rig.journal.get(txn_id)
    assert txn.state == "credited"
    assert [s for s in rig.terminal.sent if s.startswith("SALE")] == [f"SALE {txn.ecr_ref}"]


def test_no_octopus_without_the_tender(tmp_path):
    r = Rig(tmp_path, **{"devices.card_terminal.tenders": ["card"]})
    try:
        with pytest.raises(PurchaseError):
            r.service.start_octopus(subscriber("85291234567"), offer(), "en")
        assert r.journal.unfinished() == []
    finally:
        r.close()


def test_offered_methods_put_octopus_after_card_only_when_the_terminal_takes_it(rig):
    methods = octopus_payment.offered_methods(rig.settings)
    assert methods[methods.index("card") + 1] == "octopus"
    from kiosk.settings import load
    card_only = load(None, {"devices.card_terminal.tenders": ["card"]})
    assert "octopus" not in octopus_payment.offered_methods(card_only)


def _left_in_sale_pending(rig):
    """A row as a crash after ``sale_pending:commit`` leaves it (held, batch noted)."""
    from kiosk.money import card_payment, holds
    from tests.kiosk.money.rig import offer as an_offer

    o = an_offer()
    txn = rig.journal.create("octopus", "85291234567", o.plan_id, o.quote_id, dict(o.name),
                             o.price_cents, o.list_price_cents, "en")
    ctx = rig.service._ctx
    txn, held = holds.hold(ctx, txn)
    return card_payment.begin_sale(ctx, txn, held)


def test_recovery_of_a_sale_never_sent_closes_it_and_releases_the_hold(rig):
    txn = _left_in_sale_pending(rig)
    settle_pass(rig.service._ctx, skip=lambda t: False, due_only=False)
    after = rig.journal.get(txn.id)
    assert after.state == "cancelled"
    assert after.hold_state in ("release_pending", "released")
    assert f"QUERY {txn.ecr_ref}" in rig.terminal.sent
    assert not any(s.startswith("SALE") for s in rig.terminal.sent)


def test_recovery_finds_an_incomplete_sale_and_never_aborts_it(rig):
    txn = _left_in_sale_pending(rig)
    rig.terminal.plan = {"result": "INCOMPLETE", "rc": "RT", "final": "APPROVED"}
    rig.terminal.sale(txn.ecr_ref, txn.amount_cents, tender="octopus")  # sent before the crash
    settle_pass(rig.service._ctx, skip=lambda t: False, due_only=False)
    assert rig.state(txn.id) == "incomplete"
    assert f"ABORT {txn.ecr_ref}" not in rig.terminal.sent
    rig.terminal.resolve_incomplete(txn.ecr_ref)
    settle_pass(rig.service._ctx, skip=lambda t: False, due_only=False)
    assert rig.state(txn.id) == "credited"


@pytest.mark.parametrize("plan", [{"amount_cents": 1}, {"amount_cents": None}, {"amount_cents": 0},
                                  {"currency": "156"}, {"currency": ""}])
def test_an_octopus_approval_for_something_else_is_never_paid_and_goes_to_cash(rig, plan):
    rig.terminal.plan = {"result": "APPROVED", "rc": "00", **plan}
    txn_id = octopus(rig)
    txn = rig.journal.get(txn_id)
    assert txn.state == "needs_attention"
    assert octopus_payment.is_cash_refund(txn.attention_reason)
    assert "asked 8820 cents in 344" in txn.attention_reason
    states = [e.to_state for e in rig.journal.events(txn_id) if e.kind == "state"]
    assert "paid" not in states and rig.backend.credits == []
    assert not [r for r in rig.terminal.sent if r.startswith(("VOID", "REFUND"))]  # NS anyway
