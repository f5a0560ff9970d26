"""Refunded in cash: an Octopus payment given back by an operator, recorded and audited."""

import pytest

from kiosk.money.octopus_payment import REFUND_IN_CASH
from tests.kiosk.maintenance import test_actions

kit = pytest.fixture(test_actions.kit.__wrapped__)


def octopus_to_refund(journal, paid=True):
    """An Octopus row whose credit was refused after the sale: refund in cash."""
    txn = journal.create("octopus", "85291234567", "HK-30D-10GB", "q-1", {"en": "30 days"},
                         8820, 9800, "en")
    path = ["hold_pending", "sale_pending"] + (
        ["paid", "credit_pending", "refund_pending"] if paid else [])
    for state in path:
        journal.advance(txn.id, state)
    reason = f"{REFUND_IN_CASH}: the credit was refused (hold_expired)" if paid else "x"
    return journal.advance(txn.id, "needs_attention", attention_reason=reason)


def test_a_cash_refund_is_offered_only_for_octopus_money_taken(kit):
    actions, journal, *_ = kit
    assert actions.safe_actions(octopus_to_refund(journal)) == (
        "retry_credit", "refunded_in_cash", "resolve")
    assert actions.safe_actions(octopus_to_refund(journal, paid=False)) == ("resolve",)


def test_refunded_in_cash_is_recorded_final_audited_and_counted(kit):
    actions, journal, audit, *_, session, _ = kit
    txn = octopus_to_refund(journal)
    result = actions.refunded_in_cash(session, txn.id, 8820, "paid from the till")
    assert (result.ok, result.outcome) == (True, "refunded_in_cash")
    after = journal.get(txn.id)
    assert after.state == "refunded_manually" and after.final
    cash = [e for e in journal.events(txn.id) if e.kind == "cash_refund"]
    assert cash[0].detail == {"operator_id": "1001", "amount_cents": 8820,
                              "note": "paid from the till"}
    entry = audit.entries()[0]
    assert (entry.action, entry.result, entry.operator_id) == (
        "refunded_in_cash", "refunded_in_cash", "1001")
    assert journal.report(journal.today()).cell("octopus", "refunded_manually") == (1, 8820)
    again = actions.refunded_in_cash(session, txn.id, 8820, "twice")
    assert (again.ok, again.outcome) == (True, "already_refunded_in_cash")
    assert len([e for e in journal.events(txn.id) if e.kind == "cash_refund"]) == 1


@pytest.mark.parametrize(("amount", "note", "outcome"), [
    (8000, "n", "amount_differs"), ("8820", "n", "amount_differs"), (True, "n", "amount_differs"),
    (8820, "  ", "note_required")])
def test_a_wrong_amount_or_no_note_is_refused_and_changes_nothing(kit, amount, note, outcome):
    actions, journal, *_, session, _ = kit
    txn = octopus_to_refund(journal)
    result = actions.refunded_in_cash(session, txn.id, amount, note)
    assert (result.ok, result.outcome) == (False, outcome)
    assert journal.get(txn.id).state == "needs_attention"


def test_no_cash_when_the_plan_was_credited_after_all(kit):
    actions, journal, _audit, backend, *_, session, _ = kit
    txn = octopus_to_refund(journal)
    backend.create_topup(txn.credit_key, txn.msisdn, txn.quote_id, txn.plan_id,
                         txn.amount_cents, txn.method, txn.ecr_ref, txn.id)
    result = actions.refunded_in_cash(session, txn.id, 8820, "n")
    assert (result.ok, result.outcome) == (False, "already_credited")


def test_a_wallet_row_cannot_be_refunded_in_cash(kit):
    from tests.kiosk.maintenance.test_actions import stuck
    actions, journal, _audit, backend, *_, session, _ = kit
    txn = stuck(journal, backend)
    result = actions.refunded_in_cash(session, txn.id, 8820, "n")
    assert (result.ok, result.outcome) == (False, "not_octopus")
