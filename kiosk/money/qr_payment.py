"""Wallet QR payments: open the order, watch it, and close it safely.

created → order_pending → awaiting_payment → paid; on the customer's cancel or the deadline:
query once more, then cancel_pending → close the same order → query again → cancelled, or paid
when the customer paid at the last moment (409 already_paid or a paid status after the close).
An order reported paid with another amount (or currency) than asked is never paid: noted,
straight to refund_pending, refunded in full with the row's refund key, then a person's case.
"""

from __future__ import annotations

import functools
import logging
import threading

from kiosk.backend.errors import Ambiguous, Conflict, Definite
from kiosk.money import answer_checks, refunding
from kiosk.money.context import ROUNDS, UNKNOWN, Answer, MoneyContext, Unsettled
from kiosk.money.events import Paid, PaymentCancelled
from kiosk.money.long_poll import LongPoll, can_wait

log = logging.getLogger(__name__)

NOT_PAYABLE = ("closed", "expired")
# After a close: the backend has no such order (404 is definite), so nothing can be paid on it.
GONE = NOT_PAYABLE + ("not_found",)


def open_order(ctx: MoneyContext, txn, held: Answer | None = None):
    """created (or hold_pending, with the hold's answer *held* committed in the same commit)
    → order_pending → awaiting_payment; returns (txn, PaymentOrder or None).

    None means the backend refused the order for certain (the row is cancelled, nothing charged).
    """
    if txn.state in ("created", "hold_pending"):
        txn = ctx.commit(txn, "order_pending", answer=held)
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
    """Watch the order while the QR is shown; paid → the paid row, else the cancel path's
    outcome. Long polls (``payments.long_poll.wait_s``) when the clock can wait on an event,
    else plain polls every ``payments.poll_interval_s``."""
    wait_s = ctx.settings.payments.long_poll.wait_s
    if wait_s and can_wait(ctx.clock):
        return _long_poll(ctx, txn, stop, deadline, wait_s)
    interval = ctx.settings.payments.poll_interval_s
    while True:
        if ctx.pause(min(interval, max(0.0, deadline - ctx.clock.monotonic())), stop):
            return cancel_order(ctx, txn, "customer")
        status = _status(ctx, txn)
        if status == "paid":
            return mark_paid(ctx, txn)
        if _wrong(status):
            return refund_wrong_payment(ctx, txn, status)
        if status in NOT_PAYABLE or ctx.clock.monotonic() >= deadline:
            return cancel_order(ctx, txn, "expired")


def _long_poll(ctx: MoneyContext, txn, stop, deadline: float, wait_s: int):
    """One long poll at a time on its own thread (``LongPoll``), so a Cancel, the deadline and a
    payment are each seen the moment they happen: the poll's answer, a Cancel (``stop`` linked
    to the same wake-up when it is a ``Signal``) and the deadline all end the wait. A poll still
    held when the purchase moves on is left to finish on its own; its answer is not used."""
    interval = ctx.settings.payments.poll_interval_s
    wake = threading.Event()
    unlink = stop.link(wake) if hasattr(stop, "link") else None
    poll: LongPoll | None = None
    next_poll_at = ctx.clock.monotonic()
    try:
        while True:
            wake.clear()
            now = ctx.clock.monotonic()
            if stop.is_set():
                return cancel_order(ctx, txn, "customer")
            if poll is not None and poll.done.is_set():
                status, quick, poll = poll.answer, poll.quick, None
                if status == "paid":
                    return mark_paid(ctx, txn)
                if _wrong(status):
                    return refund_wrong_payment(ctx, txn, status)
                if status in NOT_PAYABLE:
                    return cancel_order(ctx, txn, "expired")
                # Unknown (no answer), or a server that answers at once: pace like a plain poll.
                next_poll_at = now + (interval if status is None or quick else 0.0)
            if now >= deadline:
                return cancel_order(ctx, txn, "expired")
            if poll is None and now >= next_poll_at:
                poll = LongPoll(functools.partial(_status, ctx, txn, wait_s), wait_s, wake,
                                f"long-poll-{txn.id}")
                continue
            until = deadline if poll is not None else min(next_poll_at, deadline)
            seconds = max(0.0, until - now)
            if unlink is None:  # a plain Event cannot wake us: look at it every interval
                seconds = min(seconds, interval)
            ctx.pause(seconds, wake)
    finally:
        if unlink is not None:
            unlink()


class Signal(threading.Event):
    """An ``Event`` whose ``set`` also sets the events linked to it (a purchase's Cancel wakes
    the long poll's wait)."""

    def __init__(self):
        super().__init__()
        self._links: list[threading.Event] = []
        self._links_lock = threading.Lock()

    def set(self) -> None:
        super().set()
        with self._links_lock:
            links = list(self._links)
        for event in links:
            event.set()

    def link(self, event: threading.Event):
        """Set *event* too when this is set (at once if it is); returns the unlink function."""
        with self._links_lock:
            self._links.append(event)
        if self.is_set():
            event.set()

        def unlink() -> None:
            with self._links_lock:
                if event in self._links:
                    self._links.remove(event)
        return unlink


def cancel_order(ctx: MoneyContext, txn, reason: str):
    """Query, close, query again; ends paid (then the caller credits) or cancelled.

    Raises Unsettled (row in cancel_pending) when the backend cannot say: the reconciler keeps
    watching the order for a late payment.
    """
    if txn.state == "awaiting_payment":
        status = _status(ctx, txn)
        if status == "paid":
            return mark_paid(ctx, txn)
        if _wrong(status):
            return refund_wrong_payment(ctx, txn, status)
        txn = ctx.commit(txn, "cancel_pending")
    closed = _close(ctx, txn)
    status = _status(ctx, txn) if closed == "already_paid" else None
    if closed == "already_paid" and not _wrong(status):
        return mark_paid(ctx, txn)
    status = status or _status(ctx, txn)
    if status == "paid":
        return mark_paid(ctx, txn)
    if _wrong(status):
        return refund_wrong_payment(ctx, txn, status)
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
    if _wrong(status):
        return refund_wrong_payment(ctx, ctx.commit(txn, "awaiting_payment"), status)
    return cancel_order(ctx, ctx.commit(txn, "awaiting_payment"), "unavailable")


def refund_wrong_payment(ctx: MoneyContext, txn, reason: str):
    """Paid another amount than asked: never paid; refund_pending (its refund key is in the row
    since its creation), refund all that was paid, hand the row to a person."""
    reason = f"{reason}; the backend's answer was paid"
    log.error("%s %s", txn.id, reason)
    txn = ctx.commit(txn, "refund_pending", attention_reason=reason)
    ctx.crash.hit(f"{answer_checks.MISMATCH}:refund_pending:commit")
    return refunding.refund(ctx, txn)


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


def _wrong(status: str | None) -> bool:
    """``_status`` said: paid, but not what was asked."""
    return bool(status) and status.startswith(answer_checks.MISMATCH)


def _status(ctx: MoneyContext, txn, wait_s: int | None = None) -> str | None:
    """The order's status: pending | paid | closed | expired | refunded | not_found; None = unknown;
    a paid status with another amount or currency: the mismatch (``amount_mismatch: …``, noted
    in the journal), never paid.

    With *wait_s* a long poll (the backend may hold the answer until the status changes). A
    status that is not for our order (another number) is bad input: logged and taken as
    unknown, never as paid.
    """
    get = ctx.backend.get_payment
    if wait_s:
        get = functools.partial(get, wait_s=wait_s)
    found = ctx.ask(txn, "get_payment", get, txn.out_trade_no)
    if found is UNKNOWN:
        return None
    if found is None:
        return "not_found"
    if found.out_trade_no != txn.out_trade_no:
        log.error("%s backend answered for another order (%s, %s cents): ignored",
                  txn.id, found.out_trade_no, found.amount_cents)
        return None
    if found.status == "paid":
        currency = answer_checks.HKD if found.currency is None else found.currency
        wrong = answer_checks.mismatch(txn.amount_cents, found.amount_cents, currency,
                                       answer_checks.HKD)
        if wrong:
            ctx.note(txn, answer_checks.MISMATCH, **answer_checks.evidence(
                txn.amount_cents, answer_checks.HKD, found.amount_cents, currency))
            return wrong
    return found.status
