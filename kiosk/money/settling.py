"""Driving an unfinished row forward with no customer present: recovery and the reconciler.

Each state names the one safe next step: settle what may have happened by querying with the
row's own keys, then carry on (credit what was paid, refund what was rejected, close the rest).
"""

from __future__ import annotations

import logging

from kiosk.journal.models import is_scan
from kiosk.money import (
    card_payment,
    crediting,
    holds,
    octopus_payment,
    qr_payment,
    refunding,
    scan_payment,
)
from kiosk.money.context import MoneyContext, Unsettled, is_settled

log = logging.getLogger(__name__)

SCAN_STATES = ("scan_pending", "user_paying", "reverse_pending")


def drive(ctx: MoneyContext, txn):
    """Run steps until the row is settled; Unsettled when a step cannot learn an outcome."""
    for _ in range(12):  # every path settles in fewer steps; a loop guard, not a retry count
        if is_settled(txn):
            return txn
        txn = step(ctx, txn)
    raise Unsettled(txn.id, f"no progress from {txn.state}", retry=False)


def step(ctx: MoneyContext, txn):
    """One move from ``txn.state``."""
    state = txn.state
    if txn.method == "octopus" and state in ("created", "sale_pending", "incomplete"):
        return _octopus_step(ctx, txn)
    if state in SCAN_STATES or (state == "created" and is_scan(txn.method)):
        return scan_payment.settle(ctx, txn)  # (created: the scan may have gone out)
    if state == "created":
        if txn.method == "card":
            return card_payment.settle_sale(ctx, card_payment.begin_sale(ctx, txn))
        return qr_payment.settle_order_pending(ctx, ctx.commit(txn, "order_pending"))
    if state == "hold_pending":  # no money has moved; the customer is gone
        return holds.settle_hold_pending(ctx, txn)
    if state == "order_pending":
        return qr_payment.settle_order_pending(ctx, txn)
    if state in ("awaiting_payment", "cancel_pending"):
        # The QR is no longer shown to anyone: close the order, crediting a late payment.
        return qr_payment.cancel_order(ctx, txn, "unavailable")
    if state == "sale_pending":
        return card_payment.settle_sale(ctx, txn)
    if state in ("paid", "credit_pending"):
        return crediting.credit(ctx, txn)
    if state == "refund_pending":
        return refunding.refund(ctx, txn)
    raise Unsettled(txn.id, f"no automatic step from {state}", retry=False)


def _octopus_step(ctx: MoneyContext, txn):
    """An Octopus sale: QUERY it (an incomplete one only QUERYd, never ABORTed)."""
    if txn.state == "created":  # never sent: the QUERY finds nothing, nothing was charged
        return octopus_payment.settle_sale(ctx, card_payment.begin_sale(ctx, txn))
    if txn.state == "sale_pending":
        return octopus_payment.settle_sale(ctx, txn)
    return octopus_payment.settle_incomplete(ctx, txn)
