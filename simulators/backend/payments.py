"""Wallet orders of the simulator: create with a QR payload, query, close, pay, refund.

An order's state moves with time when it is read: past ``expires_at`` a pending order is
``expired``; with ``auto_pay_after_s`` it is paid that long after creation (if still open).
"""

from __future__ import annotations

import logging

from simulators.backend import checks, emv_qr, scan
from simulators.backend.store import Answer, ApiError, Store, rfc3339

log = logging.getLogger(__name__)

_WALLET_URLS = {
    "wechatpay": "weixin://wxpay/bizpayurl?pr={token}",
    "alipayhk": "https://qr.alipay.hk/{token}",
    "alipay": "https://qr.alipay.com/{token}",
    "payme": "https://payme.hsbc/payment/{token}",
}


def qr_payload(method: str, out_trade_no: str, amount_cents: int, token: str) -> str:
    if method == "fps":
        reference = "".join(ch for ch in out_trade_no if ch.isalnum())[-25:]
        return emv_qr.fps_payload(amount_cents, reference, fps_id="1234567",
                                  merchant_name="HK TOPUP KIOSK", city="HONG KONG")
    return _WALLET_URLS[method].format(token=token)


def refresh(order: dict, now: float, auto_pay_after_s: float) -> dict:
    """Apply what time has done to a pending order (auto-pay first, then expiry); a scan order
    moves by its own rules (``scan.refresh``)."""
    if scan.is_scan(order):
        return scan.refresh(order, now)
    if order["status"] != "pending":
        return order
    pay_at = order["created_at"] + auto_pay_after_s if auto_pay_after_s > 0 else None
    if pay_at is not None and pay_at <= min(now, order["expires_at"]):
        order.update(status="paid", paid_at=pay_at)
        log.info("order %s paid by the simulated customer (auto-pay)", order["out_trade_no"])
    elif now >= order["expires_at"]:
        order["status"] = "expired"
    return order


def create(store: Store, kiosk_id: str, key: str, body: dict, now: float,
           reject: bool = False) -> Answer:
    out_trade_no = checks.field(body, "out_trade_no", str)
    method = checks.field(body, "method", str, choices=checks.WALLET_METHODS)
    amount = checks.field(body, "amount_cents", int, positive=True)
    checks.field(body, "currency", str, choices=("HKD",))
    expires_in_s = checks.field(body, "expires_in_s", int, positive=True)
    if out_trade_no != key:
        raise ApiError(400, "bad_request", "Idempotency-Key must be the out_trade_no")
    if reject:
        raise ApiError(422, "method_unavailable", f"{method} is not available now")
    if out_trade_no in store.data["orders"]:
        raise ApiError(409, "idempotency_conflict", "an order with this number exists")
    token = store.next_id("t").replace("-", "") + out_trade_no[-6:]
    order = {"out_trade_no": out_trade_no, "kiosk_id": kiosk_id, "method": method,
             "amount_cents": amount, "description": str(body.get("description", "")),
             "status": "pending", "created_at": now, "expires_at": now + expires_in_s,
             "paid_at": None, "refunded_cents": 0, "used_by": None,
             "qr_payload": qr_payload(method, out_trade_no, amount, token)}
    store.data["orders"][out_trade_no] = order
    return Answer(201, {"out_trade_no": out_trade_no, "status": "pending",
                        "qr_payload": order["qr_payload"], "expires_at": rfc3339(order["expires_at"])})


def find(store: Store, out_trade_no: str, now: float, auto_pay_after_s: float) -> dict:
    order = store.data["orders"].get(out_trade_no)
    if order is None:
        raise ApiError(404, "not_found", "no order under that number")
    return refresh(order, now, auto_pay_after_s)


def status_body(order: dict) -> dict:
    return {"out_trade_no": order["out_trade_no"], "method": order["method"],
            "status": order["status"], "amount_cents": order["amount_cents"],
            "paid_at": rfc3339(order["paid_at"]), "refunded_cents": order["refunded_cents"],
            "reason": order.get("reason")}


def close(order: dict) -> Answer:
    if scan.is_scan(order):
        raise ApiError(422, "not_closable", "a scan order cannot be closed: reverse it instead")
    if order["status"] in ("paid", "refunded"):
        raise ApiError(409, "already_paid", "the order is paid: refund it instead")
    order["status"] = "closed"
    return Answer(200, {"status": "closed"})


def pay(order: dict, now: float) -> Answer:
    """The simulated customer pays (control endpoint)."""
    if order["status"] in ("expired", "closed", "failed", "reversed"):
        raise ApiError(409, order["status"], f"the order is {order['status']}: cannot be paid")
    if order["status"] in ("pending", "user_paying"):
        order.update(status="paid", paid_at=now)
        log.info("order %s paid by the simulated customer", order["out_trade_no"])
    return Answer(200, status_body(order))


def refund(store: Store, order: dict, refund_key: str, body: dict, now: float,
           reject: bool = False) -> Answer:
    amount = checks.field(body, "amount_cents", int, positive=True)
    reason = str(body.get("reason", ""))
    paid = order["amount_cents"] if order["status"] in ("paid", "refunded") else 0
    if reject or order["refunded_cents"] + amount > paid:
        raise ApiError(422, "not_refundable",
                       f"cannot refund {amount} cents: paid {paid}, refunded "
                       f"{order['refunded_cents']}")
    order["refunded_cents"] += amount
    if order["refunded_cents"] == order["amount_cents"]:
        order["status"] = "refunded"
    record = {"refund_id": store.next_id("rf"), "status": "succeeded",
              "out_trade_no": order["out_trade_no"], "refund_key": refund_key,
              "amount_cents": amount, "reason": reason, "created_at": now}
    store.data["refunds"][f"{order['out_trade_no']}:{refund_key}"] = record
    return Answer(201, {"refund_id": record["refund_id"], "status": "succeeded"})


def get_refund(store: Store, out_trade_no: str, refund_key: str) -> Answer:
    record = store.data["refunds"].get(f"{out_trade_no}:{refund_key}")
    if record is None:
        raise ApiError(404, "not_found", "no refund under that key")
    return Answer(200, {"refund_id": record["refund_id"], "status": record["status"]})
