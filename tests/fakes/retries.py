"""A fake of the operator's retries (``kiosk.maintenance.retry.OperatorRetries``).

Like the real ones it commits the row's pending state before calling the backend, and calls it
with the row's stored key, so a repeat is answered with the first outcome.
"""

from __future__ import annotations


class FakeRetries:
    def __init__(self, journal, backend):
        self.journal, self.backend = journal, backend

    def retry_credit(self, txn_id):
        txn = self.journal.advance(txn_id, "credit_pending")
        topup = self.backend.create_topup(txn.credit_key, txn.msisdn, txn.quote_id, txn.plan_id,
                                          txn.amount_cents, txn.method, txn.out_trade_no, txn.id)
        return self.journal.advance(txn_id, "credited", topup_id=topup.topup_id)

    def retry_refund(self, txn_id):
        txn = self.journal.advance(txn_id, "refund_pending")
        self.backend.create_refund(txn.out_trade_no, txn.refund_key, txn.amount_cents,
                                   "operator refund")
        return self.journal.advance(txn_id, "refunded")
