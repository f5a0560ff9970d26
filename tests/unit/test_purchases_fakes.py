"""Small fakes of the backend and the card terminal for the money engine's tests (no tests here).

``FakeBackend`` keeps a ledger like the backend simulator's and can lose answers: a fault
``"lost"`` fails a call before it does anything, ``"drop"`` does the work then loses the answer
(both raise ``Ambiguous``), ``"reject"`` refuses a credit with 422. ``violations()`` checks the
money promise against the ledger.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from devices.card_terminal.protocol import TerminalResult
from devices.interfaces import OutcomeUnknown, Subscribers, TerminalProgress
from kiosk.backend.errors import Ambiguous, Conflict, NotFound, Rejected
from kiosk.backend.models import (
    Balance,
    Offer,
    PaymentOrder,
    PaymentStatus,
    Refund,
    Topup,
)

REJECTED_MSISDN = "85292345678"
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FakeSubscriber:
    msisdn: str


def offer(price_cents: int = 8820, plan_id: str = "HK-30D-10GB") -> Offer:
    return Offer(quote_id=f"q-{plan_id}", plan_id=plan_id,
                 name={"en": "30 days 10GB", "zh-Hant": "30日 10GB", "zh-Hans": "30日 10GB"},
                 data_mb=10240, validity_days=30, price_cents=price_cents,
                 list_price_cents=price_cents, promotion=None, valid_until=T0)


@dataclass
class Order:
    method: str
    amount_cents: int
    status: str = "pending"
    refunded_cents: int = 0


@dataclass
class FakeBackend:
    faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    orders: dict[str, Order] = field(default_factory=dict)
    topups: dict[str, Topup] = field(default_factory=dict)
    credits: list[tuple[str, str]] = field(default_factory=list)  # (reference, credit key)
    refunds: dict[tuple[str, str], int] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    closable: bool = True  # False: like a provider whose orders cannot be cancelled
    on_call: object = None  # callable(name) run before each call (tests script the customer)

    def __post_init__(self):
        self._lock = threading.RLock()

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
            order.status = "paid"
            return True

    # --- the contract ---
    def create_payment(self, out_trade_no, method, amount_cents, description, expires_in_s):
        mode = self._enter("create_payment")
        with self._lock:
            self.orders.setdefault(out_trade_no, Order(method, amount_cents))
        self._leave("create_payment", mode)
        return PaymentOrder(out_trade_no, "pending", f"QR:{out_trade_no}", T0 + timedelta(minutes=2))

    def get_payment(self, out_trade_no):
        self._leave("get_payment", self._enter("get_payment"))
        with self._lock:
            o = self.orders.get(out_trade_no)
            if o is None:
                return None
            return PaymentStatus(out_trade_no, o.status, o.amount_cents, None, o.refunded_cents)

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
                     reference, transaction_id):
        mode = self._enter("create_topup")
        with self._lock:
            if credit_key not in self.topups:
                self.topups[credit_key] = self._decide(msisdn, amount_cents, method, reference,
                                                       mode)
                if self.topups[credit_key].status == "credited":
                    self.credits.append((reference, credit_key))
            topup = self.topups[credit_key]
        self._leave("create_topup", mode)
        if topup.status == "rejected":
            raise Rejected("rejected", topup.reason)
        return topup

    def _decide(self, msisdn, amount_cents, method, reference, mode) -> Topup:
        reason = None
        if mode == "reject":
            reason = "price_mismatch"
        elif msisdn == REJECTED_MSISDN:
            reason = "monthly_cap_exceeded"
        elif method != "card" and getattr(self.orders.get(reference), "status", "") != "paid":
            reason = "payment_not_found"
        if reason:
            return Topup(None, "rejected", None, None, reason)
        return Topup(f"T-{len(self.topups) + 1}", "credited", Balance(10240, T0), T0, None)

    def get_topup(self, credit_key):
        self._leave("get_topup", self._enter("get_topup"))
        with self._lock:
            return self.topups.get(credit_key)

    def create_refund(self, out_trade_no, refund_key, amount_cents, reason):
        mode = self._enter("create_refund")
        with self._lock:
            o = self.orders[out_trade_no]
            if (out_trade_no, refund_key) not in self.refunds:
                if o.status != "paid" or amount_cents > o.amount_cents - o.refunded_cents:
                    raise Rejected("not refundable", "not_refundable")
                self.refunds[(out_trade_no, refund_key)] = amount_cents
                o.refunded_cents += amount_cents
                o.status = "refunded"
        self._leave("create_refund", mode)
        return Refund(f"R-{refund_key}", "succeeded")

    def get_refund(self, out_trade_no, refund_key):
        self._leave("get_refund", self._enter("get_refund"))
        with self._lock:
            if (out_trade_no, refund_key) in self.refunds:
                return Refund(f"R-{refund_key}", "succeeded")
            return None

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


class FakeTerminal:
    """A terminal keeping outcomes by ecr_ref; ``plan`` sets what the next SALE does."""

    def __init__(self):
        self._subs = Subscribers()
        self.outcomes: dict[str, TerminalResult] = {}
        self.plan = {"result": "APPROVED", "rc": "00"}
        self.lose_answers = 0  # the next N money answers are lost (OutcomeUnknown)
        self.batch = 1
        self.sale_batches: dict[str, int] = {}
        self.aborted = threading.Event()
        self.hold = None  # an Event a SALE waits on (the customer at the terminal)
        self.sent: list[str] = []

    def subscribe(self, callback):
        self._subs.add(callback)

    def status(self):
        raise NotImplementedError

    def _result(self, cmd, ecr_ref, result, amount, rc="00", rrn=""):
        return TerminalResult(cmd, ecr_ref, result, rc=rc, auth_code="A1" if rc == "00" else "",
                              rrn=rrn, masked_pan="476173******0119", brand="VISA", entry="CTLS",
                              amount_cents=amount, currency="344")

    def _finish(self, ecr_ref, result):
        self.outcomes.setdefault(ecr_ref, result)
        if self.lose_answers:
            self.lose_answers -= 1
            raise OutcomeUnknown(f"{ecr_ref}: answer lost")
        return self.outcomes[ecr_ref]

    def sale(self, ecr_ref, amount_cents, currency="344", timeout_s=60):
        self.sent.append(f"SALE {ecr_ref}")
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        self._subs.emit(TerminalProgress(ecr_ref, "PRESENT_CARD"))
        if self.hold is not None:
            self.hold.wait(10)
        if self.aborted.is_set():
            return self._finish(ecr_ref, self._result("SALE", ecr_ref, "CANCELLED", None, "", ""))
        plan = dict(self.plan)
        amount = plan.pop("amount_cents", amount_cents)
        self.sale_batches[ecr_ref] = self.batch
        return self._finish(ecr_ref, self._result("SALE", ecr_ref, plan["result"], amount,
                                                  plan["rc"], f"RRN{ecr_ref[-6:]}"))

    def abort(self, ecr_ref):
        self.sent.append(f"ABORT {ecr_ref}")
        self.aborted.set()
        if self.hold is not None:
            self.hold.set()

    def query(self, target_ecr_ref):
        self.sent.append(f"QUERY {target_ecr_ref}")
        if target_ecr_ref in self.outcomes:
            return self.outcomes[target_ecr_ref]
        return TerminalResult("QUERY", target_ecr_ref, "NOT_FOUND")

    def void(self, ecr_ref, orig_ecr_ref):
        self.sent.append(f"VOID {ecr_ref}")
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        same_batch = self.sale_batches.get(orig_ecr_ref) == self.batch
        result = "APPROVED" if same_batch else "DECLINED"
        return self._finish(ecr_ref, self._result("VOID", ecr_ref, result, None,
                                                  "00" if same_batch else "12"))

    def refund(self, ecr_ref, amount_cents, orig_rrn, currency="344"):
        self.sent.append(f"REFUND {ecr_ref} {amount_cents}")
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        return self._finish(ecr_ref, self._result("REFUND", ecr_ref, "APPROVED", amount_cents))

    def settle(self, ecr_ref):
        self.batch += 1

    def close(self):
        pass

    def reversals(self) -> dict[str, int]:
        """Approved VOIDs and REFUNDs per original sale (by the kiosk's ref naming)."""
        counts: dict[str, int] = defaultdict(int)
        for ref, r in self.outcomes.items():
            if r.cmd in ("VOID", "REFUND") and r.approved:
                counts[ref[:-1]] += 1
        return counts

    def approved_sales(self) -> dict[str, TerminalResult]:
        return {ref: r for ref, r in self.outcomes.items() if r.cmd == "SALE" and r.approved}


class Rig:
    """A purchase service on a real journal (tmp dir), the fakes and a fake clock."""

    def __init__(self, tmp_path, **overrides):
        from contract.clock import FakeClock
        from kiosk.journal.store import Journal
        from kiosk.money.purchases import PurchaseService
        from kiosk.settings import load

        self.settings = load(None, {"payments.poll_interval_s": 2.0,
                                    "payments.qr_expires_in_s": 120, **overrides})
        self.clock = FakeClock()
        self.journal = Journal.open(tmp_path / "journal.sqlite3", "K01", self.clock)
        self.backend = FakeBackend()
        self.terminal = FakeTerminal()
        self.events: list = []
        self.service = PurchaseService(self.journal, self.backend, self.terminal, self.settings,
                                       self.clock)
        self.service.subscribe(self.events.append)

    def qr(self, msisdn="85291234567", method="wechatpay", price=8820) -> str:
        txn_id = self.service.start_qr(FakeSubscriber(msisdn), offer(price), method, "en")
        assert self.service.join(10), "the purchase did not finish"
        return txn_id

    def card(self, msisdn="85291234567", price=8820) -> str:
        txn_id = self.service.start_card(FakeSubscriber(msisdn), offer(price), "en")
        assert self.service.join(10), "the purchase did not finish"
        return txn_id

    def state(self, txn_id: str) -> str:
        return self.journal.get(txn_id).state

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]

    def pay_on(self, op: str, nth: int = 1, then=None):
        """The customer pays (or ``then`` runs) just before the nth call of ``op``."""
        seen = defaultdict(int)

        def hook(name):
            seen[name] += 1
            if name == op and seen[name] == nth:
                if then is None:
                    for no, o in list(self.backend.orders.items()):
                        if o.status == "pending":
                            self.backend.pay(no)
                else:
                    then()
        self.backend.on_call = hook

    def close(self):
        self.journal.close()
