"""A fake of the backend client (``kiosk.backend.client.BackendClient``), in memory.

It keeps a ledger like the backend simulator's: subscribers to look up, wallet orders the
customer pays with ``pay()``, top-ups by credit key and refunds by refund key, each replayed
when its key comes again. Answers are the contract's values (``kiosk.backend.models``) and typed
errors (``kiosk.backend.errors``); tests/interfaces/test_backend.py holds it to the real client.

Faults per operation (``fault(op, *modes)``, one mode per call): ``"lost"`` fails the call before
it does anything, ``"drop"`` does the work then loses the answer (both raise ``Ambiguous``),
``"reject"`` refuses a credit (or a hold: ``plan_not_eligible``) with 422. Holds are refused
for the numbers in ``refuse_holds`` (number -> reason; the simulator refuses REJECTED_MSISDN's,
monthly cap) and are kept in ``holds`` by key; scan
payments follow the simulator's last-digit convention (``SCAN_BEHAVIOURS``). ``on_call(op)`` runs before each call (a test scripts the
customer there). ``violations()`` checks the money promise against the ledger.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from kiosk.backend.errors import Ambiguous, Conflict, NotFound, Rejected, StillPaying
from kiosk.backend.models import (
    Balance,
    Hold,
    PaymentOrder,
    PaymentStatus,
    Refund,
    Reversal,
    ScanPayment,
    Subscriber,
    Topup,
)

REJECTED_MSISDN = "85292345678"  # as in the simulator: the credit is refused, monthly cap exceeded
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOLD_TTL = timedelta(minutes=15)
# The simulator's convention: the auth code's last digit -> (status, failure reason).
SCAN_BEHAVIOURS = {d: ("paid", None) for d in "0129"} | {
    "3": ("user_paying", None), "4": ("user_paying", None),
    "5": ("failed", "insufficient_funds"), "6": ("failed", "code_expired"),
    "7": ("failed", "code_used"), "8": ("failed", "risk_declined")}


@dataclass
class Order:
    method: str
    amount_cents: int
    status: str = "pending"
    refunded_cents: int = 0
    paid_at: datetime | None = None
    reason: str | None = None
    scan: bool = False
    currency: str | None = None  # what get_payment names (None: left out, as the contract allows)


@dataclass
class FakeBackend:
    subscribers: dict[str, Subscriber | Exception] = field(default_factory=dict)
    faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    orders: dict[str, Order] = field(default_factory=dict)
    topups: dict[str, Topup] = field(default_factory=dict)
    credits: list[tuple[str, str]] = field(default_factory=list)  # (reference, credit key)
    refunds: dict[tuple[str, str], int] = field(default_factory=dict)
    holds: dict[str, dict] = field(default_factory=dict)  # hold key -> the hold's record
    released: list[str] = field(default_factory=list)  # hold ids released, once per call
    refuse_holds: dict[str, str] = field(default_factory=dict)  # number -> the hold's refusal
    calls: list[str] = field(default_factory=list)  # the operation of every call, in order
    posted: list[tuple[str, str]] = field(default_factory=list)  # (operation, idempotency key)
    lookups: list[str] = field(default_factory=list)  # the numbers looked up
    heartbeats: list[tuple] = field(default_factory=list)  # (state, version, devices, pending)
    heartbeat_counts: list[dict] = field(default_factory=list)  # the optional fields sent
    commands: list = field(default_factory=list)  # per heartbeat: Commands (a tuple), or an error
    closable: bool = True  # False: like a provider whose orders cannot be cancelled
    check_payment: bool = True  # False: a wallet credit needs no paid order here
    on_call: object = None  # callable(name) run before each call (tests script the customer)

    def __post_init__(self):
        self._lock = threading.RLock()
        self.heartbeat_seen = threading.Event()

    def fault(self, op: str, *modes: str) -> None:
        self.faults[op].extend(modes)

    def _enter(self, op: str) -> str | None:
        if self.on_call:
            self.on_call(op)
        with self._lock:
            self.calls.append(op)
            mode = self.faults[op].pop(0) if self.faults[op] else None
        if mode == "lost":
            raise Ambiguous(f"{op}: connection reset", http_status=None)
        return mode

    @staticmethod
    def _leave(op: str, mode: str | None) -> None:
        if mode == "drop":
            raise Ambiguous(f"{op}: answer lost after commit")

    # --- the customer's phone ---
    def pay(self, out_trade_no: str) -> bool:
        with self._lock:
            order = self.orders.get(out_trade_no)
            if order is None or order.status != "pending":
                return False
            order.status, order.paid_at = "paid", T0
            return True

    # --- the contract ---
    def get_subscriber(self, msisdn):
        mode = self._enter("get_subscriber")
        with self._lock:
            self.lookups.append(msisdn)
            answer = self.subscribers.get(msisdn)
        self._leave("get_subscriber", mode)
        if answer is None:
            raise NotFound("no such subscriber", "subscriber_not_found", 404)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def create_payment(self, out_trade_no, method, amount_cents, description, expires_in_s):
        mode = self._enter("create_payment")
        with self._lock:
            self.posted.append(("create_payment", out_trade_no))
            self.orders.setdefault(out_trade_no, Order(method, amount_cents))
        self._leave("create_payment", mode)
        return PaymentOrder(out_trade_no, "pending", f"QR:{out_trade_no}",
                            T0 + timedelta(seconds=expires_in_s))

    def get_payment(self, out_trade_no, wait_s=None):
        """Answers at once whatever *wait_s* (a server that ignores the long poll)."""
        self._leave("get_payment", self._enter("get_payment"))
        with self._lock:
            o = self.orders.get(out_trade_no)
            if o is None:
                return None
            return PaymentStatus(out_trade_no, o.status, o.amount_cents, o.paid_at,
                                 o.refunded_cents, o.method, o.reason, o.currency)

    def scan_payment(self, out_trade_no, auth_code, amount_cents, description):
        mode = self._enter("scan_payment")
        with self._lock:
            self.posted.append(("scan_payment", out_trade_no))
            wallet = ("wechatpay" if auth_code[:2] in ("10", "11", "12", "13", "14", "15")
                      and len(auth_code) == 18 else "alipayhk"
                      if auth_code[:2] in ("25", "26", "27", "28", "29", "30")
                      and 16 <= len(auth_code) <= 24 else None)
            if wallet is None or not auth_code.isdigit():
                raise Rejected("not a wallet code", "bad_auth_code", "bad_auth_code")
            if out_trade_no not in self.orders:
                status, reason = SCAN_BEHAVIOURS[auth_code[-1]]
                self.orders[out_trade_no] = Order(wallet, amount_cents, status, 0,
                                                  T0 if status == "paid" else None, reason, True)
            o = self.orders[out_trade_no]
        self._leave("scan_payment", mode)
        return ScanPayment(out_trade_no, o.method, o.status, o.amount_cents, o.paid_at, o.reason)

    def reverse_payment(self, out_trade_no):
        mode = self._enter("reverse_payment")
        with self._lock:
            o = self.orders.get(out_trade_no)
            if o is None:
                raise NotFound("no order", "not_found", 404)
            if not o.scan:
                raise Rejected("a QR order", "not_reversible", "not_reversible")
            if o.status == "user_paying":
                raise StillPaying("confirming", "user_paying", 409)
            if o.status != "reversed":
                if o.status in ("paid", "refunded"):
                    o.refunded_cents = o.amount_cents
                o.status = "reversed"
        self._leave("reverse_payment", mode)
        return Reversal("reversed", o.refunded_cents)

    def close_payment(self, out_trade_no):
        mode = self._enter("close_payment")
        with self._lock:
            o = self.orders.get(out_trade_no)
            if o is None:
                raise NotFound("no order", "not_found", 404)
            if o.status in ("paid", "refunded"):
                raise Conflict("already paid", "already_paid", 409)
            if self.closable:
                o.status = "closed"
        self._leave("close_payment", mode)
        return "closed"

    def create_topup(self, credit_key, msisdn, quote_id, plan_id, amount_cents, method,
                     reference, transaction_id, hold_id=None):
        mode = self._enter("create_topup")
        with self._lock:
            self.posted.append(("create_topup", credit_key))
            if credit_key not in self.topups:
                self.topups[credit_key] = self._decide(msisdn, amount_cents, method, reference,
                                                       mode, hold_id)
                if self.topups[credit_key].status == "credited":
                    self.credits.append((reference, credit_key))
            topup = self.topups[credit_key]
        self._leave("create_topup", mode)
        if topup.status == "rejected":
            raise Rejected("rejected", topup.reason)
        return topup

    def _decide(self, msisdn, amount_cents, method, reference, mode, hold_id=None) -> Topup:
        reason = None
        hold = next((h for h in self.holds.values() if h["hold_id"] == hold_id), None)
        if mode == "reject":
            reason = "price_mismatch"
        elif hold_id is not None and hold is None:
            reason = "hold_not_found"
        elif hold is not None and hold["status"] != "live":
            reason = "hold_used" if hold["status"] == "used" else "hold_expired"
        elif hold is not None and (hold["msisdn"], hold["amount_cents"]) != (msisdn,
                                                                             amount_cents):
            reason = "hold_mismatch"
        elif msisdn == REJECTED_MSISDN:
            reason = "monthly_cap_exceeded"
        elif (method not in ("card", "octopus") and self.check_payment
              and getattr(self.orders.get(reference), "status", "") != "paid"):
            reason = "payment_not_found"
        if reason:
            return Topup(None, "rejected", None, None, reason)
        if hold is not None:
            hold["status"] = "used"
        return Topup(f"T-{len(self.topups) + 1}", "credited", Balance(10240, T0), T0, None)

    def create_hold(self, hold_key, msisdn, quote_id, plan_id, amount_cents, transaction_id):
        mode = self._enter("create_hold")
        with self._lock:
            self.posted.append(("create_hold", hold_key))
            if hold_key not in self.holds:
                reason = ("plan_not_eligible" if mode == "reject"
                          else self.refuse_holds.get(msisdn))
                self.holds[hold_key] = {
                    "hold_id": f"H-{len(self.holds) + 1}", "msisdn": msisdn,
                    "plan_id": plan_id, "amount_cents": amount_cents,
                    "status": "refused" if reason else "live", "reason": reason}
            hold = dict(self.holds[hold_key])
        self._leave("create_hold", mode)
        if hold["reason"]:
            raise Rejected(f"hold refused: {hold['reason']}", hold["reason"])
        return Hold(hold["hold_id"], T0 + HOLD_TTL)

    def release_hold(self, hold_id):
        mode = self._enter("release_hold")
        with self._lock:
            self.released.append(hold_id)
            for hold in self.holds.values():
                if hold["hold_id"] == hold_id and hold["status"] == "live":
                    hold["status"] = "released"
        self._leave("release_hold", mode)

    def live_holds(self) -> list[str]:
        """Hold ids neither used nor released (for tests: an unused hold must be released)."""
        with self._lock:
            return [h["hold_id"] for h in self.holds.values() if h["status"] == "live"]

    def get_topup(self, credit_key):
        self._leave("get_topup", self._enter("get_topup"))
        with self._lock:
            return self.topups.get(credit_key)

    def create_refund(self, out_trade_no, refund_key, amount_cents, reason):
        mode = self._enter("create_refund")
        with self._lock:
            self.posted.append(("create_refund", refund_key))
            o = self.orders.get(out_trade_no)
            if o is None:
                raise NotFound("no order under that number", "not_found", 404)
            if (out_trade_no, refund_key) not in self.refunds:
                paid = o.amount_cents if o.status in ("paid", "refunded") else 0
                if amount_cents > paid - o.refunded_cents:
                    raise Rejected("not refundable", "not_refundable")
                self.refunds[(out_trade_no, refund_key)] = amount_cents
                o.refunded_cents += amount_cents
                if o.refunded_cents == o.amount_cents:
                    o.status = "refunded"
        self._leave("create_refund", mode)
        return Refund(f"R-{refund_key}", "succeeded")

    def get_refund(self, out_trade_no, refund_key):
        self._leave("get_refund", self._enter("get_refund"))
        with self._lock:
            if (out_trade_no, refund_key) in self.refunds:
                return Refund(f"R-{refund_key}", "succeeded")
            return None

    def heartbeat(self, state, app_version, devices, pending_transactions, **counts):
        mode = self._enter("heartbeat")
        with self._lock:
            self.heartbeats.append((state, app_version, dict(devices), pending_transactions))
            self.heartbeat_counts.append(dict(counts))
            answer = self.commands.pop(0) if self.commands else ()
        self.heartbeat_seen.set()
        self._leave("heartbeat", mode)
        if isinstance(answer, Exception):
            raise answer
        return tuple(answer)

    def close(self) -> None:
        pass

    # --- the checks ---
    def violations(self) -> list[str]:
        """Every paid order: exactly one credit or one full refund; no credit without payment."""
        found = []
        with self._lock:
            credited = defaultdict(int)
            for reference, _key in self.credits:
                credited[reference] += 1
            for no, o in self.orders.items():
                was_paid = o.status in ("paid", "refunded")
                refunds = [a for (n, _), a in self.refunds.items() if n == no]
                if credited[no] > 1 or len(refunds) > 1:
                    found.append(f"{no}: {credited[no]} credits, {len(refunds)} refunds")
                if credited[no] and refunds:
                    found.append(f"{no}: credited and refunded")
                if was_paid and not credited[no] and sum(refunds) != o.amount_cents:
                    found.append(f"{no}: paid, not credited, refunded {sum(refunds)}")
                if credited[no] and not was_paid:
                    found.append(f"{no}: credited without payment")
        return found
