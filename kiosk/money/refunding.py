"""Giving a payment back after a definite credit rejection: exactly one full refund.

Wallet: the refund API with the row's refund key (asked for at most what was paid, never twice).
Card: VOID the sale while its batch is open, else REFUND through the terminal with its rrn; each
with its own ecr_ref, queried first so a repeat after a crash never reverses twice.
"""

from __future__ import annotations

import logging

from devices.interfaces import DeviceError
from kiosk.backend.errors import Ambiguous, Conflict, Definite
from kiosk.money.answer_checks import MISMATCH
from kiosk.money.context import ROUNDS, UNKNOWN, MoneyContext, Unsettled
from kiosk.money.events import NeedsAttention, Refunded

log = logging.getLogger(__name__)

REFUND_REASON = "topup_rejected"


def refund(ctx: MoneyContext, txn):
    """Drive a refund_pending row to refunded (or needs_attention when refused)."""
    if txn.method == "octopus":  # never reversible at the terminal: a person gives cash back
        from kiosk.money import octopus_payment
        return octopus_payment.refund_in_cash(ctx, txn, octopus_payment.why_refund(ctx, txn))
    if txn.method == "card":
        done, why = _reverse_card(ctx, txn)
    else:
        done, why = _refund_wallet(ctx, txn)
    wrong = (txn.attention_reason or "").startswith(MISMATCH)
    if not done:
        return attention(ctx, txn, f"{txn.attention_reason}; NOT given back: {why}" if wrong
                         else why)
    if wrong:
        # Paid another amount than asked: the money is back, and a person still looks.
        return attention(ctx, txn, f"{txn.attention_reason}; reversed")
    txn = ctx.commit(txn, "refunded")
    ctx.emit(Refunded(txn.id))
    return txn


def attention(ctx: MoneyContext, txn, reason: str):
    """Hand the row to a person, with the reason; it stays visible until an operator acts."""
    log.error("%s needs attention: %s", txn.id, reason)
    txn = ctx.commit(txn, "needs_attention", attention_reason=reason)
    ctx.emit(NeedsAttention(txn.id, reason))
    return txn


# --- wallet ---------------------------------------------------------------------------------

def _refund_wallet(ctx: MoneyContext, txn) -> tuple[bool, str]:
    for _ in range(ROUNDS):
        found = ctx.ask(txn, "get_refund", ctx.backend.get_refund, txn.out_trade_no,
                        txn.refund_key)
        if found is None:
            payment = ctx.ask(txn, "get_payment", ctx.backend.get_payment, txn.out_trade_no)
            if payment is UNKNOWN:
                continue
            amount, why = _refundable(txn, payment)
            if amount <= 0:
                return False, why
            try:
                found = ctx.call(txn, "create_refund", ctx.backend.create_refund,
                                 txn.out_trade_no, txn.refund_key, amount, REFUND_REASON)
            except (Ambiguous, Conflict) as e:
                log.warning("%s refund not confirmed (%s): querying", txn.id, e)
                continue
            except Definite as e:
                return False, f"refund refused: {getattr(e, 'reason', None) or e.code}"
        if found is not UNKNOWN and found.status == "succeeded":
            return True, ""
        ctx.pause(ctx.settings.payments.poll_interval_s)  # pending, or the backend is away
    raise Unsettled(txn.id, "refund not confirmed")


def _refundable(txn, payment) -> tuple[int, str]:
    """How much to give back: what was paid, at most the sale's amount, and nothing twice."""
    if payment is None or payment.status not in ("paid", "refunded"):
        return 0, f"refund: the order is not paid ({payment.status if payment else 'not found'})"
    if payment.refunded_cents:
        return 0, f"refund: {payment.refunded_cents} cents already refunded by someone else"
    if (txn.attention_reason or "").startswith(MISMATCH):
        # Paid another amount than asked: nothing was credited, all of it goes back.
        return payment.amount_cents, "refund: the order was paid with nothing"
    if payment.amount_cents != txn.amount_cents:
        log.error("%s order paid %d cents, sale was %d: refunding what was paid",
                  txn.id, payment.amount_cents, txn.amount_cents)
    return min(payment.amount_cents, txn.amount_cents), ""


# --- card -----------------------------------------------------------------------------------

class NoRefund(Exception):
    """A card reversal that cannot even be asked for (a person's case)."""


def _reverse_card(ctx: MoneyContext, txn) -> tuple[bool, str]:
    for _ in range(ROUNDS):
        try:
            back = _reverse_once(ctx, txn)
        except NoRefund as e:
            return False, str(e)
        except DeviceError as e:
            log.warning("%s card reversal not confirmed (%s)", txn.id, e)
            ctx.pause(ctx.settings.payments.poll_interval_s)
            continue
        if back.result in ("IN_PROGRESS", "ERROR"):  # busy with another request: ask again
            ctx.pause(ctx.settings.payments.poll_interval_s)
            continue
        if back.approved:
            return True, ""
        return False, f"card refund refused by the terminal: {back.result} rc={back.rc}"
    raise Unsettled(txn.id, "card reversal not confirmed")


def _reverse_once(ctx: MoneyContext, txn):
    """VOID (batch still open) else REFUND; what the terminal already did is asked first."""
    void = ctx.call(txn, "query", ctx.terminal.query, txn.void_ecr_ref)
    if void.approved or void.result == "IN_PROGRESS":
        return void
    if void.result == "NOT_FOUND" and _batch_open(ctx, txn):
        void = ctx.call(txn, "void", ctx.terminal.void, txn.void_ecr_ref, txn.ecr_ref)
        if void.approved or void.result in ("IN_PROGRESS", "ERROR"):
            return void
        log.info("%s VOID answered %s: REFUND with the rrn", txn.id, void.result)
    back = ctx.call(txn, "query", ctx.terminal.query, txn.refund_ecr_ref)
    if back.result != "NOT_FOUND":
        return back
    amount, currency = _card_amount(ctx, txn)
    if not amount:  # approved with no amount: only a VOID (in its batch) could reverse it
        raise NoRefund("the sale was approved with no amount and could not be VOIDed: "
                       "no REFUND amount to ask for")
    return ctx.call(txn, "refund", ctx.terminal.refund, txn.refund_ecr_ref, amount, txn.rrn,
                    currency=currency)


def _batch_open(ctx: MoneyContext, txn) -> bool:
    """The sale's batch is still open (not SETTLEd): VOID reverses it in full."""
    return txn.batch_no is None or txn.batch_no == ctx.journal.current_batch()


def _card_amount(ctx: MoneyContext, txn) -> tuple[int | None, str]:
    """What the terminal approved: the sale amount, or the one noted when it differed
    (``None`` when it approved no amount), and its currency."""
    for event in ctx.journal.events(txn.id):
        if event.kind == MISMATCH:
            cents = event.detail.get("approved_cents")
            currency = event.detail.get("approved_currency") or "344"
            return (int(cents) if cents else None), currency
    return txn.amount_cents, "344"
