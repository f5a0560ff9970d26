"""Retry until definite: an ambiguous answer is asked again, as the same operation with the same
key, with capped exponential backoff and jitter, for as long as it takes.

A step that cannot learn an outcome raises ``Unsettled``. When that is an ambiguity (no answer,
a 5xx, ``409 in_flight``, a terminal that does not answer) the row stays in its pending state and
waits for its next retry (``Txn.retrying``, counted apart from needs_attention); only a definite
answer that no automatic step can act on goes to a person. Backoff is measured on the clock's
wall time, the clock the backend lives on, so it survives restarts and means the same under the
robot's compressed kiosk clock.
"""

from __future__ import annotations

import logging
import random

from kiosk.journal.models import iso_utc
from kiosk.money import refunding
from kiosk.money.context import MoneyContext, Unsettled, is_settled

log = logging.getLogger(__name__)

# needs_attention reasons that were ambiguities all along (an older kiosk gave up on them after
# a watch window): start-up recovery takes such rows back to their pending state and retries.
GAVE_UP = "not settled automatically: "
AMBIGUITIES = ("credit not confirmed", "refund not confirmed", "card sale outcome unknown",
               "wallet order not confirmed", "order state unknown", "order close not confirmed",
               "card reversal not confirmed", "internal error")


def backoff_s(attempt: int, settings, rng: random.Random | None = None) -> float:
    """The wait before retry *attempt* + 1: doubling from ``retry_initial_s`` up to
    ``retry_max_s``, each wait between half and all of that (jitter spreads a fleet's retries
    after an outage)."""
    p = settings.payments
    delay = min(p.retry_max_s, p.retry_initial_s * 2 ** min(attempt, 32))
    return delay * (0.5 + (rng or random).random() / 2)


def due(txn, now: float) -> bool:
    """Whether *txn* may be tried now (a row not retrying always may)."""
    return txn.retry_at is None or txn.retry_at <= iso_utc(now)


def unsettled(ctx: MoneyContext, txn_id: str, error: Unsettled):
    """The row after a step could not settle it: waiting for its next retry, or a person's."""
    txn = ctx.journal.get(txn_id)
    if is_settled(txn):
        return txn
    if not error.retry:
        return refunding.attention(ctx, txn, f"{GAVE_UP}{error.reason}")
    delay = backoff_s(txn.retry_attempts, ctx.settings)
    log.warning("%s not settled (%s): retry %d in %.0f s", txn.id, error.reason,
                txn.retry_attempts + 1, delay)
    return ctx.journal.retry_later(txn.id, error.reason, delay)


def retryable_attention(reason: str | None) -> bool:
    """A needs_attention reason that is an ambiguity a retry settles, not a person's case."""
    if not reason or not reason.startswith(GAVE_UP):
        return False
    return reason[len(GAVE_UP):].startswith(AMBIGUITIES)


def revive_retryable(ctx: MoneyContext) -> list[str]:
    """Take needs_attention rows whose reason is a plain ambiguity back to their pending state."""
    revived = []
    for txn in ctx.journal.needing_attention():
        if retryable_attention(txn.attention_reason):
            try:
                ctx.journal.revive(txn.id, f"retryable: {txn.attention_reason}")
                revived.append(txn.id)
            except Exception as e:
                log.error("%s could not be taken back for a retry: %s", txn.id, e)
    return revived
