"""Card payments at the terminal: one SALE per row, its outcome settled by QUERY, never guessed.

created → sale_pending (ecr_ref, amount and batch committed before SALE) → paid | declined |
cancelled. A lost answer is settled with QUERY on the same ecr_ref; never a second SALE while
the last outcome is unknown, and never in front of the customer once the terminal's own bound
has passed (``OutcomeUnknown``): the row is left to the background recovery. An APPROVED for
another amount or currency than asked, or with none, is a fault (``answer_checks``): never paid,
the row goes straight to refund_pending (the sale's own void/refund ecr_refs are in the row since
its creation), the sale is reversed and the row handed to a person with the evidence.
"""

from __future__ import annotations

import logging

from devices.interfaces import DeviceError, OutcomeUnknown
from kiosk.money import answer_checks, refunding
from kiosk.money.context import ROUNDS, Answer, MoneyContext, Unsettled
from kiosk.money.events import Declined, Paid, PaymentCancelled

log = logging.getLogger(__name__)

NOTHING_CHARGED = {"CANCELLED": "customer", "TIMEOUT": "expired", "NOT_FOUND": "unavailable",
                   "ERROR": "unavailable"}
MISMATCH = answer_checks.MISMATCH
CURRENCY = answer_checks.HKD_NUMERIC


def begin_sale(ctx: MoneyContext, txn, held: Answer | None = None):
    """created (or hold_pending, with the hold's answer *held* in the same commit) →
    sale_pending, with the terminal's batch, before anything is sent."""
    return ctx.commit(txn, "sale_pending", answer=held, batch_no=current_batch(ctx))


def run_sale(ctx: MoneyContext, txn):
    """Send the SALE and apply its outcome (querying when the answer was lost)."""
    timeout_s = ctx.settings.payments.card_timeout_s
    try:
        result = ctx.call(txn, "sale", ctx.terminal.sale, txn.ecr_ref, txn.amount_cents,
                          currency=CURRENCY, timeout_s=timeout_s)
    except OutcomeUnknown as e:
        # The driver has chased the answer through QUERY as long as a customer may wait: the
        # customer is told the payment is being checked; the background recovery QUERYs on.
        log.warning("%s sale outcome unknown (%s): left to the background recovery", txn.id, e)
        raise Unsettled(txn.id, "card sale outcome unknown") from e
    except DeviceError as e:
        log.warning("%s sale outcome unknown (%s): querying", txn.id, e)
        return settle_sale(ctx, txn)
    return apply_result(ctx, txn, result)


def settle_sale(ctx: MoneyContext, txn):
    """QUERY the sale until its outcome is definite (ABORT what is still running)."""
    for _ in range(ROUNDS):
        try:
            result = ctx.call(txn, "query", ctx.terminal.query, txn.ecr_ref)
            if result.result == "IN_PROGRESS":
                ctx.call(txn, "abort", ctx.terminal.abort, txn.ecr_ref)
                continue
        except DeviceError as e:
            log.warning("%s sale query failed (%s)", txn.id, e)
            ctx.pause(ctx.settings.payments.poll_interval_s)
            continue
        return apply_result(ctx, txn, result)
    raise Unsettled(txn.id, "card sale outcome unknown")


def apply_result(ctx: MoneyContext, txn, result):
    """The row after a definite terminal answer; an approval goes on to crediting (the caller)."""
    outcome = result.result
    if outcome == "APPROVED" or getattr(result, "approved", False):
        wrong = answer_checks.mismatch(txn.amount_cents, result.amount_cents,
                                       result.currency, CURRENCY)
        if wrong:
            return _wrong_amount(ctx, txn, result, wrong)
        # paid with the card's details, and credit_pending (the next outside call) in one commit
        txn = ctx.commit_through(txn, "paid", "credit_pending", **card_fields(result))
        ctx.emit(Paid(txn.id))
        return txn
    if outcome == "DECLINED":
        txn = ctx.commit(txn, "declined")
        ctx.emit(Declined(txn.id, "declined", result.rc or ""))
        return txn
    if outcome in NOTHING_CHARGED:
        txn = ctx.commit(txn, "cancelled")
        ctx.emit(PaymentCancelled(txn.id, NOTHING_CHARGED[outcome]))
        return txn
    raise Unsettled(txn.id, f"card sale answered {outcome}", retry=False)


def _wrong_amount(ctx: MoneyContext, txn, result, reason: str):
    """Never paid: note the evidence, commit refund_pending, reverse, hand to a person."""
    reason = f"{reason}; the terminal's answer was APPROVED"
    log.error("%s %s", txn.id, reason)
    ctx.note(txn, MISMATCH, **answer_checks.evidence(txn.amount_cents, CURRENCY,
                                                     result.amount_cents, result.currency))
    ctx.crash.hit(f"{MISMATCH}:noted")
    txn = ctx.commit(txn, "refund_pending", attention_reason=reason, **card_fields(result))
    ctx.crash.hit(f"{MISMATCH}:refund_pending:commit")
    return refunding.refund(ctx, txn)


def card_fields(result) -> dict:
    """What the journal keeps of an approved sale: never more than the last 4 digits."""
    return {"card_last4": result.last4, "card_brand": result.brand,
            "auth_code": result.auth_code, "rrn": result.rrn, "entry": result.entry}


def current_batch(ctx: MoneyContext) -> int | None:
    """The open card batch (the journal closes it on SETTLE): VOID only works inside it."""
    return ctx.journal.current_batch()


def abort(ctx: MoneyContext, txn) -> None:
    """Ask the terminal to stop a running sale; the sale itself then returns its outcome."""
    try:
        ctx.terminal.abort(txn.ecr_ref)
    except DeviceError as e:
        log.warning("%s abort failed (%s): the sale's own answer still settles it", txn.id, e)
