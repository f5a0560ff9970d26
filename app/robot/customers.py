"""The robot's customers: who they are, what they buy, and how they pay (from a seed).

A wallet customer's phone is played through the backend simulator's ``/_sim/payments/{no}/pay``
(at once, soon, near or after the deadline, or never); a card customer through the terminal
simulator's scenarios. Delays are in the kiosk's clock seconds, compressed by the robot's clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.robot import scan_customers

# Demo subscribers with offers (the last one's credits are refused: monthly cap).
DEMO_NUMBERS = ("85291234567", "85261234567", "8613812345678", "85292345678")

# (behaviour, weight): what the customer does once the QR is shown.
QR_BEHAVIOURS = (("at_once", 40), ("soon", 15), ("near_deadline", 10), ("after_deadline", 10),
                 ("never", 10), ("cancel", 10), ("cancel_then_pay", 5))
# (terminal scenario or kiosk-side cancel, weight): what the customer does at the terminal.
CARD_BEHAVIOURS = (("approve", 60), ("decline_05", 4), ("decline_51", 4), ("decline_54", 2),
                   ("decline_55", 3), ("decline_91", 2), ("cancel", 8), ("no_card", 7),
                   ("lose_response", 5), ("kiosk_cancel", 5), ("approve_wrong_amount", 2))
# (terminal scenario or kiosk-side cancel, weight): what an Octopus customer does at the reader.
OCTOPUS_BEHAVIOURS = (("approve", 45), ("decline_iv", 6), ("decline_bl", 3), ("decline_lm", 3),
                      ("retap", 15), ("incomplete_approved", 12), ("incomplete_cancelled", 8),
                      ("lose_response", 4), ("kiosk_cancel", 4))
# The share of the customers who do not scan (every 4th scans) paying by Octopus when the
# terminal takes it (the rest pick among the other methods): at least 20 % of all by default.
OCTOPUS_SHARE = 0.3  # of the customers who do not scan: 22.5 % of all
# Backend routes the robot breaks now and then when asked for faults, and how.
FAULT_ROUTES = ("POST /v1/payments", "GET /v1/payments/{out_trade_no}",
                "POST /v1/payments/{out_trade_no}/close", "POST /v1/topups",
                "GET /v1/topups/{credit_key}", "POST /v1/payments/{out_trade_no}/refunds",
                "GET /v1/payments/{out_trade_no}/refunds/{refund_key}",
                "POST /v1/topups/holds", "DELETE /v1/topups/holds/{hold_id}")
FAULT_ROUTES += ("POST /v1/payments/scan", "POST /v1/payments/{out_trade_no}/reverse")
FAULT_MODES = ("http_500", "timeout", "drop_after_commit", "reject")


@dataclass(frozen=True)
class Customer:
    """One walk-in: the number, the method, and what they do (pay when, or terminal scenario)."""

    number: int
    msisdn: str
    method: str
    behaviour: str
    offer_pick: float  # which of the offers, as a fraction of the list
    pay_after_s: float | None  # kiosk-clock seconds after the QR shows; None = never
    cancel_after_s: float | None  # kiosk-clock seconds after the start; None = never
    fault: tuple[str, str] | None  # (route, mode) armed before this customer starts
    code: str | None = None  # a scan customer's wallet payment code


class CustomerSource:
    """Deterministic customers from a seed."""

    def __init__(self, seed: int, methods: tuple[str, ...], qr_deadline_s: float,
                 fault_rate: float = 0.0, scan_share: float = scan_customers.SCAN_SHARE):
        self._rng = random.Random(seed)
        self._methods = methods
        self._deadline = qr_deadline_s
        self._fault_rate = fault_rate
        self._count = 0
        self._scan_share = scan_share

    def next(self) -> Customer:
        rng = self._rng
        self._count += 1
        if self._scan_share and self._count % round(1 / self._scan_share) == 0:
            return self._scan_customer(rng)  # every 4th customer by default
        method = self._method(rng)
        table = CARD_BEHAVIOURS if method == "card" else QR_BEHAVIOURS
        if method == "octopus":
            table = OCTOPUS_BEHAVIOURS
        behaviour = rng.choices([b for b, _ in table], [w for _, w in table])[0]
        pay, cancel = self._timing(behaviour, rng)
        fault = None
        if self._fault_rate and rng.random() < self._fault_rate:
            fault = (rng.choice(FAULT_ROUTES), rng.choice(FAULT_MODES))
        return Customer(self._count, rng.choice(DEMO_NUMBERS), method, behaviour, rng.random(),
                        pay, cancel, fault)

    def _method(self, rng: random.Random) -> str:
        """Octopus for ``OCTOPUS_SHARE`` of the customers when offered, else any other method."""
        others = tuple(m for m in self._methods if m != "octopus")
        if "octopus" in self._methods and (not others or rng.random() < OCTOPUS_SHARE):
            return "octopus"
        return rng.choice(others)

    def _scan_customer(self, rng: random.Random) -> Customer:
        behaviour = scan_customers.pick_behaviour(rng)
        code = scan_customers.code_for(behaviour, rng)
        pay, cancel = scan_customers.timing(behaviour, rng)
        fault = None
        if self._fault_rate and rng.random() < self._fault_rate:
            fault = (rng.choice(FAULT_ROUTES), rng.choice(FAULT_MODES))
        return Customer(self._count, rng.choice(DEMO_NUMBERS), scan_customers.SCAN, behaviour,
                        rng.random(), pay, cancel, fault, code)

    def _timing(self, behaviour: str, rng: random.Random) -> tuple[float | None, float | None]:
        d = self._deadline
        return {
            "at_once": (0.0, None),
            "soon": (rng.uniform(0.05, 0.5) * d, None),
            "near_deadline": (rng.uniform(0.9, 1.0) * d, None),
            "after_deadline": (rng.uniform(1.0, 1.1) * d, None),
            "cancel": (None, rng.uniform(0.05, 0.5) * d),
            "cancel_then_pay": (rng.uniform(0.2, 0.6) * d, rng.uniform(0.1, 0.3) * d),
            "kiosk_cancel": (None, rng.uniform(0.0, 1.0)),
        }.get(behaviour, (None, None))
