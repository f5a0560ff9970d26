"""The simulator's route table: contract routes (signed) and ``/_sim`` control routes.

Each handler takes a ``Call`` and returns an ``Answer`` or raises ``ApiError``; it runs under
the store's lock, and the server saves the store after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from simulators.backend import checks, holds, payments, scan, subscribers
from simulators.backend.faults import DEFAULT_HOLD_S, MODES
from simulators.backend.store import Answer, ApiError, Store, rfc3339

HEARTBEAT_STATES = ("in_service", "degraded", "out_of_service", "maintenance")


@dataclass
class Call:
    """One request as a handler sees it."""
    sim: object  # the BackendSimulator (store, faults, auto_pay_after_s, commands)
    store: Store
    params: dict[str, str]
    body: dict | None
    now: float
    kiosk_id: str = ""
    key: str | None = None
    reject: bool = False
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Callable[[Call], Answer]
    keyed: bool = False

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        found = re.fullmatch(pattern, path)
        return found.groupdict() if found else None


def _order(c: Call) -> dict:
    return payments.find(c.store, c.params["out_trade_no"], c.now, c.sim.auto_pay_after_s)


def _heartbeat(c: Call) -> Answer:
    if c.params["kiosk_id"] != c.kiosk_id:
        raise ApiError(403, "forbidden", "a kiosk may only send its own heartbeat")
    checks.field(c.body, "state", str, choices=HEARTBEAT_STATES)
    checks.field(c.body, "app_version", str)
    checks.field(c.body, "devices", dict)
    checks.field(c.body, "pending_transactions", int)
    c.store.data["heartbeats"][c.kiosk_id] = {**c.body, "received_at": rfc3339(c.now)}
    commands = c.store.data["commands"].pop(c.kiosk_id, [])
    return Answer(200, {"commands": commands})


def _refund(c: Call) -> Answer:
    return payments.refund(c.store, _order(c), c.key, c.body, c.now, c.reject)


def _topup(c: Call) -> Answer:
    return subscribers.credit(c.store, c.kiosk_id, c.key, c.body, c.now, c.sim.auto_pay_after_s,
                              "plan_not_eligible" if c.reject else None)


def _generic_reject(c: Call) -> None:
    if c.reject:
        raise ApiError(422, "rejected", "rejected by a simulated fault", reason="simulated")


def _get_subscriber(c: Call) -> Answer:
    _generic_reject(c)
    return subscribers.lookup(c.store, c.params["msisdn"], c.now)


def _get_topup(c: Call) -> Answer:
    _generic_reject(c)
    return subscribers.get_topup(c.store, c.kiosk_id, c.params["credit_key"])


def _get_payment(c: Call) -> Answer:
    _generic_reject(c)
    return Answer(200, payments.status_body(_order(c)))


def _close(c: Call) -> Answer:
    _generic_reject(c)
    return payments.close(_order(c))


def _get_refund(c: Call) -> Answer:
    _generic_reject(c)
    _order(c)
    return payments.get_refund(c.store, c.params["out_trade_no"], c.params["refund_key"])


def _scan(c: Call) -> Answer:
    return scan.create(c.store, c.kiosk_id, c.key, c.body, c.now,
                       getattr(c.sim, "scan_confirm_after_s", scan.CONFIRM_AFTER_S), c.reject)


def _reverse(c: Call) -> Answer:
    order = _order(c)
    if c.reject and scan.is_scan(order):  # no business 422 fits: "ask again later"
        raise ApiError(409, "user_paying", "rejected by a simulated fault: ask again")
    return scan.reverse(order, c.now)


def _hold(c: Call) -> Answer:
    return subscribers.hold(c.store, c.kiosk_id, c.key, c.body, c.now,
                            "plan_not_eligible" if c.reject else None)


def _release_hold(c: Call) -> Answer:
    return holds.release(c.store, c.params["hold_id"], c.now)  # a reject fault changes nothing


def _heartbeat_route(c: Call) -> Answer:
    _generic_reject(c)
    return _heartbeat(c)


CONTRACT: tuple[Route, ...] = (
    Route("GET", "/v1/subscribers/{msisdn}", _get_subscriber),
    Route("POST", "/v1/topups", _topup, keyed=True),
    Route("GET", "/v1/topups/{credit_key}", _get_topup),
    Route("POST", "/v1/topups/holds", _hold, keyed=True),
    Route("DELETE", "/v1/topups/holds/{hold_id}", _release_hold),
    Route("POST", "/v1/payments/scan", _scan, keyed=True),
    Route("POST", "/v1/payments/{out_trade_no}/reverse", _reverse),
    Route("POST", "/v1/payments", lambda c: payments.create(
        c.store, c.kiosk_id, c.key, c.body, c.now, c.reject), keyed=True),
    Route("GET", "/v1/payments/{out_trade_no}", _get_payment),
    Route("POST", "/v1/payments/{out_trade_no}/close", _close),
    Route("POST", "/v1/payments/{out_trade_no}/refunds", _refund, keyed=True),
    Route("GET", "/v1/payments/{out_trade_no}/refunds/{refund_key}", _get_refund),
    Route("POST", "/v1/kiosks/{kiosk_id}/heartbeat", _heartbeat_route),
)
ROUTE_NAMES = tuple(r.name for r in CONTRACT)


# --- control routes (no signature: they play the customer's phone and the faults) ----------

def _sim_pay(c: Call) -> Answer:
    return payments.pay(_order(c), c.now)


def _sim_fault(c: Call) -> Answer:
    route = checks.field(c.body, "route", str, choices=ROUTE_NAMES)
    mode = checks.field(c.body, "mode", str, choices=MODES)
    count = c.body.get("count", 1)
    hold_s = c.body.get("hold_s", DEFAULT_HOLD_S)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ApiError(400, "bad_request", "field 'count' must be a whole number >= 0")
    if not isinstance(hold_s, int | float) or isinstance(hold_s, bool) or hold_s < 0:
        raise ApiError(400, "bad_request", "field 'hold_s' must be a number of seconds >= 0")
    c.sim.faults.arm(route, mode, count, float(hold_s))
    return Answer(201, {"route": route, "mode": mode, "count": count})


def _sim_ledger(c: Call) -> Answer:
    data = c.store.data
    for order in data["orders"].values():
        payments.refresh(order, c.now, c.sim.auto_pay_after_s)
    for hold in data["holds"].values():
        holds.refresh(hold, c.now)
    reversed_orders = [o for o in data["orders"].values() if o["status"] == "reversed"]
    return Answer(200, {"orders": list(data["orders"].values()),
                        "topups": list(data["topups"].values()),
                        "holds": list(data["holds"].values()),
                        "reversals": [{"out_trade_no": o["out_trade_no"],
                                       "refunded_cents": o["refunded_cents"],
                                       "reversed_at": o.get("reversed_at")}
                                      for o in reversed_orders],
                        "refunds": list(data["refunds"].values()),
                        "subscribers": data["subscribers"], "heartbeats": data["heartbeats"],
                        "commands": data["commands"]})


def _sim_reset(c: Call) -> Answer:
    c.sim.reset()
    return Answer(200, {"status": "reset"})


def _sim_command(c: Call) -> Answer:
    kind = checks.field(c.body, "kind", str)
    command = {"id": c.store.next_id("cmd"), "kind": kind}
    c.store.data["commands"].setdefault(c.params["kiosk_id"], []).append(command)
    return Answer(201, command)


CONTROL: tuple[Route, ...] = (
    Route("POST", "/_sim/payments/{out_trade_no}/pay", _sim_pay),
    Route("POST", "/_sim/faults", _sim_fault),
    Route("GET", "/_sim/ledger", _sim_ledger),
    Route("POST", "/_sim/reset", _sim_reset),
    Route("POST", "/_sim/kiosks/{kiosk_id}/commands", _sim_command),
)


def find(routes: tuple[Route, ...], method: str, path: str) -> tuple[Route | None, dict, bool]:
    """The route for (method, path), its parameters, and whether the path exists at all."""
    path_known = False
    for route in routes:
        params = route.match(method, path)
        if params is not None:
            return route, params, True
        if any(route.match(m, path) is not None for m in ("GET", "POST", "DELETE")):
            path_known = True
    return None, {}, path_known
