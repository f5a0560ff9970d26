"""What the money engine tells the flow: one frozen dataclass per outcome or progress step.

The purchase service calls ``on_event`` with these on a worker thread; the controller posts them
to the UI thread. Money is int cents; times are aware ``datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QrReady:
    """The wallet order exists: show this payload as a QR code until ``expires_at``."""

    txn_id: str
    qr_payload: str
    expires_at: datetime
    amount_cents: int
    method: str


@dataclass(frozen=True)
class CardProgress:
    """The card terminal moved on: PRESENT_CARD, READING, PIN_ENTRY, AUTHORISING, REMOVE_CARD."""

    txn_id: str
    stage: str


@dataclass(frozen=True)
class Paid:
    """The customer's money is taken; crediting follows. ``remaining_value_cents``: an Octopus
    card's value after the deduction (may be negative), else None."""

    txn_id: str
    remaining_value_cents: int | None = None


@dataclass(frozen=True)
class Credited:
    """The plan is on the card. ``balance`` is the backend's new balance (or None)."""

    txn_id: str
    balance: object | None
    topup_id: str


@dataclass(frozen=True)
class Declined:
    """The card was declined: nothing was charged. ``rc`` is the ISO 8583 response code."""

    txn_id: str
    reason: str
    rc: str


@dataclass(frozen=True)
class PaymentCancelled:
    """No payment happened: ``reason`` is expired, customer or unavailable."""

    txn_id: str
    reason: str


@dataclass(frozen=True)
class HoldRefused:
    """The backend refused to hold the plan before any money moved (``reason``: the top-up
    reasons, e.g. ``monthly_cap_exceeded``, ``plan_not_eligible``, ``quote_expired``): nothing
    was charged; show why before the customer pays."""

    txn_id: str
    reason: str


@dataclass(frozen=True)
class CreditRejected:
    """The backend definitely refused the credit (``reason``): the payment is being refunded."""

    txn_id: str
    reason: str


@dataclass(frozen=True)
class Refunded:
    """The plan could not be credited and the payment went back in full."""

    txn_id: str


@dataclass(frozen=True)
class NeedsAttention:
    """The outcome is not settled automatically (yet): show the reference and the hotline."""

    txn_id: str
    reason: str


@dataclass(frozen=True)
class Retrying:
    """An answer was ambiguous (the backend or the terminal did not confirm): the payment is
    safe, and the kiosk keeps retrying by itself until the plan is credited or the money is
    returned. ``reason`` says which call is being retried."""

    txn_id: str
    reason: str


PurchaseEvent = (QrReady | CardProgress | Paid | Credited | Declined | PaymentCancelled
                 | CreditRejected | Refunded | NeedsAttention | Retrying | HoldRefused)
FINAL_EVENTS = (Credited, Declined, PaymentCancelled, Refunded, NeedsAttention, Retrying,
                HoldRefused)


# --- scan to pay (the customer shows a wallet payment code) ---------------------------------

@dataclass(frozen=True)
class ConfirmOnPhone:
    """A scan order answered ``user_paying``: the wallet asks the customer to confirm the payment
    on the phone (password, large amount); the kiosk waits for the outcome."""

    txn_id: str
    method: str


@dataclass(frozen=True)
class ScanFailed:
    """A scan order failed for certain, nothing taken. ``reason``: ``insufficient_funds``,
    ``code_expired``, ``code_used``, ``risk_declined`` (the customer may show another code),
    ``bad_auth_code`` (not a wallet code) or another definite reason."""

    txn_id: str
    reason: str


PurchaseEvent = PurchaseEvent | ConfirmOnPhone | ScanFailed
FINAL_EVENTS = FINAL_EVENTS + (ScanFailed,)
