"""Subscribers of the simulator: look-up with server-priced offers, and crediting a plan."""

from __future__ import annotations

import logging

from kiosk.redact import mask_phone
from simulators.backend import checks, payments, seed
from simulators.backend.store import Answer, ApiError, Store, rfc3339

log = logging.getLogger(__name__)

QUOTE_VALID_S = 15 * 60
DAY_S = 86_400


def _balance(sub: dict) -> dict:
    b = sub["balance"]
    return {"data_mb_left": b["data_mb_left"], "expires_at": rfc3339(b["expires_at"])}


def _find(store: Store, msisdn: str) -> dict:
    sub = store.data["subscribers"].get(checks.msisdn(msisdn))
    if sub is None:
        raise ApiError(404, "subscriber_not_found", "no subscriber with that number")
    return sub


def _offers(store: Store, sub: dict, now: float) -> list[dict]:
    if sub["status"] != "active" or not sub["real_name_registered"]:
        return []
    offers = []
    for plan in seed.plans_for(sub["card"]["type"]):
        price, promo = seed.price_cents(plan, first_topup=sub["topups"] == 0)
        quote_id = store.next_id("q")
        store.data["quotes"][quote_id] = {"msisdn": sub["msisdn"], "plan_id": plan.plan_id,
                                          "price_cents": price, "valid_until": now + QUOTE_VALID_S}
        offers.append({"quote_id": quote_id, "plan_id": plan.plan_id, "name": plan.name,
                       "data_mb": plan.data_mb, "validity_days": plan.validity_days,
                       "price_cents": price, "list_price_cents": plan.list_price_cents,
                       "promotion": promo, "valid_until": rfc3339(now + QUOTE_VALID_S)})
    return offers


def _prune_quotes(store: Store, now: float) -> None:
    """Forget quotes that ended more than a day ago, so the state file does not grow forever."""
    quotes = store.data["quotes"]
    for quote_id in [q for q, v in quotes.items() if v["valid_until"] < now - DAY_S]:
        del quotes[quote_id]


def lookup(store: Store, msisdn: str, now: float) -> Answer:
    sub = _find(store, msisdn)
    _prune_quotes(store, now)
    body = {"msisdn": sub["msisdn"], "status": sub["status"],
            "real_name_registered": sub["real_name_registered"], "card": dict(sub["card"]),
            "owner_hint": sub["owner_hint"], "balance": _balance(sub),
            "limits": dict(sub["limits"]), "offers": _offers(store, sub, now)}
    return Answer(200, body)


def _rejection(store: Store, sub: dict, body: dict, now: float, auto_pay_s: float) -> str | None:
    """Why this credit is refused (a contract reason), or None when it may go ahead."""
    if sub["status"] != "active":
        return "subscriber_suspended"
    if not sub["real_name_registered"]:
        return "not_registered"
    quote = store.data["quotes"].get(body["quote_id"])
    if quote is None or quote["msisdn"] != sub["msisdn"] or now > quote["valid_until"]:
        return "quote_expired"
    plan = seed.PLANS_BY_ID.get(body["plan_id"])
    if quote["plan_id"] != body["plan_id"] or plan is None \
            or sub["card"]["type"] not in plan.card_types:
        return "plan_not_eligible"
    if body["amount_cents"] != quote["price_cents"]:
        return "price_mismatch"
    limits = sub["limits"]
    if limits["monthly_used_cents"] + body["amount_cents"] > limits["monthly_cap_cents"]:
        return "monthly_cap_exceeded"
    return _payment_problem(store, body, now, auto_pay_s)


def _payment_problem(store: Store, body: dict, now: float, auto_pay_s: float) -> str | None:
    payment = body["payment"]
    if payment["method"] == "card":
        return None  # the card terminal's acquirer took the money; reference = ecr_ref
    order = store.data["orders"].get(payment["reference"])
    if order is None:
        return "payment_not_found"
    payments.refresh(order, now, auto_pay_s)
    if order["status"] != "paid" or order["used_by"] is not None \
            or order["amount_cents"] != body["amount_cents"]:
        return "payment_not_found"
    return None


def _apply(sub: dict, plan: seed.Plan, amount_cents: int, now: float) -> None:
    balance = sub["balance"]
    if plan.data_mb is None or balance["data_mb_left"] is None:
        balance["data_mb_left"] = None if plan.data_mb is None else balance["data_mb_left"]
    else:
        balance["data_mb_left"] += plan.data_mb
    if plan.validity_days:
        start = max(now, balance["expires_at"] or now)
        balance["expires_at"] = start + plan.validity_days * DAY_S
    sub["limits"]["monthly_used_cents"] += amount_cents
    sub["topups"] += 1


def _validate_topup(body: dict) -> None:
    checks.msisdn(body.get("msisdn") if isinstance(body, dict) else None)
    checks.field(body, "quote_id", str)
    checks.field(body, "plan_id", str)
    checks.field(body, "amount_cents", int, positive=True)
    payment = checks.field(body, "payment", dict)
    checks.field(payment, "method", str, choices=checks.WALLET_METHODS + ("card",))
    checks.field(payment, "reference", str)
    checks.field(body, "transaction_id", str)


def credit(store: Store, kiosk_id: str, key: str, body: dict, now: float, auto_pay_s: float,
           forced_reason: str | None = None) -> Answer:
    """POST /v1/topups: credit the plan, or a definite 422 with the reason."""
    _validate_topup(body)
    sub = _find(store, body["msisdn"])
    reason = forced_reason or _rejection(store, sub, body, now, auto_pay_s)
    record = {"topup_id": store.next_id("tu"), "kiosk_id": kiosk_id, "key": key,
              "msisdn": sub["msisdn"], "plan_id": body["plan_id"],
              "amount_cents": body["amount_cents"], "payment": dict(body["payment"]),
              "transaction_id": body["transaction_id"], "status": "rejected", "reason": reason,
              "balance": None, "credited_at": None}
    store.data["topups"][f"{kiosk_id}:{key}"] = record
    if reason:
        log.info("top-up for %s rejected: %s", mask_phone(sub["msisdn"]), reason)
        raise ApiError(422, "rejected", f"top-up rejected: {reason}", status="rejected",
                       reason=reason, topup_id=record["topup_id"])
    _apply(sub, seed.PLANS_BY_ID[body["plan_id"]], body["amount_cents"], now)
    if body["payment"]["method"] != "card":
        store.data["orders"][body["payment"]["reference"]]["used_by"] = record["topup_id"]
    record.update(status="credited", balance=_balance(sub), credited_at=now)
    log.info("top-up %s credited %s to %s", record["topup_id"], body["plan_id"],
             mask_phone(sub["msisdn"]))
    return Answer(201, topup_body(record))


def topup_body(record: dict) -> dict:
    body = {"topup_id": record["topup_id"], "status": record["status"],
            "balance": record["balance"], "credited_at": rfc3339(record["credited_at"])}
    if record["status"] == "rejected":
        body["reason"] = record["reason"]
    return body


def get_topup(store: Store, kiosk_id: str, key: str) -> Answer:
    record = store.data["topups"].get(f"{kiosk_id}:{key}")
    if record is None:
        raise ApiError(404, "not_found", "no top-up under that key")
    return Answer(200, topup_body(record))
