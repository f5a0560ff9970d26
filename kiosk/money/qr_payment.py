"""Wallet QR payments: open the order, watch it, and close it safely.

created → order_pending → awaiting_payment → paid; on the customer's cancel or the deadline:
query once more, then cancel_pending → close the same order → query again → cancelled, or paid
when the customer paid at the last moment (409 already_paid or a paid status after the close).
"""

from __future__ import annotations

import logging
import threading

from kiosk.backend.errors import Ambiguous, Conflict, Definite
from kiosk.money.context import ROUNDS, UNKNOWN, MoneyContext, Unsettled
from kiosk.money.events import Paid, PaymentCancelled

log = logging.getLogger(__name__)

NOT_PAYABLE = ("closed", "expired")
# After a close: the backend has no such order (404 is definite), so nothing can be paid on it.
GONE = NOT_PAYABLE + ("not_found",)


def open_order(ctx: MoneyContext, txn):
    """created → order_pending → awaiting_payment; returns (txn, PaymentOrder or None).

    None means the backend refused the order for certain (the row is cancelled, nothing charged).
    """
    if txn.state == "created":
        txn = ctx.commit(txn, "order_pending")
    p = ctx.settings.payments
    description = txn.plan_name.get("en") or txn.plan_id if txn.plan_name else txn.plan_id
    for _ in range(ROUNDS):
        try:
            order = ctx.call(txn, "create_payment", ctx.backend.create_payment, txn.out_trade_no,
                             txn.method, txn.amount_cents, description, p.qr_expires_in_s)
        except Ambiguous as e:
            log.warning("%s order not confirmed (%s): asking again with the same key", txn.id, e)
            continue
        except Definite as e:
            log.warning("%s order refused: %s", txn.id, getattr(e, "reason", None) or e.code)
            txn = ctx.commit(txn, "cancelled")
            ctx.emit(PaymentCancelled(txn.id, "unavailable"))
            return txn, None
        return ctx.commit(txn, "awaiting_payment"), order
    raise Unsettled(txn.id, "wallet order not confirmed")


def wait_for_payment(ctx: MoneyContext, txn, stop: threading.Event, deadline: float):
    """Poll while the QR is shown; paid → the paid row, else the cancel path's outcome."""
    interval = ctx.settings.payments.poll_interval_s
    while True:
        if ctx.pause(min(interval, max(0.0, deadline - ctx.clock.monotonic())), stop):
            return cancel_order(ctx, txn, "customer")
        status = _status(ctx, txn)
        if status == "paid":
            return mark_paid(ctx, txn)
        if status in NOT_PAYABLE or ctx.clock.monotonic() >= deadline:
            return cancel_order(ctx, txn, "expired")


def cancel_order(ctx: MoneyContext, txn, reason: str):
    """Query, close, query again; ends paid (then the caller credits) or cancelled.

    Raises Unsettled (row in cancel_pending) when the backend cannot say: the reconciler keeps
    watching the order for a late payment.
    """
    if txn.state == "awaiting_payment":
        if _status(ctx, txn) == "paid":
            return mark_paid(ctx, txn)
        txn = ctx.commit(txn, "cancel_pending")
    closed = _close(ctx, txn)
    if closed == "already_paid":
        return mark_paid(ctx, txn)
    status = _status(ctx, txn)
    if status == "paid":
        return mark_paid(ctx, txn)
    if status in GONE:  # closed, expired or unknown to the backend: it can no longer be paid
        # (even if the close itself was not confirmed: its answer was lost, or it expired first)
        txn = ctx.commit(txn, "cancelled")
        ctx.emit(PaymentCancelled(txn.id, reason))
        return txn
    raise Unsettled(txn.id, f"order close not confirmed (close {closed}, status {status})")


def settle_order_pending(ctx: MoneyContext, txn):
    """After a restart: did our order come to exist? No → cancelled; yes → close it safely."""
    status = _status(ctx, txn)
    if status is None:
        raise Unsettled(txn.id, "order state unknown")
    if status == "not_found":
        txn = ctx.commit(txn, "cancelled")
        ctx.emit(PaymentCancelled(txn.id, "unavailable"))
        return txn
    if status == "paid":
        txn = ctx.commit(txn, "awaiting_payment")
        return mark_paid(ctx, txn)
    return cancel_order(ctx, ctx.commit(txn, "awaiting_payment"), "unavailable")


def mark_paid(ctx: MoneyContext, txn):
    """paid, and credit_pending in the same commit: the credit is the next outside call."""
    txn = ctx.commit_through(txn, "paid", "credit_pending")
    ctx.emit(Paid(txn.id))
    return txn


def _close(ctx: MoneyContext, txn) -> str | None:
    """"closed", "already_paid", or None when the close was not confirmed."""
    try:
        ctx.call(txn, "close_payment", ctx.backend.close_payment, txn.out_trade_no)
        return "closed"
    except Conflict as e:
        if e.code == "already_paid":
            return "already_paid"
        log.warning("%s close conflict %s", txn.id, e.code)
    except Ambiguous as e:
        log.warning("%s close not confirmed (%s)", txn.id, e)
    except Definite as e:
        log.warning("%s close refused (%s)", txn.id, e.code)
    return None


def _status(ctx: MoneyContext, txn) -> str | None:
    """The order's status: pending | paid | closed | expired | refunded | not_found; None = unknown.

    A paid status that is not for our order (another number or amount) is bad input: logged and
    taken as unknown, never as paid.
    """
    found = ctx.ask(txn, "get_payment", ctx.backend.get_payment, txn.out_trade_no)
    if found is UNKNOWN:
        return None
    if found is None:
        return "not_found"
    if found.out_trade_no != txn.out_trade_no or (
            found.status == "paid" and found.amount_cents != txn.amount_cents):
        log.error("%s backend answered for another order (%s, %s cents): ignored",
                  txn.id, found.out_trade_no, found.amount_cents)
        return None
    return found.status
