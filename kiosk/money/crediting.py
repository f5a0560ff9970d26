"""Crediting a paid purchase: one top-up per credit key, settled by querying, never by guessing.

paid → credit_pending → credited; a definite rejection (422, whatever its reason, price_mismatch
included) → refund_pending → refunded through ``refunding``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, is_dataclass
from datetime import datetime

from contract.methods import TERMINAL_METHODS
from kiosk.backend.errors import Ambiguous, Conflict, Definite, Rejected
from kiosk.journal.models import payment_method
from kiosk.money import refunding
from kiosk.money.context import ROUNDS, UNKNOWN, MoneyContext, Unsettled
from kiosk.money.events import Credited, CreditRejected
from kiosk.money.hold_rules import HELD

log = logging.getLogger(__name__)


def credit(ctx: MoneyContext, txn):
    """Drive a paid row to credited, or to refunded after a definite rejection."""
    if txn.state in ("paid", "needs_attention"):
        txn = ctx.commit(txn, "credit_pending")
    status, detail = _outcome(ctx, txn)
    if status == "rejected":
        log.warning("%s credit rejected (%s): refunding", txn.id, detail)
        ctx.note(txn, "credit_rejected", reason=detail)
        txn = ctx.commit(txn, "refund_pending")
        ctx.emit(CreditRejected(txn.id, detail))
        return refunding.refund(ctx, txn)
    txn = ctx.commit(txn, "credited", topup_id=detail.topup_id,
                     balance_json=balance_json(detail.balance))
    ctx.emit(Credited(txn.id, detail.balance, detail.topup_id))
    return txn


def _outcome(ctx: MoneyContext, txn) -> tuple[str, object]:
    """("credited", Topup) or ("rejected", reason); Unsettled when the backend cannot say."""
    for _ in range(ROUNDS):
        try:
            topup = _post(ctx, txn)
            if topup.status == "rejected":
                return "rejected", topup.reason or "rejected"
            return "credited", topup
        except Rejected as e:
            return "rejected", e.reason or "rejected"
        except Conflict as e:
            log.warning("%s credit conflict %s: querying", txn.id, e.code)
        except Ambiguous as e:
            log.warning("%s credit ambiguous (%s): querying", txn.id, e)
        except Definite as e:
            raise Unsettled(txn.id, f"credit refused: {e.code or e.http_status}", retry=False) from e
        found = _query(ctx, txn)
        if found is not None:
            return found
    raise Unsettled(txn.id, "credit not confirmed")


def _post(ctx: MoneyContext, txn):
    """The top-up, naming the row's hold when it has one (a hold the backend cannot use is a
    definite rejection: the refund path)."""
    hold = {"hold_id": txn.hold_id} if txn.hold_id and txn.hold_state == HELD else {}
    return ctx.call(
        txn, "create_topup", ctx.backend.create_topup, txn.credit_key, txn.msisdn, txn.quote_id,
        txn.plan_id, txn.amount_cents, payment_method(txn.method, txn.card_brand), credit_reference(txn), txn.id,
        **hold)


def _query(ctx: MoneyContext, txn) -> tuple[str, object] | None:
    """What the backend knows of our credit key; None when it cannot say or never saw it."""
    topup = ctx.ask(txn, "get_topup", ctx.backend.get_topup, txn.credit_key)
    if topup is UNKNOWN or topup is None:
        return None  # never accepted: the same POST may be sent again
    if topup.status == "credited":
        return "credited", topup
    if topup.status == "rejected":
        return "rejected", topup.reason or "rejected"
    return None


def credit_reference(txn) -> str:
    """The payment the backend checks the credit against: the wallet order or the card sale."""
    return txn.ecr_ref if txn.method in TERMINAL_METHODS else txn.out_trade_no


def balance_json(balance) -> str | None:
    if balance is None:
        return None
    data = asdict(balance) if is_dataclass(balance) else dict(balance)
    return json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))
