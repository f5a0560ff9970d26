"""One simulated Octopus sale on a multi-tender terminal (the spec's "Octopus on the same terminal").

The customer taps a card with a stored value (``OctopusCard``); the scenario decides the rest:

- ``approve``: the value is deducted; APPROVED with the remaining value (a card without
  enough value, down to HK$35 negative, is declined ``IV`` by itself);
- ``decline_iv`` / ``decline_bl`` / ``decline_lm``: DECLINED with that rc (an amount above
  100000 cents is always ``LM``, whatever the scenario);
- ``retap``: EVT RETAP (the card left the field mid-deduction), the customer taps the same card
  again after ``Delays.retap_s``, then APPROVED;
- ``incomplete_approved`` / ``incomplete_cancelled``: EVT RETAP, nobody taps again within
  ``Delays.retap_window_s``: RSP INCOMPLETE rc RT. QUERY answers IN_PROGRESS until
  ``Delays.octopus_resolve_s`` later (or ``CardTerminalSimulator.resolve_incomplete``), then the
  stored APPROVED (value deducted) or CANCELLED. The terminal takes new sales meanwhile.
- ``cancel``, ``no_card``, ``silent``, ``lose_response`` and a card decline ``decline_NN``
  behave as for a card sale, answered in the Octopus shape.

Every RSP about an Octopus sale has brand OCTOPUS, entry CTLS, the card's last 4 as
``****1234``, no auth code, and the remaining value (None when the card was not read).
"""

from __future__ import annotations

import logging
import threading
import time

from devices.card_terminal import protocol as p
from devices.card_terminal.scenarios import OCTOPUS_ONLY_SCENARIOS  # noqa: F401 (for callers)
from devices.card_terminal.simulator_sale import MID, TID, SaleRun, _now

log = logging.getLogger(__name__)

OCTOPUS_CARD_PAN = "****5678"
OCTOPUS_MIN_VALUE_CENTS = -3500  # an Octopus card may go down to HK$35 negative


class OctopusCard:
    """The simulated customer's Octopus card: its stored value, deducted by approved sales."""

    def __init__(self, value_cents: int = 50_000, masked_pan: str = OCTOPUS_CARD_PAN):
        self.masked_pan = masked_pan
        self._value = value_cents
        self._lock = threading.Lock()

    @property
    def value_cents(self) -> int:
        with self._lock:
            return self._value

    def set_value(self, cents: int) -> None:
        with self._lock:
            self._value = cents

    def deduct(self, cents: int) -> int | None:
        """The value after deducting *cents*, or None (nothing deducted) if it would go below
        the card's negative limit."""
        with self._lock:
            if self._value - cents < OCTOPUS_MIN_VALUE_CENTS:
                return None
            self._value -= cents
            return self._value


class OctopusSaleRun(SaleRun):
    """A ``SaleRun`` for a SALE with tender OCTOPUS (same thread, store and answer path)."""

    def __init__(self, *args, card: OctopusCard, on_incomplete, **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        self._on_incomplete = on_incomplete  # (final outcome, resolve after seconds)

    def _customer(self) -> p.TerminalResult | None:
        s, sale = self.scenario, self.sale
        self._evt("PRESENT_CARD")
        if sale.amount_cents > p.OCTOPUS_MAX_SALE_CENTS or s == "decline_lm":
            return self.octopus_answer("DECLINED", p.RC_OVER_LIMIT, read=False)
        if s == "silent":
            log.info("simulator fault: power lost during %s", sale.ecr_ref)
            self._on_silent()
            return None
        if s == "no_card":
            wait_s = self.delays.no_card_s
            aborted = self._pause(sale.timeout_s if wait_s is None else wait_s)
            return self.octopus_answer("CANCELLED" if aborted else "TIMEOUT", read=False)
        if s == "cancel":
            self._pause(self.delays.cancel_s)
            return self.octopus_answer("CANCELLED", read=False)
        if self._pause(self.delays.stage_s):
            return self.octopus_answer("CANCELLED", read=False)
        self._evt("READING")  # from here on the card is in the field: an ABORT is too late
        time.sleep(self.delays.stage_s)
        if s == "decline_bl":
            return self.octopus_answer("DECLINED", p.RC_BLOCKED)
        if s.startswith("decline_") and s != "decline_iv":
            return self.octopus_answer("DECLINED", s.split("_")[1])
        if s in ("retap", "incomplete_approved", "incomplete_cancelled"):
            self._evt(p.RETAP)
            if s != "retap":
                return self._incomplete(s == "incomplete_approved")
            time.sleep(self.delays.retap_s)  # the customer taps the same card again
        if s == "decline_iv":
            return self.octopus_answer("DECLINED", p.RC_INSUFFICIENT_VALUE,
                                       remaining=self.card.value_cents)
        return self._deduct()

    def _deduct(self) -> p.TerminalResult:
        remaining = self.card.deduct(self.sale.amount_cents)
        if remaining is None:
            return self.octopus_answer("DECLINED", p.RC_INSUFFICIENT_VALUE,
                                       remaining=self.card.value_cents)
        return self.octopus_answer("APPROVED", "00", remaining=remaining)

    def _incomplete(self, deducted: bool) -> p.TerminalResult:
        time.sleep(self.delays.retap_window_s)  # nobody taps again
        if deducted:
            final = self._deduct()
        else:
            final = self.octopus_answer("CANCELLED")
        self._on_incomplete(final, self.delays.octopus_resolve_s)
        log.info("simulator: Octopus sale %s INCOMPLETE, resolves %s", self.sale.ecr_ref,
                 final.result)
        return self.octopus_answer("INCOMPLETE", p.RC_RETAP)

    def octopus_answer(self, result: str, rc: str = "", *, read: bool = True,
                       remaining: int | None = None) -> p.TerminalResult:
        return octopus_result("SALE", self.sale, result, rc, self._store.next_trace(),
                              self.card.masked_pan if read else "", remaining)


def octopus_result(cmd: str, sale: p.Sale, result: str, rc: str, trace: str, masked_pan: str,
                   remaining: int | None) -> p.TerminalResult:
    """An RSP about an Octopus sale, in the spec's shape."""
    rrn = f"{int(time.time()) % 1_000_000:06d}{trace}" if result == "APPROVED" else ""
    return p.TerminalResult(cmd, sale.ecr_ref, result, rc, "", rrn, masked_pan, p.OCTOPUS_BRAND,
                            "CTLS", TID, MID, trace, _now(), sale.amount_cents, sale.currency,
                            remaining)


def in_progress_about(stored: p.TerminalResult) -> p.TerminalResult:
    """QUERY's IN_PROGRESS answer about an unresolved Octopus sale (brand and card kept)."""
    return p.TerminalResult("QUERY", stored.ecr_ref, "IN_PROGRESS", "", "", "",
                            stored.masked_pan, p.OCTOPUS_BRAND, "CTLS", TID, MID, "", "",
                            stored.amount_cents, stored.currency, None)
