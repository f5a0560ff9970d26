"""Scan payments of the simulator: the customer shows a wallet code, the kiosk sends its digits.

The wallet is told by the code's prefix (the contract's rule): 18 digits starting 10-15 is WeChat
Pay; 16-24 digits starting 25-30 is Alipay, and the simulator calls 25-27 ``alipay`` and 28-30
``alipayhk`` (its own convention). Anything else is 422 ``bad_auth_code``.

What the wallet does is picked by the code's LAST DIGIT (the simulator's convention, documented
in docs/backend-contract.md):

====== ==========================================================================================
digit  what the wallet does
====== ==========================================================================================
0-2, 9 ``paid`` at once
3      ``user_paying``, then ``paid`` by itself ``confirm_after_s`` later (default 8 s)
4      ``user_paying`` and never confirmed (until ``POST /_sim/payments/{no}/pay`` or a reverse)
5      ``failed`` ``insufficient_funds``
6      ``failed`` ``code_expired``
7      ``failed`` ``code_used``
8      ``failed`` ``risk_declined``
====== ==========================================================================================

A reverse ends any scan order: unpaid → ``reversed`` with nothing taken; paid → refunded in full
inside the reverse, also ``reversed``. A reverse of a ``user_paying`` order answers 409
``user_paying`` and asks the wallet to cancel the customer's confirmation: ``REVERSE_SETTLE_S``
later (on the simulator's clock) the order is ``reversed`` unless the customer confirmed first,
so asking again a few seconds later succeeds. Past ``REVERSE_WINDOW_S`` a reverse is refused with
409 ``reverse_window_passed``. Times are the simulator's clock; an order moves when it is read.
The auth code itself is never stored or logged: the order keeps its last 4 digits.
"""

from __future__ import annotations

import logging
import re

from simulators.backend import checks
from simulators.backend.store import Answer, ApiError, Store, rfc3339

log = logging.getLogger(__name__)

CONFIRM_AFTER_S = 8.0  # digit 3: the customer confirms on the phone this long after the scan
REVERSE_SETTLE_S = 3.0  # a reverse of a user_paying order takes effect this long after it asked
REVERSE_WINDOW_S = 24 * 3600.0

WECHAT = re.compile(r"1[0-5]\d{16}")
ALIPAY = re.compile(r"(2[5-9]|30)\d{14,22}")

# last digit -> (status, reason)
BEHAVIOURS: dict[str, tuple[str, str | None]] = {
    "0": ("paid", None), "1": ("paid", None), "2": ("paid", None), "9": ("paid", None),
    "3": ("user_paying", "confirm_later"), "4": ("user_paying", None),
    "5": ("failed", "insufficient_funds"), "6": ("failed", "code_expired"),
    "7": ("failed", "code_used"), "8": ("failed", "risk_declined"),
}


def wallet_of(auth_code: str) -> str | None:
    """The wallet method of a payment code by its prefix, or None for a non-wallet code."""
    if WECHAT.fullmatch(auth_code):
        return "wechatpay"
    if ALIPAY.fullmatch(auth_code):
        return "alipay" if int(auth_code[:2]) <= 27 else "alipayhk"
    return None


def is_scan(order: dict) -> bool:
    return order.get("kind") == "scan"


def refresh(order: dict, now: float) -> dict:
    """Apply what time has done to a ``user_paying`` order: the earlier of the customer's
    confirmation and an asked-for reverse wins."""
    if order["status"] != "user_paying":
        return order
    confirm_at = order.get("confirm_at")
    reverse_at = order.get("reverse_asked_at")
    reverse_at = None if reverse_at is None else reverse_at + REVERSE_SETTLE_S
    if confirm_at is not None and confirm_at <= now and (reverse_at is None
                                                         or confirm_at <= reverse_at):
        order.update(status="paid", paid_at=confirm_at)
        log.info("scan order %s confirmed on the phone", order["out_trade_no"])
    elif reverse_at is not None and reverse_at <= now:
        order.update(status="reversed", reversed_at=reverse_at)
        log.info("scan order %s reversed before the customer confirmed", order["out_trade_no"])
    return order


def create(store: Store, kiosk_id: str, key: str, body: dict, now: float,
           confirm_after_s: float = CONFIRM_AFTER_S, reject: bool = False) -> Answer:
    """POST /v1/payments/scan: take the money at once, or ``user_paying``, or ``failed``."""
    out_trade_no = checks.field(body, "out_trade_no", str)
    auth_code = checks.field(body, "auth_code", str)
    amount = checks.field(body, "amount_cents", int, positive=True)
    checks.field(body, "currency", str, choices=("HKD",))
    if out_trade_no != key:
        raise ApiError(400, "bad_request", "Idempotency-Key must be the out_trade_no")
    method = wallet_of(auth_code)
    if reject or method is None:
        raise ApiError(422, "bad_auth_code", "not a wallet payment code")
    if out_trade_no in store.data["orders"]:
        raise ApiError(409, "idempotency_conflict", "an order with this number exists")
    status, reason = BEHAVIOURS[auth_code[-1]]
    order = {"out_trade_no": out_trade_no, "kind": "scan", "kiosk_id": kiosk_id,
             "method": method, "amount_cents": amount,
             "description": str(body.get("description", "")), "auth_code_last4": auth_code[-4:],
             "status": status, "reason": reason if status == "failed" else None,
             "created_at": now, "expires_at": None,
             "paid_at": now if status == "paid" else None, "refunded_cents": 0,
             "used_by": None, "confirm_at": now + confirm_after_s
             if reason == "confirm_later" else None, "reverse_asked_at": None,
             "reversed_at": None}
    store.data["orders"][out_trade_no] = order
    log.info("scan order %s (%s, code ending %s): %s", out_trade_no, method, auth_code[-4:],
             status)
    return Answer(201, scan_body(order))


def scan_body(order: dict) -> dict:
    return {"out_trade_no": order["out_trade_no"], "method": order["method"],
            "status": order["status"], "amount_cents": order["amount_cents"],
            "paid_at": rfc3339(order["paid_at"]), "reason": order.get("reason")}


def reverse(order: dict, now: float) -> Answer:
    """POST /v1/payments/{no}/reverse: end a scan order; a paid one is refunded inside."""
    if not is_scan(order):
        raise ApiError(422, "not_reversible", "a QR order cannot be reversed: close it instead")
    refresh(order, now)
    if order["status"] == "reversed":
        return Answer(200, {"status": "reversed", "refunded_cents": order["refunded_cents"]})
    if now > order["created_at"] + REVERSE_WINDOW_S:
        raise ApiError(409, "reverse_window_passed",
                       "the reverse window (24 h) has passed: refund instead")
    if order["status"] == "user_paying":
        if order["reverse_asked_at"] is None:
            order["reverse_asked_at"] = now
        raise ApiError(409, "user_paying", "the customer is confirming: ask again in a few seconds")
    refund = order["amount_cents"] - order["refunded_cents"] if order["status"] in (
        "paid", "refunded") else 0
    order.update(status="reversed", reversed_at=now,
                 refunded_cents=order["refunded_cents"] + refund)
    log.info("scan order %s reversed (%d cents refunded)", order["out_trade_no"], refund)
    return Answer(200, {"status": "reversed", "refunded_cents": order["refunded_cents"]})

