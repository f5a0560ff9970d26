"""One simulated sale on the terminal: the customer's progress, then the outcome by scenario."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

from devices.card_terminal import protocol as p
from devices.card_terminal.simulator_store import OutcomeStore

log = logging.getLogger(__name__)

TEST_CARDS = (("VISA", "476173******0119"), ("MASTERCARD", "545454******5454"),
              ("UNIONPAY", "625094******0017"))
TID, MID = "T0000001", "M000000000001"


class SaleRun:
    """Runs on its own thread: EVTs, the outcome stored, then the RSP (unless it is lost)."""

    def __init__(self, sale: p.Sale, scenario: str, delays, store: OutcomeStore,
                 send: Callable[[p.Message], None], on_silent: Callable[[], None],
                 on_done: Callable[[SaleRun], None]):
        self.sale, self.scenario, self.delays = sale, scenario, delays
        self._store, self._send, self._on_silent, self._on_done = store, send, on_silent, on_done
        self._aborted = threading.Event()
        self._quiet = False

    def start(self) -> None:
        threading.Thread(target=self._run, name=f"terminal-sale-{self.sale.ecr_ref}",
                         daemon=True).start()

    def abort(self) -> None:
        """The ECR sent ABORT: cancel unless authorisation has begun."""
        self._aborted.set()

    def cancel_quietly(self) -> None:
        """The simulator is stopping: end without answering."""
        self._quiet = True
        self._aborted.set()

    def _run(self) -> None:
        try:
            result = self._customer()
            if result is None or self._quiet:
                return
            self._store.record(result)
            if self.scenario == "lose_response":
                log.info("simulator fault: final RSP of %s lost", self.sale.ecr_ref)
                return
            self._send(result)
        finally:
            self._on_done(self)

    def _customer(self) -> p.TerminalResult | None:
        s, ref = self.scenario, self.sale.ecr_ref
        self._evt("PRESENT_CARD")
        if s == "silent":
            log.info("simulator fault: power lost during %s", ref)
            self._on_silent()
            return None
        if s == "no_card":
            wait_s = self.delays.no_card_s
            return self._end("TIMEOUT" if not self._pause(
                self.sale.timeout_s if wait_s is None else wait_s) else "CANCELLED")
        if s == "cancel":
            self._pause(self.delays.cancel_s)
            return self._end("CANCELLED")
        stages = ("READING", "PIN_ENTRY") if s == "decline_55" else ("READING",)
        for stage in (None,) + stages:
            if stage:
                self._evt(stage)
            if self._pause(self.delays.stage_s):
                return self._end("CANCELLED")
        self._evt("AUTHORISING")  # from here on an ABORT is too late
        time.sleep(self.delays.stage_s)
        self._evt("REMOVE_CARD")
        if s.startswith("decline_"):
            return self._end("DECLINED", rc=s.split("_")[1], card=True)
        amount = 1 if s == "approve_wrong_amount" else self.sale.amount_cents
        return self.approval("SALE", ref, amount, self.sale.currency, self._store)

    def _pause(self, seconds: float) -> bool:
        """Wait as the customer would; True if the ECR aborted meanwhile."""
        return self._aborted.wait(seconds) if seconds > 0 else self._aborted.is_set()

    def _evt(self, stage: str) -> None:
        if not self._quiet:
            self._send(p.Progress(self.sale.ecr_ref, stage))

    def _end(self, result: str, rc: str = "", card: bool = False) -> p.TerminalResult:
        brand, pan = TEST_CARDS[0] if card else ("", "")
        return p.TerminalResult(
            "SALE", self.sale.ecr_ref, result, rc, "", "", pan, brand, "CHIP" if card else "",
            TID, MID, self._store.next_trace(), _now(), self.sale.amount_cents, self.sale.currency)

    @staticmethod
    def approval(cmd: str, ecr_ref: str, amount_cents: int | None, currency: str,
                 store: OutcomeStore, orig: p.TerminalResult | None = None) -> p.TerminalResult:
        """An APPROVED answer with a fresh auth code, RRN and trace number."""
        brand, pan = (orig.brand, orig.masked_pan) if orig else random.choice(TEST_CARDS)
        entry = orig.entry if orig else "CONTACTLESS"
        if cmd == "SETTLE":  # a batch total, no card
            brand, pan, entry = "", "", ""
        trace = store.next_trace()
        rrn = f"{int(time.time()) % 1_000_000:06d}{trace}"
        return p.TerminalResult(
            cmd, ecr_ref, "APPROVED", "00", f"{random.randrange(10**6):06d}", rrn, pan, brand,
            entry, TID, MID, trace, _now(), amount_cents, currency)


def _now() -> str:
    return time.strftime("%Y%m%d%H%M%S")
