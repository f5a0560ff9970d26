"""Subscribers of the simulator: look-up with server-priced offers, and crediting a plan."""

from __future__ import annotations

import logging

from contract.redact import mask_phone
from simulators.backend import checks, holds, payments, seed
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


def status_at(sub: dict, now: float) -> str:
    """``suspended`` as the carrier set it, else ``expired`` past the expiry, else ``active``."""
    if sub["status"] == "suspended":
        return "suspended"
    expires_at = sub["balance"]["expires_at"]
    return "expired" if expires_at is not None and now >= expires_at else "active"


def _in_grace(sub: dict, now: float) -> bool:
    return now < sub["balance"]["expires_at"] + seed.GRACE_DAYS * DAY_S


def _eligible(sub: dict, plan: seed.Plan, now: float) -> bool:
    """Whether *plan* may be credited now: an expired card only within its grace period, and
    never with an add-on (it has no validity of its own to add to)."""
    if sub["card"]["type"] not in plan.card_types:
        return False
    if status_at(sub, now) == "expired":
        return plan.validity_days > 0 and _in_grace(sub, now)
    return True


def new_expiry(expires_at: float | None, plan: seed.Plan, now: float) -> float | None:
    """The expiry after crediting *plan* now: its days from the later of now and the current
    expiry (so an expired card starts now); an add-on keeps the current expiry."""
    if not plan.validity_days:
        return expires_at
    return max(now, expires_at or now) + plan.validity_days * DAY_S


def _roll_month(sub: dict, now: float) -> None:
    """A new Hong Kong month starts the monthly count again."""
    month = seed.hk_month(now)
    if sub.setdefault("usage_month", month) != month:
        sub["usage_month"] = month
        sub["limits"]["monthly_used_cents"] = 0


def _offers(store: Store, sub: dict, now: float) -> list[dict]:
    if status_at(sub, now) == "suspended" or not sub["real_name_registered"]:
        return []
    offers = []
    for plan in seed.plans_for(sub["card"]["type"]):
        if not _eligible(sub, plan, now):
            continue
        price, promo = seed.price_cents(plan, first_topup=sub["topups"] == 0)
        quote_id = store.next_id("q")
        store.data["quotes"][quote_id] = {"msisdn": sub["msisdn"], "plan_id": plan.plan_id,
                                          "price_cents": price, "valid_until": now + QUOTE_VALID_S}
        offer = {"quote_id": quote_id, "plan_id": plan.plan_id, "name": plan.name,
                 "data_mb": plan.data_mb, "validity_days": plan.validity_days,
                 "price_cents": price, "list_price_cents": plan.list_price_cents,
                 "promotion": promo, "valid_until": rfc3339(now + QUOTE_VALID_S)}
        expiry = new_expiry(sub["balance"]["expires_at"], plan, now)
        if expiry is not None:
            offer["new_expires_at"] = rfc3339(expiry)
        offers.append(offer)
    return offers


def _prune_quotes(store: Store, now: float) -> None:
    """Forget quotes that ended more than a day ago, so the state file does not grow forever."""
    quotes = store.data["quotes"]
    for quote_id in [q for q, v in quotes.items() if v["valid_until"] < now - DAY_S]:
        del quotes[quote_id]


def lookup(store: Store, msisdn: str, now: float) -> Answer:
    sub = _find(store, msisdn)
    _prune_quotes(store, now)
    _roll_month(sub, now)
    body = {"msisdn": sub["msisdn"], "status": status_at(sub, now),
            "real_name_registered": sub["real_name_registered"], "card": dict(sub["card"]),
            "owner_hint": sub["owner_hint"], "balance": _balance(sub),
            "limits": dict(sub["limits"]), "offers": _offers(store, sub, now)}
    return Answer(200, body)


def _rejection(store: Store, sub: dict, body: dict, now: float, auto_pay_s: float) -> str | None:
    """Why this credit is refused (a contract reason), or None when it may go ahead.

    A top-up naming a hold is checked against the hold (which checked quote, eligibility and
    cap when it was made) instead of the quote and the cap."""
    hold_id = body.get("hold_id")
    if hold_id is not None:
        return holds.problem(store, hold_id, body, now) or _payment_problem(
            store, body, now, auto_pay_s)
    return plan_rejection(store, sub, body, now) or _payment_problem(store, body, now, auto_pay_s)


def plan_rejection(store: Store, sub: dict, body: dict, now: float) -> str | None:
    """Why this plan cannot be credited to *sub* now at this price (live holds count against
    the monthly cap), or None."""
    if status_at(sub, now) == "suspended":
        return "subscriber_suspended"
    if not sub["real_name_registered"]:
        return "not_registered"
    quote = store.data["quotes"].get(body["quote_id"])
    if quote is None or quote["msisdn"] != sub["msisdn"] or now > quote["valid_until"]:
        return "quote_expired"
    plan = seed.PLANS_BY_ID.get(body["plan_id"])
    if quote["plan_id"] != body["plan_id"] or plan is None or not _eligible(sub, plan, now):
        return "plan_not_eligible"
    if body["amount_cents"] != quote["price_cents"]:
        return "price_mismatch"
    limits = sub["limits"]
    held = holds.live_cents(store, sub["msisdn"], now)
    if limits["monthly_used_cents"] + held + body["amount_cents"] > limits["monthly_cap_cents"]:
        return "monthly_cap_exceeded"
    return None


def _payment_problem(store: Store, body: dict, now: float, auto_pay_s: float) -> str | None:
    payment = body["payment"]
    if payment["method"] in checks.TERMINAL_TENDERS:
        return None  # the terminal's acquirer took the money; reference = ecr_ref
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
    balance["expires_at"] = new_expiry(balance["expires_at"], plan, now)
    if sub["status"] == "expired":
        sub["status"] = "active"  # revived: status_at() reads the new expiry from here on
    sub["limits"]["monthly_used_cents"] += amount_cents
    sub["topups"] += 1


def _validate_topup(body: dict) -> None:
    checks.msisdn(body.get("msisdn") if isinstance(body, dict) else None)
    checks.field(body, "quote_id", str)
    checks.field(body, "plan_id", str)
    checks.field(body, "amount_cents", int, positive=True)
    payment = checks.field(body, "payment", dict)
    checks.field(payment, "method", str, choices=checks.TOPUP_METHODS)
    checks.field(payment, "reference", str)
    checks.field(body, "transaction_id", str)
    if "hold_id" in body:
        checks.field(body, "hold_id", str)


def credit(store: Store, kiosk_id: str, key: str, body: dict, now: float, auto_pay_s: float,
           forced_reason: str | None = None) -> Answer:
    """POST /v1/topups: credit the plan, or a definite 422 with the reason."""
    _validate_topup(body)
    sub = _find(store, body["msisdn"])
    _roll_month(sub, now)
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
    if body["payment"]["method"] not in checks.TERMINAL_TENDERS:
        store.data["orders"][body["payment"]["reference"]]["used_by"] = record["topup_id"]
    if body.get("hold_id") is not None:
        record["hold_id"] = body["hold_id"]
        holds.use(store, body["hold_id"], record["topup_id"], now)
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


def hold(store: Store, kiosk_id: str, key: str, body: dict, now: float,
         forced_reason: str | None = None) -> Answer:
    """POST /v1/topups/holds: reserve the plan (cap and eligibility checked), or a 422."""
    holds.validate(body)
    sub = _find(store, body["msisdn"])
    _roll_month(sub, now)
    return holds.create(store, kiosk_id, key, body, now,
                        forced_reason or plan_rejection(store, sub, body, now))
