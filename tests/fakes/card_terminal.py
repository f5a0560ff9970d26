"""A fake card terminal (``devices.interfaces.CardTerminal``), in memory.

Like the terminal simulator it keeps every money outcome by ``ecr_ref`` (a repeated request
replays it, QUERY reads it), keeps a batch for VOID and SETTLE, and refuses a new SALE while the
outcome of the last one is unknown (until it is queried). tests/interfaces/test_card_terminal.py
holds it to the real driver on the simulator.

What a test sets: ``plan`` (what the next SALE answers: result, rc, and an ``amount_cents`` or
``currency`` other than asked), ``lose_answers`` (the next N money
answers are lost: ``OutcomeUnknown``), ``hold`` (an Event a SALE waits on: the customer at the
terminal), ``device_status``. What it reads: ``sent`` (the requests, in order), ``outcomes``,
``reversals()``, ``approved_sales()``, ``settled``.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from devices.card_terminal.protocol import TerminalResult
from devices.interfaces import (
    DeviceState,
    DeviceStatus,
    OutcomeUnknown,
    Subscribers,
    TerminalProgress,
)

CARD = {"masked_pan": "476173******0119", "brand": "VISA", "entry": "CTLS"}


class FakeTerminal:
    def __init__(self, device_status: DeviceStatus | None = None):
        self._subs = Subscribers()
        self._lock = threading.Lock()
        self.outcomes: dict[str, TerminalResult] = {}
        self.plan = {"result": "APPROVED", "rc": "00"}
        self.lose_answers = 0
        self.hold: threading.Event | None = None
        self.sent: list[str] = []
        self.settled: list[str] = []
        self.device_status = device_status or DeviceStatus(DeviceState.ONLINE, detail="READY")
        self.unknown: str | None = None  # a sale whose answer was lost, until it is queried
        self._aborts: set[str] = set()
        self._batch: list[str] = []  # approved SALE, VOID and REFUND refs since the last SETTLE
        self._voided: set[str] = set()

    # -- CardTerminal -----------------------------------------------------------------------
    def subscribe(self, callback):
        self._subs.add(callback)

    def status(self):
        return self.device_status

    def sale(self, ecr_ref, amount_cents, currency="344", timeout_s=60):
        self.sent.append(f"SALE {ecr_ref}")
        if self.unknown is not None:
            raise OutcomeUnknown(f"the outcome of {self.unknown} is unknown: query it first")
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        self._subs.emit(TerminalProgress(ecr_ref, "PRESENT_CARD"))
        if self.hold is not None:
            self.hold.wait(10)
        if ecr_ref in self._aborts:
            result = self.answer("SALE", ecr_ref, "CANCELLED", amount_cents, "")
        else:
            plan = dict(self.plan)
            amount = plan.pop("amount_cents", amount_cents)
            result = self.answer("SALE", ecr_ref, plan["result"], amount, plan["rc"],
                                 plan.get("currency", currency))
        try:
            return self._finish(result)
        except OutcomeUnknown:
            self.unknown = ecr_ref
            raise

    def abort(self, ecr_ref):
        self.sent.append(f"ABORT {ecr_ref}")
        self._aborts.add(ecr_ref)
        if self.hold is not None:
            self.hold.set()

    def query(self, target_ecr_ref):
        self.sent.append(f"QUERY {target_ecr_ref}")
        if self.unknown == target_ecr_ref:
            self.unknown = None
        if target_ecr_ref in self.outcomes:
            return self.outcomes[target_ecr_ref]
        return TerminalResult("QUERY", target_ecr_ref, "NOT_FOUND")

    def void(self, ecr_ref, orig_ecr_ref):
        self.sent.append(f"VOID {ecr_ref}")
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        orig = self._voidable(orig_ecr_ref)
        if orig is None:
            return self._finish(self.answer("VOID", ecr_ref, "DECLINED", None, "12"))
        self._voided.add(orig_ecr_ref)
        return self._finish(self.answer("VOID", ecr_ref, "APPROVED", orig.amount_cents))

    def refund(self, ecr_ref, amount_cents, orig_rrn, currency="344"):
        self.sent.append(f"REFUND {ecr_ref} {amount_cents}")
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        return self._finish(self.answer("REFUND", ecr_ref, "APPROVED", amount_cents))

    def settle(self, ecr_ref):
        self.sent.append(f"SETTLE {ecr_ref}")
        self.settled.append(ecr_ref)
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        net = 0
        for ref in self._batch:
            r = self.outcomes[ref]
            if r.cmd == "SALE" and ref not in self._voided:
                net += r.amount_cents or 0
            elif r.cmd == "REFUND":
                net -= r.amount_cents or 0
        self._batch, self._voided = [], set()
        result = TerminalResult("SETTLE", ecr_ref, "APPROVED", "00", amount_cents=abs(net),
                                currency="344")
        self.outcomes[ecr_ref] = result
        return result

    def close(self):
        pass

    # -- for the tests ----------------------------------------------------------------------
    @staticmethod
    def answer(cmd, ecr_ref, result, amount_cents, rc="00", currency="344") -> TerminalResult:
        """An answer as the terminal gives it: the card, and an auth code when approved."""
        approved = result == "APPROVED"
        return TerminalResult(cmd, ecr_ref, result, rc=rc, auth_code="A1" if approved else "",
                              rrn=f"RRN{ecr_ref[-6:]}" if approved else "", **CARD,
                              amount_cents=amount_cents, currency=currency)

    def reversals(self) -> dict[str, int]:
        """Approved VOIDs and REFUNDs per original sale (by the kiosk's ref naming)."""
        counts: dict[str, int] = defaultdict(int)
        for ref, r in self.outcomes.items():
            if r.cmd in ("VOID", "REFUND") and r.approved:
                counts[ref[:-1]] += 1
        return counts

    def approved_sales(self) -> dict[str, TerminalResult]:
        return {ref: r for ref, r in self.outcomes.items() if r.cmd == "SALE" and r.approved}

    def _voidable(self, orig_ecr_ref) -> TerminalResult | None:
        orig = self.outcomes.get(orig_ecr_ref)
        if (orig is None or orig.cmd != "SALE" or not orig.approved
                or orig_ecr_ref not in self._batch or orig_ecr_ref in self._voided):
            return None
        return orig

    def _finish(self, result: TerminalResult) -> TerminalResult:
        with self._lock:
            stored = self.outcomes.setdefault(result.ecr_ref, result)
            if stored is result and result.approved:
                self._batch.append(result.ecr_ref)
            if self.lose_answers:
                self.lose_answers -= 1
                raise OutcomeUnknown(f"{result.ecr_ref}: answer lost")
        return stored
