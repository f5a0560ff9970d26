"""Scan to pay: the customer shows a wallet payment code (付款碼), the kiosk sends its digits.

One journal row per scan order (its ``out_trade_no`` is the row's id, the scan's idempotency
key), its method ``scan_<wallet>``. Each state is committed before the call it leads to::

    created (→ hold_pending) → scan_pending (with the hold's id) → POST /v1/payments/scan
        → paid (the credit follows) | failed (reason; nothing taken) | user_paying
    user_paying → watched (long poll) → paid | failed
    Cancel, the deadline (45 s from the first answer) or anything unclear → query once more
        (paid at the last moment → paid, credited) → reverse_pending → reverse → reversed
        (the reverse itself refunds in full a payment taken meanwhile) → a query to see it.

A lost scan answer is queried; an order the backend cannot show is reversed. A reverse answered
``409 user_paying`` is asked again, a bounded number of times; then the row is left for the
retry machinery (``kiosk.money.retrying``) in reverse_pending. 422 ``bad_auth_code`` (or any
definite refusal) → failed, nothing taken. The auth code lives only in memory for the one call:
it is never journaled or logged (``contract.wallet_codes.masked`` for a log).
"""

from __future__ import annotations

import functools
import logging
import threading

from contract.wallet_codes import masked
from kiosk.backend.errors import Ambiguous, Conflict, Definite, NotFound, Rejected, StillPaying
from kiosk.journal.models import WALLET_METHODS, payment_method
from kiosk.money import refunding
from kiosk.money.context import UNKNOWN, Answer, MoneyContext, Unsettled
from kiosk.money.events import ConfirmOnPhone, Paid, PaymentCancelled, Refunded, ScanFailed
from kiosk.money.long_poll import LongPoll, can_wait

log = logging.getLogger(__name__)

DEADLINE_S = 45.0  # from the first answer, as WeChat Pay advises; then the order is reversed
REVERSE_TRIES = 6  # reverses answered 409 user_paying (each after the client's own retries)
REVERSE_PAUSE_S = 3.0  # between them, on the engine's clock
ENDED = ("paid", "failed", "reversed")


def wallet_fields(txn, wallet: str | None) -> dict:
    """The wallet a scan answer named, kept in the row's ``card_brand`` (an unknown name: kept
    as it was)."""
    return {"card_brand": wallet} if wallet in WALLET_METHODS and wallet != txn.card_brand \
        else {}


def pay(ctx: MoneyContext, txn, auth_code: str, stop: threading.Event,
        held: Answer | None = None):
    """created/hold_pending → scan_pending (with the hold's answer *held*, one commit) → the
    scan → its outcome (see the module); returns the row: paid (the caller credits it), failed,
    or reversed (or raises Unsettled)."""
    if txn.state in ("created", "hold_pending"):
        txn = ctx.commit(txn, "scan_pending", answer=held)
    status, method, reason = _scan(ctx, txn, auth_code)
    deadline = ctx.clock.monotonic() + DEADLINE_S
    if status == "paid":
        return mark_paid(ctx, txn, method)
    if status == "failed":
        return mark_failed(ctx, txn, reason)
    if status == "user_paying":
        txn = ctx.commit(txn, "user_paying", **wallet_fields(txn, method))
        ctx.emit(ConfirmOnPhone(txn.id, payment_method(txn.method, txn.card_brand)))
        found = _watch(ctx, txn, stop, deadline)
        if found is not None and found.status == "paid":
            return mark_paid(ctx, txn, found.method)
        if found is not None and found.status == "failed":
            return mark_failed(ctx, txn, found.reason)
    return reverse(ctx, txn, "customer" if stop.is_set() else "expired")


def _scan(ctx: MoneyContext, txn, auth_code: str) -> tuple[str | None, str | None, str | None]:
    """(status, wallet, reason) of the scan; status None when it is unclear (then: reverse)."""
    description = txn.plan_name.get("en") or txn.plan_id if txn.plan_name else txn.plan_id
    try:
        got = ctx.call(txn, "scan_payment", ctx.backend.scan_payment, txn.out_trade_no,
                       auth_code, txn.amount_cents, description)
    except Rejected as e:  # 422 bad_auth_code: not a wallet code, nothing taken
        log.info("%s scan refused (%s), code %s", txn.id, e.reason, masked(auth_code))
        return "failed", None, e.reason or "bad_auth_code"
    except Conflict as e:  # our number under another body: we cannot tell what it is
        log.warning("%s scan conflict (%s): reversing", txn.id, e.code)
        return None, None, None
    except Definite as e:  # the request itself was refused: nothing happened
        log.warning("%s scan refused by the backend (%s)", txn.id, e.code or e.http_status)
        return "failed", None, e.code or "refused"
    except Ambiguous as e:
        log.warning("%s scan answer lost (%s): querying", txn.id, e)
        found = _query(ctx, txn)
        if found is UNKNOWN or found is None:
            return None, None, None
        return found.status, found.method, found.reason
    if got.out_trade_no != txn.out_trade_no or got.amount_cents != txn.amount_cents:
        log.error("%s scan answered for another order (%s, %s cents): reversing", txn.id,
                  got.out_trade_no, got.amount_cents)
        return None, None, None
    log.info("%s scan answered %s (%s)", txn.id, got.status, got.reason or got.method)
    return got.status, got.method, got.reason


def mark_paid(ctx: MoneyContext, txn, wallet: str | None):
    """paid, and credit_pending in the same commit: the credit is the next outside call."""
    txn = ctx.commit_through(txn, "paid", "credit_pending", **wallet_fields(txn, wallet))
    ctx.emit(Paid(txn.id))
    return txn


def mark_failed(ctx: MoneyContext, txn, reason: str | None):
    reason = reason or "failed"
    txn = ctx.commit(txn, "failed", detail={"reason": reason})
    ctx.emit(ScanFailed(txn.id, reason))
    return txn


def reverse(ctx: MoneyContext, txn, why: str):
    """Query once more, then reverse_pending → reverse (asked again while the customer is still
    confirming, bounded) → reversed; paid at the last moment → paid (the caller credits)."""
    if txn.state in ("scan_pending", "user_paying"):
        found = _query(ctx, txn)
        if found is not UNKNOWN and found is not None:
            if found.status == "paid":
                return mark_paid(ctx, txn, found.method)
            if found.status == "failed":
                return mark_failed(ctx, txn, found.reason)
        txn = ctx.commit(txn, "reverse_pending")
    refunded = _reverse(ctx, txn)
    if refunded is None:  # past the reverse window, and paid: the refund API gives it back
        txn = ctx.commit(txn, "refund_pending")
        return refunding.refund(ctx, txn)
    seen = _query(ctx, txn)
    if seen is not UNKNOWN and seen is not None and seen.status != "reversed":
        log.error("%s reversed, yet the backend shows %s", txn.id, seen.status)
    txn = ctx.commit(txn, "reversed", detail={"refunded_cents": refunded, "why": why})
    if refunded:
        log.info("%s reversed: %d cents refunded in full", txn.id, refunded)
        ctx.emit(Refunded(txn.id))
    else:
        ctx.emit(PaymentCancelled(txn.id, why))
    return txn


def _reverse(ctx: MoneyContext, txn) -> int | None:
    """The cents the reverse gave back (0: nothing was taken); None: past the reverse window
    and paid (refund instead). Raises Unsettled when it cannot be confirmed now."""
    for _ in range(REVERSE_TRIES):
        try:
            back = ctx.call(txn, "reverse_payment", ctx.backend.reverse_payment, txn.out_trade_no)
        except StillPaying:
            log.info("%s reverse: the customer is still confirming; asking again", txn.id)
            ctx.pause(REVERSE_PAUSE_S)
            continue
        except NotFound:  # the backend never received the order: nothing was taken
            return 0
        except Conflict as e:
            if e.code == "reverse_window_passed":
                found = _query(ctx, txn)
                if found is not UNKNOWN and found is not None and found.status == "paid":
                    return None
            raise Unsettled(txn.id, f"scan reverse refused: {e.code}", retry=False) from e
        except Definite as e:
            raise Unsettled(txn.id, f"scan reverse refused: {getattr(e, 'reason', None) or e.code}",
                            retry=False) from e
        except Ambiguous as e:
            log.warning("%s reverse not confirmed (%s): querying", txn.id, e)
            found = _query(ctx, txn)
            if found is not UNKNOWN and found is not None and found.status == "reversed":
                return found.refunded_cents
            continue
        return back.refunded_cents
    raise Unsettled(txn.id, "scan reverse not confirmed")


def settle(ctx: MoneyContext, txn):
    """After a restart or an unsettled step (nobody is at the screen any more): query; paid →
    paid (credited next), failed → failed, anything else → reverse."""
    if txn.state == "created":  # the scan never went out (scan_pending comes first)
        txn = ctx.commit(txn, "cancelled")
        ctx.emit(PaymentCancelled(txn.id, "unavailable"))
        return txn
    if txn.state == "reverse_pending":
        return reverse(ctx, txn, "unavailable")
    found = _query(ctx, txn)
    if found is UNKNOWN:
        raise Unsettled(txn.id, "scan order state unknown")
    if found is not None and found.status == "paid":
        return mark_paid(ctx, txn, found.method)
    if found is not None and found.status == "failed":
        return mark_failed(ctx, txn, found.reason)
    return reverse(ctx, ctx.journal.get(txn.id), "unavailable")


def _query(ctx: MoneyContext, txn, wait_s: int | None = None):
    """The order (``PaymentStatus``), None when the backend never received it, UNKNOWN when it
    cannot say (or answers for another order)."""
    if wait_s:
        found = ctx.ask(txn, "get_payment",
                        lambda no: ctx.backend.get_payment(no, wait_s=wait_s), txn.out_trade_no)
    else:
        found = ctx.ask(txn, "get_payment", ctx.backend.get_payment, txn.out_trade_no)
    if found is UNKNOWN or found is None:
        return found
    if found.out_trade_no != txn.out_trade_no or (
            found.status == "paid" and found.amount_cents != txn.amount_cents):
        log.error("%s backend answered for another order (%s, %s cents): ignored",
                  txn.id, found.out_trade_no, found.amount_cents)
        return UNKNOWN
    return found


def _watch(ctx: MoneyContext, txn, stop: threading.Event, deadline: float):
    """Wait for a user_paying order to end: its status once paid, failed or reversed; None at
    Cancel or the deadline. Long polls on their own thread when the clock can be woken (a
    Cancel ends the wait at once), else plain polls every ``payments.poll_interval_s``."""
    wait_s = ctx.settings.payments.long_poll.wait_s
    interval = ctx.settings.payments.poll_interval_s
    if not (wait_s and can_wait(ctx.clock)):
        while not ctx.pause(min(interval, max(0.0, deadline - ctx.clock.monotonic())), stop):
            found = _query(ctx, txn)
            if found is not UNKNOWN and found is not None and found.status in ENDED:
                return found
            if ctx.clock.monotonic() >= deadline:
                return None
        return None
    wake = threading.Event()
    unlink = stop.link(wake) if hasattr(stop, "link") else None
    poll: LongPoll | None = None
    next_at = ctx.clock.monotonic()
    try:
        while True:
            wake.clear()
            now = ctx.clock.monotonic()
            if stop.is_set() or now >= deadline:
                return None
            if poll is not None and poll.done.is_set():
                found, quick, poll = poll.answer, poll.quick, None
                if found is not UNKNOWN and found is not None and found.status in ENDED:
                    return found
                unclear = found is UNKNOWN or found is None
                next_at = now + (interval if unclear or quick else 0.0)
            if poll is None and now >= next_at:
                wait = max(1, min(wait_s, int(deadline - now)))  # never past the deadline
                poll = LongPoll(functools.partial(_query, ctx, txn, wait), wait, wake,
                                f"scan-poll-{txn.id}", unknown=UNKNOWN)
                continue
            until = deadline if poll is not None else min(next_at, deadline)
            seconds = max(0.0, until - now)
            if unlink is None:
                seconds = min(seconds, interval)
            ctx.pause(seconds, wake)
    finally:
        if unlink is not None:
            unlink()

