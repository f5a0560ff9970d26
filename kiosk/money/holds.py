"""Holds before money: reserve the plan at its price before the customer pays.

created → hold_pending (the hold key committed, ``hold_state`` requested; a new purchase commits
both in the row's first commit, ``request_fields``) → the hold is asked for
(``POST /v1/topups/holds``, retried with the same key while ambiguous) → ``hold_state`` held with
its ``hold_id``, and the payment goes on (order_pending, sale_pending or scan_pending). The
hold's answer leads to no outside call of its own, so it is not a commit of its own: ``hold``
returns it as an ``Answer`` that goes in the next step's commit (the crash point
``hold_held:commit`` is passed after that commit). A crash after the answer but before that
commit leaves the row hold_pending with ``hold_state`` requested and no ``hold_id``:
``settle_hold_pending`` cancels it, and the hold, whose id was never learnt, is abandoned (it
expires by itself on the backend; it only counts against the subscriber's cap until then). A
definite refusal
(``monthly_cap_exceeded``, ``plan_not_eligible``, ``quote_expired``, …) → cancelled, hold_state
refused, ``HoldRefused`` with the reason: nothing was charged. Still ambiguous while the customer
waits → cancelled (no money is taken without a confirmed hold), ``PaymentCancelled``
("unavailable"), and a hold that may exist is released later.

A hold's life after that (``hold_fields``, applied by ``MoneyContext.commit`` with each state):
credited → ``used``; a payment that did not happen or was refunded (cancelled, declined,
refund_pending) → ``release_pending``, and ``release`` sends ``DELETE`` (naturally repeatable)
until it is confirmed → ``released``. A release whose hold id was never learnt cannot be sent:
that hold expires by itself on the backend (``abandoned``). Releases are best effort: tried at
once on a background thread and again by the reconciler (``release_pending_holds``); a hold
left live only counts against the subscriber's cap until it expires.
"""

from __future__ import annotations

import logging

from kiosk.backend.errors import Ambiguous, BackendError, Definite, Rejected
from kiosk.journal.models import payment_method
from kiosk.money.context import ROUNDS, Answer, MoneyContext
from kiosk.money.events import HoldRefused, PaymentCancelled
from kiosk.money.hold_rules import (  # noqa: F401 (HOLD_STATES, hold_fields: for callers)
    ABANDONED,
    HELD,
    HOLD_STATES,
    REFUSED,
    RELEASE_PENDING,
    RELEASED,
    REQUESTED,
    USED,
    hold_fields,
)

log = logging.getLogger(__name__)


# Tenders that cannot be voided or refunded where they are taken: always held first, whatever
# the setting says (the contract requires a hold before an Octopus sale).
ALWAYS_HOLD = ("octopus",)


def wanted(ctx: MoneyContext, method: str) -> bool:
    """Whether a purchase paid by *method* holds the plan first (``payments.holds.before``, a
    scan order by its wallet; always for ``ALWAYS_HOLD``)."""
    return method in ALWAYS_HOLD or payment_method(method) in ctx.settings.payments.holds.before


def hold_key(txn) -> str:
    return f"{txn.id}-H"


def request_fields(txn) -> dict:
    """What goes with the move to hold_pending, before the hold is asked for: its key and
    ``hold_state`` requested (``Journal.create(…, then="hold_pending", then_fields=…)``)."""
    return {**hold_fields(txn, "hold_pending"), "hold_key": hold_key(txn),
            "hold_state": REQUESTED}


def hold(ctx: MoneyContext, txn) -> tuple[object, Answer | None]:
    """(created →) hold_pending → (the hold) → (the row, still hold_pending with hold_state
    requested, and the hold's answer to commit with the next step: ``ctx.commit(…,
    answer=…)``); or (the row cancelled, None): refused or unconfirmed, nothing charged, the
    event says why."""
    if txn.state == "created":
        txn = ctx.commit(txn, "hold_pending", **request_fields(txn))
    for _ in range(ROUNDS):
        try:
            got = ctx.call(txn, "create_hold", ctx.backend.create_hold, txn.hold_key, txn.msisdn,
                           txn.quote_id, txn.plan_id, txn.amount_cents, txn.id)
        except Ambiguous as e:
            log.warning("%s hold not confirmed (%s): asking again with the same key", txn.id, e)
            continue
        except Rejected as e:
            log.info("%s hold refused: %s", txn.id, e.reason)
            txn = ctx.commit(txn, "cancelled", hold_state=REFUSED)
            ctx.note(txn, "hold_refused", reason=e.reason)
            ctx.emit(HoldRefused(txn.id, e.reason or "rejected"))
            return txn, None
        except Definite as e:  # 400/401/404/409: no hold, and no reason a customer can act on
            log.warning("%s hold refused by the backend (%s)", txn.id, e.code or e.http_status)
            txn = ctx.commit(txn, "cancelled", hold_state=REFUSED)
            ctx.emit(PaymentCancelled(txn.id, "unavailable"))
            return txn, None
        return txn, Answer("hold_held", {"hold_id": got.hold_id, "hold_state": HELD})
    log.warning("%s hold not confirmed while the customer waits: no money is taken", txn.id)
    txn = ctx.commit(txn, "cancelled")  # hold_fields: requested → release_pending
    ctx.emit(PaymentCancelled(txn.id, "unavailable"))
    return txn, None


def settle_hold_pending(ctx: MoneyContext, txn):
    """After a restart (or an error) in hold_pending: the customer is gone, so no money will move
    for this row; it ends cancelled and its hold, if any, is released (or, its id never
    committed, abandoned: it expires by itself)."""
    return ctx.commit(txn, "cancelled")


def release(ctx: MoneyContext, txn_id: str) -> str | None:
    """Release the row's hold if it waits for that; its hold_state after (None: not a row).

    Best effort and naturally repeatable: an answer that does not come leaves it
    release_pending for the next try; it never raises a backend error.
    """
    txn = ctx.journal.get(txn_id)
    if txn.hold_state != RELEASE_PENDING:
        return txn.hold_state
    if not txn.hold_id:
        log.info("%s hold id never learnt: the hold expires by itself", txn.id)
        return ctx.update(txn, "hold_abandoned", hold_state=ABANDONED).hold_state
    try:
        ctx.call(txn, "release_hold", ctx.backend.release_hold, txn.hold_id)
    except BackendError as e:
        log.warning("%s hold %s not released yet (%s): trying again later", txn.id,
                    txn.hold_id, e)
        return RELEASE_PENDING
    log.info("%s hold %s released", txn.id, txn.hold_id)
    return ctx.update(txn, "hold_released", hold_state=RELEASED).hold_state


def release_pending_holds(ctx: MoneyContext, skip=lambda txn_id: False) -> int:
    """One try at the holds waiting for their release (the reconciler's pass), oldest first,
    stopping at the first that does not go through (the backend is not answering: the next
    pass tries again); how many were released or abandoned."""
    done = 0
    for txn in ctx.journal.holds_to_release():
        if skip(txn.id):
            continue
        try:
            state = release(ctx, txn.id)
        except Exception:
            log.exception("%s hold release failed; will try again", txn.id)
            return done
        if state == RELEASE_PENDING:
            return done
        done += 1
    return done
