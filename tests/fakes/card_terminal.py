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

Octopus (``sale(..., tender="octopus")``): answers in the Octopus shape (brand OCTOPUS, the
card's last 4, ``remaining_value_cents`` = ``octopus_value_cents`` after the deduction). The
``plan`` may say ``{"result": "DECLINED", "rc": "IV"}`` etc., ``{"retap": True, ...}`` (an EVT
RETAP first), or ``{"result": "INCOMPLETE", "rc": "RT", "final": "APPROVED"|"CANCELLED"}``:
QUERY then answers IN_PROGRESS until ``resolve_incomplete(ref)``. ``tenders`` without
``"octopus"`` answers ERROR NS; VOID/REFUND of an Octopus sale answer ERROR NS.
"""

from __future__ import annotations

import dataclasses
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
        self.tenders = ("card", "octopus")
        self.octopus_value_cents = 50_000
        self._unresolved: dict[str, TerminalResult] = {}  # Octopus INCOMPLETE: the final answer

    # -- CardTerminal -----------------------------------------------------------------------
    def subscribe(self, callback):
        self._subs.add(callback)

    def status(self):
        return self.device_status

    def sale(self, ecr_ref, amount_cents, currency="344", timeout_s=60, tender="card"):
        self.sent.append(f"SALE {ecr_ref}")
        self.last_tender = tender
        if tender == "octopus":
            return self._octopus_sale(ecr_ref, amount_cents)
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
        if target_ecr_ref in self._unresolved:
            stored = self.outcomes[target_ecr_ref]
            return _octopus(TerminalResult("QUERY", target_ecr_ref, "IN_PROGRESS",
                                           amount_cents=stored.amount_cents, currency="344"))
        if target_ecr_ref in self.outcomes:
            return self.outcomes[target_ecr_ref]
        return TerminalResult("QUERY", target_ecr_ref, "NOT_FOUND")

    def void(self, ecr_ref, orig_ecr_ref):
        self.sent.append(f"VOID {ecr_ref}")
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        if self._is_octopus(orig_ecr_ref):
            return self._finish(TerminalResult("VOID", ecr_ref, "ERROR", "NS"))
        orig = self._voidable(orig_ecr_ref)
        if orig is None:
            return self._finish(self.answer("VOID", ecr_ref, "DECLINED", None, "12"))
        self._voided.add(orig_ecr_ref)
        return self._finish(self.answer("VOID", ecr_ref, "APPROVED", orig.amount_cents))

    def refund(self, ecr_ref, amount_cents, orig_rrn, currency="344"):
        self.sent.append(f"REFUND {ecr_ref} {amount_cents}")
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        if any(r.octopus and r.rrn == orig_rrn for r in self.outcomes.values() if r.rrn):
            return self._finish(TerminalResult("REFUND", ecr_ref, "ERROR", "NS",
                                               amount_cents=amount_cents, currency="344"))
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

    # -- Octopus ----------------------------------------------------------------------------
    def _octopus_sale(self, ecr_ref, amount_cents):
        if ecr_ref in self.outcomes:
            return self.outcomes[ecr_ref]
        if "octopus" not in self.tenders:
            return TerminalResult("SALE", ecr_ref, "ERROR", "NS", amount_cents=amount_cents,
                                  currency="344")
        self._subs.emit(TerminalProgress(ecr_ref, "PRESENT_CARD"))
        if self.hold is not None:
            self.hold.wait(10)
        plan = dict(self.plan)
        if plan.pop("retap", False):
            self._subs.emit(TerminalProgress(ecr_ref, "RETAP"))
        result, rc = plan["result"], plan["rc"]
        if ecr_ref in self._aborts:
            result, rc = "CANCELLED", ""
        if result == "INCOMPLETE":
            final = self._octopus_answer(ecr_ref, plan.get("final", "APPROVED"), amount_cents)
            self._unresolved[ecr_ref] = final
            return self._finish(_octopus(TerminalResult("SALE", ecr_ref, "INCOMPLETE", "RT",
                                                        amount_cents=amount_cents,
                                                        currency="344")))
        answer = self._octopus_answer(ecr_ref, result, amount_cents, rc)
        if "amount_cents" in plan or "currency" in plan:  # a faulty terminal's approval
            answer = dataclasses.replace(answer, amount_cents=plan.get("amount_cents", amount_cents),
                                         currency=plan.get("currency", "344"))
        return self._finish(answer)

    def _octopus_answer(self, ecr_ref, result, amount_cents, rc="00"):
        remaining = None
        if result == "APPROVED":
            self.octopus_value_cents -= amount_cents
            remaining = self.octopus_value_cents
        elif rc == "IV":
            remaining = self.octopus_value_cents
        approved = result == "APPROVED"
        return _octopus(TerminalResult("SALE", ecr_ref, result, rc if result != "CANCELLED" else "",
                                       rrn=f"RRN{ecr_ref[-6:]}" if approved else "",
                                       amount_cents=amount_cents, currency="344",
                                       remaining_value_cents=remaining))

    def resolve_incomplete(self, ecr_ref) -> TerminalResult:
        """The Octopus system resolved an INCOMPLETE sale: QUERY now answers its outcome."""
        final = self._unresolved.pop(ecr_ref)
        with self._lock:
            self.outcomes[ecr_ref] = final
            if final.approved:
                self._batch.append(ecr_ref)
        return final

    def _is_octopus(self, ecr_ref) -> bool:
        stored = self.outcomes.get(ecr_ref)
        return stored is not None and stored.octopus


def _octopus(result: TerminalResult) -> TerminalResult:
    """*result* in the Octopus shape: brand OCTOPUS, contactless, the card's last 4, no auth."""
    from dataclasses import replace

    return replace(result, brand="OCTOPUS", entry="CTLS", masked_pan="****5678", auth_code="")
