"""An operator's retry of a needs-attention row, through the money engine's own steps.

Used when the purchase service offers no ``retry_credit`` / ``retry_refund`` of its own. The
row moves ``needs_attention → credit_pending`` (or ``refund_pending``), committed before the
call, and the engine's ``crediting.credit`` / ``refunding.refund`` run with the row's stored
key: a repeat is answered with the first outcome, nothing is credited or refunded twice. When
the backend cannot confirm within the engine's bounded effort the row stays pending for the
reconciler, which keeps querying with the same key.
"""

from __future__ import annotations

import logging

from contract.clock import Clock, SystemClock
from kiosk.money import crediting, refunding
from kiosk.money.context import MoneyContext, Unsettled

log = logging.getLogger(__name__)


class OperatorRetries:
    def __init__(self, journal, backend, terminal, settings, clock: Clock | None = None):
        self._journal = journal
        self._ctx = MoneyContext(journal, backend, terminal, settings, clock or SystemClock())

    def retry_credit(self, txn_id: str):
        """Credit again with the stored credit key; the row as it ends (or stays pending)."""
        txn = self._journal.get(txn_id)
        try:
            return crediting.credit(self._ctx, txn)
        except Unsettled as e:
            log.warning("operator retry of %s not settled yet: %s", txn_id, e.reason)
            return self._journal.get(txn_id)

    def retry_refund(self, txn_id: str):
        """Refund with the stored refund key (wallet refund, or card VOID/REFUND)."""
        txn = self._journal.get(txn_id)
        if txn.state == "needs_attention":
            txn = self._ctx.commit(txn, "refund_pending")
        try:
            return refunding.refund(self._ctx, txn)
        except Unsettled as e:
            log.warning("operator refund of %s not settled yet: %s", txn_id, e.reason)
            return self._journal.get(txn_id)
