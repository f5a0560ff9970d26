"""Octopus (八達通) payments on the multi-tender card terminal: one ``SALE … OCTOPUS`` per row.

hold_pending (always: an Octopus payment cannot be given back at the terminal) → sale_pending
(ecr_ref, amount and batch committed before SALE, with the hold's id) → paid (the card's
remaining value noted) + credit_pending in one commit | declined (rc IV not enough value, BL
blocked, LM over the limit, …) | cancelled | incomplete.

``incomplete``: the card left the field mid-deduction and was not tapped again (RSP INCOMPLETE
rc RT). Nobody knows yet whether value was deducted; the row stays pending and the reconciler
QUERYs it (never ABORT) until the terminal says APPROVED (→ paid → credited) or CANCELLED. It
does not block new sales. A lost answer is settled by QUERY on the same ecr_ref, as for cards.

Octopus cannot be voided or refunded at the terminal (VOID/REFUND answer ERROR NS): a payment to
give back goes to a person as "refund in cash" (``refund_in_cash``), the customer gets a claim
slip, and an operator records the cash refund (final state ``refunded_manually``).

Crash points (``kiosk.money.crash_points``): the commits ``sale_pending``, ``paid``,
``declined``, ``cancelled``, ``incomplete`` and the outside calls ``<state>:octopus_sale``,
``<state>:octopus_query`` and ``<state>:octopus_abort`` (before and after), apart from the
card's so the crash tests kill Octopus sales by name.
"""

from __future__ import annotations

import logging

from devices.interfaces import DeviceError
from kiosk.money import answer_checks
from kiosk.money.context import ROUNDS, MoneyContext, Unsettled
from kiosk.money.events import Declined, NeedsAttention, Paid, PaymentCancelled

log = logging.getLogger(__name__)

METHOD = "octopus"
TENDER = "octopus"
RETAP_WINDOW_S = 20  # the terminal waits this long for the same card after EVT RETAP
NOTE = "octopus"  # journal note kind holding the card's remaining value after the deduction
INCOMPLETE_REASON = "octopus sale incomplete"  # Unsettled reason: the terminal is resolving it
REFUND_IN_CASH = "refund in cash"  # needs_attention reason prefix: an operator gives cash back
# Octopus decline codes the customer is told apart (others read as a plain decline).
DECLINE_CODES = ("IV", "BL", "LM")
NOTHING_CHARGED = {"CANCELLED": "customer", "TIMEOUT": "expired", "NOT_FOUND": "unavailable",
                   "ERROR": "unavailable"}


def takes_octopus(settings) -> bool:
    """The terminal is configured with the Octopus tender (``devices.card_terminal.tenders``)."""
    return METHOD in tuple(settings.devices.card_terminal.tenders)


def offered_methods(settings) -> tuple[str, ...]:
    """The payment methods to offer, in order: ``payments.methods``, with Octopus right after
    card when the terminal takes it (and never when it does not)."""
    methods = [m for m in settings.payments.methods if m != METHOD]
    if takes_octopus(settings):
        at = methods.index("card") + 1 if "card" in methods else len(methods)
        listed = list(settings.payments.methods)
        if METHOD in listed:  # the operator placed it: keep that place
            at = min(listed.index(METHOD), len(methods))
        methods.insert(at, METHOD)
    return tuple(methods)


def run_sale(ctx: MoneyContext, txn):
    """Send ``SALE … OCTOPUS`` (the row is sale_pending) and apply its outcome."""
    timeout_s = ctx.settings.payments.card_timeout_s
    try:
        result = ctx.call(txn, "octopus_sale", ctx.terminal.sale, txn.ecr_ref, txn.amount_cents,
                          timeout_s=timeout_s, tender=TENDER)
    except DeviceError as e:
        log.warning("%s Octopus sale outcome unknown (%s): querying", txn.id, e)
        return settle_sale(ctx, txn)
    return apply_result(ctx, txn, result)


def settle_sale(ctx: MoneyContext, txn):
    """QUERY a sale_pending Octopus sale until its outcome is known. An IN_PROGRESS answer about
    the Octopus card is an incomplete sale (kept pending, never ABORTed); a plain IN_PROGRESS is
    a sale still running with nobody to finish it: ABORT it, then ask again."""
    for _ in range(ROUNDS):
        try:
            result = ctx.call(txn, "octopus_query", ctx.terminal.query, txn.ecr_ref)
            if result.result == "IN_PROGRESS" and not result.octopus:
                ctx.call(txn, "octopus_abort", ctx.terminal.abort, txn.ecr_ref)
                continue
        except DeviceError as e:
            log.warning("%s Octopus sale query failed (%s)", txn.id, e)
            ctx.pause(ctx.settings.payments.poll_interval_s)
            continue
        if result.result == "IN_PROGRESS":
            return _incomplete(ctx, txn)
        return apply_result(ctx, txn, result)
    raise Unsettled(txn.id, "card sale outcome unknown")


def settle_incomplete(ctx: MoneyContext, txn):
    """One QUERY of an incomplete sale: still resolving → Unsettled (retried later, with
    backoff); APPROVED → paid; CANCELLED (or another end) → nothing was deducted."""
    try:
        result = ctx.call(txn, "octopus_query", ctx.terminal.query, txn.ecr_ref)
    except DeviceError as e:
        raise Unsettled(txn.id, f"{INCOMPLETE_REASON}: query failed ({e})") from e
    if result.result in ("IN_PROGRESS", "INCOMPLETE"):
        raise Unsettled(txn.id, INCOMPLETE_REASON)
    if result.result == "NOT_FOUND":
        # The terminal kept no outcome under this reference: it cannot have deducted value
        # for it, yet a person should know (a replaced terminal, a wiped store).
        log.error("%s incomplete Octopus sale unknown to the terminal", txn.id)
    return apply_result(ctx, txn, result)


def apply_result(ctx: MoneyContext, txn, result):
    """The row after the terminal's answer; an approval goes on to crediting (the caller).
    INCOMPLETE → incomplete, and Unsettled so the customer is told it is being confirmed."""
    outcome = result.result
    if outcome == "APPROVED":
        wrong = answer_checks.mismatch(txn.amount_cents, result.amount_cents, result.currency,
                                       answer_checks.HKD_NUMERIC)
        if wrong:
            return _wrong_amount(ctx, txn, result, wrong)
        remaining = result.remaining_value_cents
        ctx.note(txn, NOTE, remaining_value_cents=remaining)
        # paid and credit_pending (the credit is the next outside call) in one commit
        txn = ctx.commit_through(txn, "paid", "credit_pending", **fields(result))
        ctx.emit(Paid(txn.id, remaining_value_cents=remaining))
        return txn
    if outcome == "INCOMPLETE":
        return _incomplete(ctx, txn, result)
    if outcome == "DECLINED":
        txn = ctx.commit(txn, "declined", **fields(result))
        ctx.emit(Declined(txn.id, METHOD, result.rc or ""))
        return txn
    if outcome in NOTHING_CHARGED:
        txn = ctx.commit(txn, "cancelled")
        ctx.emit(PaymentCancelled(txn.id, NOTHING_CHARGED[outcome]))
        return txn
    raise Unsettled(txn.id, f"Octopus sale answered {outcome}", retry=False)


def _incomplete(ctx: MoneyContext, txn, result=None):
    if txn.state != "incomplete":
        extra = fields(result) if result is not None else {}
        txn = ctx.commit(txn, "incomplete", **extra)
    log.warning("%s Octopus sale incomplete: the terminal resolves it, QUERY later", txn.id)
    raise Unsettled(txn.id, INCOMPLETE_REASON)


def _wrong_amount(ctx: MoneyContext, txn, result, wrong: str):
    """Never paid (issue: an answer checked in full); an Octopus sale cannot be voided at the
    terminal, so a person gives back what was taken, in cash."""
    reason = f"{REFUND_IN_CASH}: {wrong}; the terminal's answer was APPROVED"
    log.error("%s %s", txn.id, reason)
    ctx.note(txn, answer_checks.MISMATCH, **answer_checks.evidence(
        txn.amount_cents, answer_checks.HKD_NUMERIC, result.amount_cents, result.currency))
    ctx.note(txn, NOTE, remaining_value_cents=result.remaining_value_cents)
    txn = ctx.commit(txn, "needs_attention", attention_reason=reason, **fields(result))
    ctx.emit(NeedsAttention(txn.id, reason))
    return txn


def fields(result) -> dict:
    """What the journal keeps of an Octopus answer: the card's last 4 digits and the brand."""
    out = {"card_brand": result.brand or "OCTOPUS", "entry": result.entry or None,
           "rrn": result.rrn or None}
    if result.last4:
        out["card_last4"] = result.last4
    return out


def remaining_value(journal, txn_id: str) -> int | None:
    """The card's remaining value noted with the approval (cents, may be negative), or None."""
    for event in reversed(journal.events(txn_id)):
        if event.kind == NOTE:
            value = event.detail.get("remaining_value_cents")
            return int(value) if isinstance(value, int) else None
    return None


def refund_in_cash(ctx: MoneyContext, txn, why: str):
    """A payment to give back that the terminal cannot reverse: a person's case, with the
    customer's claim slip (the reference and the amount)."""
    from kiosk.money import refunding
    return refunding.attention(ctx, txn, f"{REFUND_IN_CASH}: {why}")


def why_refund(ctx: MoneyContext, txn) -> str:
    """Why an Octopus payment must be given back, from the row's history."""
    for event in reversed(ctx.journal.events(txn.id)):
        if event.kind == "credit_rejected":
            return f"the credit was refused ({event.detail.get('reason', 'rejected')})"
    return txn.attention_reason or "the plan could not be credited"


def is_cash_refund(reason: str | None) -> bool:
    return bool(reason) and reason.startswith(REFUND_IN_CASH)
