"""Frozen values of the backend contract and their strict mapping from JSON.

Money is int cents, times are aware UTC datetimes. A parser raises ``MalformedAnswer`` for a
missing field or a wrong type; the client turns that into an ``Ambiguous`` error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class MalformedAnswer(ValueError):
    """A 2xx answer whose JSON does not have the contract's shape."""


@dataclass(frozen=True)
class Card:
    type: str
    brand: str
    operator: str


@dataclass(frozen=True)
class Balance:
    data_mb_left: int | None  # None = unlimited
    expires_at: datetime | None


@dataclass(frozen=True)
class Limits:
    monthly_cap_cents: int
    monthly_used_cents: int


@dataclass(frozen=True)
class Promotion:
    id: str
    label: dict[str, str]


@dataclass(frozen=True)
class Offer:
    quote_id: str
    plan_id: str
    name: dict[str, str]
    data_mb: int | None
    validity_days: int
    price_cents: int
    list_price_cents: int
    promotion: Promotion | None
    valid_until: datetime
    new_expires_at: datetime | None = None  # the card's expiry if credited now; None: not told


@dataclass(frozen=True)
class Subscriber:
    msisdn: str
    status: str  # active | suspended | expired
    real_name_registered: bool
    card: Card
    owner_hint: str | None
    balance: Balance
    limits: Limits
    offers: tuple[Offer, ...]


@dataclass(frozen=True)
class PaymentOrder:
    out_trade_no: str
    status: str
    qr_payload: str
    expires_at: datetime


@dataclass(frozen=True)
class PaymentStatus:
    out_trade_no: str
    status: str  # pending | paid | closed | expired | refunded (scan: user_paying|failed|reversed)
    amount_cents: int
    paid_at: datetime | None
    refunded_cents: int
    method: str | None = None  # None: the server did not say
    reason: str | None = None  # why a scan order failed; None otherwise
    currency: str | None = None  # when the backend names it (always HKD by the contract)

    @property
    def waiting(self) -> bool:
        """Still open: the customer may yet pay (``pending``) or confirm (``user_paying``)."""
        return self.status in WAITING_STATUSES


# An order in one of these may still change by itself: the ones a long poll waits on.
WAITING_STATUSES = ("pending", "user_paying")
SCAN_STATUSES = ("paid", "user_paying", "failed")
SCAN_FAILURES = ("insufficient_funds", "code_expired", "code_used", "risk_declined")


@dataclass(frozen=True)
class ScanPayment:
    """The answer to a scan payment: ``paid``, ``user_paying`` (query until it ends) or
    ``failed`` with ``reason`` (definite, nothing taken; an unknown reason is still definite)."""
    out_trade_no: str
    method: str  # the wallet the server told from the code's prefix
    status: str  # paid | user_paying | failed
    amount_cents: int
    paid_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class Reversal:
    """A scan order ended by a reverse: ``refunded_cents`` is what was given back (0: nothing
    had been taken)."""
    status: str  # always "reversed"
    refunded_cents: int


@dataclass(frozen=True)
class Hold:
    """A plan reserved for a subscriber at a price until ``expires_at`` (cap and eligibility
    checked by the server)."""
    hold_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Topup:
    topup_id: str | None
    status: str  # credited | rejected
    balance: Balance | None
    credited_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class Refund:
    refund_id: str
    status: str  # succeeded | pending


@dataclass(frozen=True)
class Command:
    id: str
    kind: str


# --- field readers --------------------------------------------------------------------------

def _get(d: dict, key: str, kind: type | tuple, optional: bool = False) -> Any:
    if not isinstance(d, dict):
        raise MalformedAnswer(f"expected an object, got {type(d).__name__}")
    if key not in d:
        raise MalformedAnswer(f"missing field {key!r}")
    value = d[key]
    if value is None and optional:
        return None
    if isinstance(value, bool) and kind is not bool:
        raise MalformedAnswer(f"field {key!r} must not be a boolean")
    if not isinstance(value, kind):
        raise MalformedAnswer(f"field {key!r} has type {type(value).__name__}")
    return value


def _time(d: dict, key: str, optional: bool = False) -> datetime | None:
    text = _get(d, key, str, optional)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedAnswer(f"field {key!r} is not an RFC 3339 time") from None
    if value.tzinfo is None:
        raise MalformedAnswer(f"field {key!r} has no time zone")
    return value.astimezone(UTC)


def _names(d: dict, key: str) -> dict[str, str]:
    names = _get(d, key, dict)
    if not names or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
        raise MalformedAnswer(f"field {key!r} must map languages to text")
    return dict(names)


def _cents(d: dict, key: str) -> int:
    value = _get(d, key, int)
    if value < 0:
        raise MalformedAnswer(f"field {key!r} is negative")
    return value


# --- parsers --------------------------------------------------------------------------------

def parse_balance(d: dict) -> Balance:
    return Balance(_get(d, "data_mb_left", int, optional=True), _time(d, "expires_at", True))


def parse_offer(d: dict) -> Offer:
    promo = _get(d, "promotion", dict, optional=True) if "promotion" in d else None
    return Offer(
        quote_id=_get(d, "quote_id", str), plan_id=_get(d, "plan_id", str),
        name=_names(d, "name"), data_mb=_get(d, "data_mb", int, optional=True),
        validity_days=_get(d, "validity_days", int), price_cents=_cents(d, "price_cents"),
        list_price_cents=_cents(d, "list_price_cents") if "list_price_cents" in d
        else _cents(d, "price_cents"),
        promotion=Promotion(_get(promo, "id", str), _names(promo, "label")) if promo else None,
        valid_until=_time(d, "valid_until"),
        new_expires_at=_time(d, "new_expires_at", optional=True) if "new_expires_at" in d
        else None,
    )


def parse_subscriber(d: dict) -> Subscriber:
    card = _get(d, "card", dict)
    limits = _get(d, "limits", dict)
    return Subscriber(
        msisdn=_get(d, "msisdn", str), status=_get(d, "status", str),
        real_name_registered=_get(d, "real_name_registered", bool),
        card=Card(_get(card, "type", str), _get(card, "brand", str), _get(card, "operator", str)),
        owner_hint=_get(d, "owner_hint", str, optional=True) if "owner_hint" in d else None,
        balance=parse_balance(_get(d, "balance", dict)),
        limits=Limits(_cents(limits, "monthly_cap_cents"), _cents(limits, "monthly_used_cents")),
        offers=tuple(parse_offer(o) for o in _get(d, "offers", list)),
    )


def parse_payment_order(d: dict) -> PaymentOrder:
    return PaymentOrder(_get(d, "out_trade_no", str), _get(d, "status", str),
                        _get(d, "qr_payload", str), _time(d, "expires_at"))


def _optional(d: dict, key: str, kind: type) -> Any:
    """A field that may be absent or null (None then)."""
    return _get(d, key, kind, optional=True) if isinstance(d, dict) and key in d else None


def parse_payment_status(d: dict) -> PaymentStatus:
    return PaymentStatus(_get(d, "out_trade_no", str), _get(d, "status", str),
                         _cents(d, "amount_cents"), _time(d, "paid_at", optional=True),
                         _cents(d, "refunded_cents"), _optional(d, "method", str),
                         _optional(d, "reason", str), _optional(d, "currency", str))


def parse_scan_payment(d: dict) -> ScanPayment:
    status = _get(d, "status", str)
    if status not in SCAN_STATUSES:
        raise MalformedAnswer(f"unknown scan payment status {status!r}")
    reason = _optional(d, "reason", str)
    if status == "failed" and not reason:
        raise MalformedAnswer("a failed scan payment without a reason")
    paid_at = _time(d, "paid_at", optional=True) if "paid_at" in d else None
    return ScanPayment(_get(d, "out_trade_no", str), _get(d, "method", str), status,
                       _cents(d, "amount_cents"), paid_at, reason if status == "failed" else None)


def parse_reversal(d: dict) -> Reversal:
    status = _get(d, "status", str)
    if status != "reversed":
        raise MalformedAnswer(f"a reverse answered status {status!r}")
    return Reversal(status, _cents(d, "refunded_cents"))


def parse_hold(d: dict) -> Hold:
    hold_id = _get(d, "hold_id", str)
    if not hold_id:
        raise MalformedAnswer("empty hold_id")
    return Hold(hold_id, _time(d, "expires_at"))


def parse_topup(d: dict) -> Topup:
    status = _get(d, "status", str)
    if status == "credited":
        return Topup(_get(d, "topup_id", str), status, parse_balance(_get(d, "balance", dict)),
                     _time(d, "credited_at"), None)
    if status == "rejected":
        topup_id = _get(d, "topup_id", str, optional=True) if "topup_id" in d else None
        return Topup(topup_id, status, None, None, _get(d, "reason", str))
    raise MalformedAnswer(f"unknown top-up status {status!r}")


def parse_refund(d: dict) -> Refund:
    return Refund(_get(d, "refund_id", str), _get(d, "status", str))


def parse_close(d: dict) -> str:
    return _get(d, "status", str)


def parse_commands(d: dict) -> tuple[Command, ...]:
    return tuple(Command(_get(c, "id", str), _get(c, "kind", str))
                 for c in _get(d, "commands", list))
