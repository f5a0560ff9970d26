"""Refunded in cash: the operator's record of an Octopus payment given back by hand.

Octopus cannot be voided or refunded at the terminal. When the plan could not be credited after
an Octopus payment, the row waits in needs_attention ("refund in cash") and the customer has a
claim slip. The operator pays the amount in cash and records it here: the operator id (from the
session), the amount (must be the payment's amount: a partial cash refund is not a refund this
records) and a note. The row moves to the final state ``refunded_manually`` with that detail in
its history, and the action is audited like every other.
"""

from __future__ import annotations

from kiosk.money.octopus_payment import is_cash_refund

ATTENTION = "needs_attention"
FINAL = "refunded_manually"


def safe_actions(txn, events) -> tuple[str, ...]:
    """What may be done to an Octopus row needing attention: money taken (paid, or the row
    says "refund in cash") → retry the credit, record the cash refund, or resolve."""
    from kiosk.maintenance.actions import was_paid  # (actions imports this module)
    if was_paid(events) or is_cash_refund(txn.attention_reason):
        return ("retry_credit", "refunded_in_cash", "resolve")
    return ("resolve",)


def record(actions, session, txn_id: str, amount_cents, note: str) -> tuple[str, dict]:
    """Check and record the cash refund; (outcome, detail) for the audited result."""
    from kiosk.maintenance.actions import ActionRefused
    note = (note or "").strip()
    txn = actions.journal.get(txn_id)
    if txn.state == FINAL:
        return "already_refunded_in_cash", {}
    if txn.method != "octopus":
        raise ActionRefused("not_octopus")
    if txn.state != ATTENTION or "refunded_in_cash" not in actions.safe_actions(txn):
        raise ActionRefused(f"not_allowed_in_{txn.state}")
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) \
            or amount_cents != txn.amount_cents:
        raise ActionRefused("amount_differs")
    if not note:
        raise ActionRefused("note_required")
    if actions._credit_done_at_backend(txn):
        # The plan was credited after all (a lost answer): paying cash too would pay twice.
        raise ActionRefused("already_credited")
    detail = {"operator_id": session.operator_id, "amount_cents": amount_cents, "note": note}
    actions.journal.note(txn_id, "cash_refund", detail)
    actions.journal.advance(txn_id, FINAL, detail=detail)
    return "refunded_in_cash", {}
