"""Holds of the simulator: reserve a plan for a subscriber at a price before money is taken.

A hold is ``live`` from its creation until ``HOLD_TTL_S`` later on the simulator's clock (then
``expired``), until it is released (``released``) or until a top-up names it (``used``). Live
holds count against the subscriber's monthly cap like credited top-ups. A top-up naming a live
hold that matches it is credited without the quote's own expiry or the hold's cap being counted
twice; a hold that cannot be used gives the top-up a definite 422 with ``hold_expired``,
``hold_used``, ``hold_not_found`` or ``hold_mismatch``.
"""

from __future__ import annotations

import logging

from contract.redact import mask_phone
from simulators.backend import checks
from simulators.backend.store import Answer, ApiError, Store, rfc3339

log = logging.getLogger(__name__)

HOLD_TTL_S = 15 * 60.0  # the contract promises at least 10 minutes


def refresh(hold: dict, now: float) -> dict:
    if hold["status"] == "live" and now >= hold["expires_at"]:
        hold["status"] = "expired"
    return hold


def live_cents(store: Store, msisdn: str, now: float, exclude: str | None = None) -> int:
    """What this subscriber's live holds reserve against the monthly cap (cents)."""
    return sum(h["amount_cents"] for h in store.data["holds"].values()
               if h["msisdn"] == msisdn and h["hold_id"] != exclude
               and refresh(h, now)["status"] == "live")


def validate(body: dict) -> None:
    checks.msisdn(body.get("msisdn") if isinstance(body, dict) else None)
    checks.field(body, "quote_id", str)
    checks.field(body, "plan_id", str)
    checks.field(body, "amount_cents", int, positive=True)
    checks.field(body, "transaction_id", str)


def create(store: Store, kiosk_id: str, key: str, body: dict, now: float,
           reason: str | None) -> Answer:
    """POST /v1/topups/holds: *reason* is why the plan cannot be credited (None: hold it)."""
    if reason:
        log.info("hold for %s refused: %s", mask_phone(body["msisdn"]), reason)
        raise ApiError(422, "rejected", f"hold refused: {reason}", status="rejected",
                       reason=reason)
    hold = {"hold_id": store.next_id("hd"), "kiosk_id": kiosk_id, "key": key,
            "msisdn": body["msisdn"], "quote_id": body["quote_id"], "plan_id": body["plan_id"],
            "amount_cents": body["amount_cents"], "transaction_id": body["transaction_id"],
            "status": "live", "created_at": now, "expires_at": now + HOLD_TTL_S,
            "used_by": None, "released_at": None}
    store.data["holds"][hold["hold_id"]] = hold
    log.info("hold %s: %s for %s", hold["hold_id"], body["plan_id"], mask_phone(body["msisdn"]))
    return Answer(201, {"hold_id": hold["hold_id"], "expires_at": rfc3339(hold["expires_at"])})


def release(store: Store, hold_id: str, now: float) -> Answer:
    """DELETE /v1/topups/holds/{id}: 200 whatever the hold was (unknown, used, released)."""
    hold = store.data["holds"].get(hold_id)
    if hold is None:
        return Answer(200, {"hold_id": hold_id, "status": "not_found"})
    if refresh(hold, now)["status"] == "live":
        hold.update(status="released", released_at=now)
        log.info("hold %s released", hold_id)
    return Answer(200, {"hold_id": hold_id, "status": hold["status"]})


def problem(store: Store, hold_id: str, body: dict, now: float) -> str | None:
    """Why the top-up *body* cannot use hold *hold_id* (a contract reason), or None."""
    hold = store.data["holds"].get(hold_id)
    if hold is None:
        return "hold_not_found"
    if (hold["msisdn"], hold["plan_id"], hold["amount_cents"]) != (
            body["msisdn"], body["plan_id"], body["amount_cents"]):
        return "hold_mismatch"
    status = refresh(hold, now)["status"]
    if status == "used":
        return "hold_used"
    if status != "live":
        return "hold_expired"
    return None


def use(store: Store, hold_id: str, topup_id: str, now: float) -> None:
    store.data["holds"][hold_id].update(status="used", used_by=topup_id, used_at=now)
