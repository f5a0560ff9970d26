"""A card's expiry as the customer reads it: the local date, how many days off, what a top-up does.

Days are calendar days in the kiosk's time zone (settings ``journal.timezone``, Hong Kong),
counted from the injected clock's now: a card that ends at 23:59:59 tomorrow "expires tomorrow"
at any hour today, and the machine's own TZ plays no part. The controller puts these texts in the
``SessionView`` (``card_expiry``, ``plan_expiry``); the screens show them as they are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from kiosk import i18n

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExpiryState:
    """Where a card stands against its expiry, in local calendar days."""

    day: date  # the expiry's local date
    days: int  # local calendar days from today to ``day``; negative in the past
    expired: bool  # the backend says so, or the expiry time has passed


@dataclass(frozen=True)
class CardExpiry:
    """The card screen's expiry lines, in one language."""

    date_line: str  # "Valid until 12 December 2026", "Expired on 2 December 2026"
    state: str  # "expires in 9 days", "expires today", "expired yesterday"
    revival: str  # what a top-up does to an expired card; "" otherwise
    expired: bool


def expiry_state(expires_at: datetime | None, now: float, tz: tzinfo,
                 status: str = "active") -> ExpiryState | None:
    """The card's state at *now* (epoch seconds) in *tz*; None when there is no expiry."""
    if expires_at is None:
        return None
    day = expires_at.astimezone(tz).date()
    today = datetime.fromtimestamp(now, tz).date()
    expired = status == "expired" or expires_at.timestamp() <= now
    return ExpiryState(day, (day - today).days, expired)


def state_text(state: ExpiryState, language: str) -> str:
    """``expires in 9 days``, ``expires today``, ``expired yesterday``, ``expired 3 days ago``…"""
    days = state.days
    if state.expired:
        if days < -1:
            return i18n.translate_plural("card.expiry.days_ago", -days, language)
        # A backend may call a card expired before its date comes: then no count is true.
        key = {0: "expired_today", -1: "yesterday"}.get(days, "expired")
    else:  # not expired: its expiry is still ahead, so days >= 0
        if days > 1:
            return i18n.translate_plural("card.expiry.in_days", days, language)
        key = "today" if days == 0 else "tomorrow"
    return i18n.translate("card.expiry." + key, language)


def long_date(day: date, language: str) -> str:
    """A date written the customer's way (``2026年12月1日``, ``1 December 2026``)."""
    # From the catalogues rather than Babel's CLDR data: three fixed formats do not justify
    # loading it at every start (start-up memory is budgeted).
    month = i18n.translate("month." + str(day.month), language)
    return i18n.translate("date.long", language, year=day.year, day=day.day, month=month)


def card_expiry(subscriber: Any, now: float, tz: tzinfo, language: str) -> CardExpiry | None:
    """The card screen's expiry lines for *subscriber*; None when the backend gives no expiry."""
    state = expiry_state(subscriber.balance.expires_at, now, tz, subscriber.status)
    if state is None:
        return None
    when = long_date(state.day, language)
    if not state.expired:
        return CardExpiry(i18n.translate("card.expires", language, date=when),
                          state_text(state, language), "", False)
    # Only the backend's "expired" promises that a top-up revives the card from now.
    revival = i18n.translate("card.revive", language) if subscriber.status == "expired" else ""
    return CardExpiry(i18n.translate("card.expired_on", language, date=when),
                      state_text(state, language), revival, True)


def plan_expiry(offer: Any, current: datetime | None, tz: tzinfo, language: str) -> str:
    """What crediting *offer* does to the expiry (``New expiry: …``, or that an add-on keeps
    the current one); "" when the backend does not say (no ``new_expires_at``)."""
    new = offer.new_expires_at
    if new is None:
        return ""
    when = long_date(new.astimezone(tz).date(), language)
    if current is not None and new == current:
        return i18n.translate("confirm.keeps_expiry", language, date=when)
    return i18n.translate("confirm.new_expiry", language, date=when)


def view_texts(subscriber: Any, offer: Any, now: float, tz: tzinfo, language: str) -> dict:
    """The ``SessionView`` changes that carry the expiry texts for this session in *language*."""
    if subscriber is None:
        return {"card_expiry": None, "plan_expiry": ""}
    current = subscriber.balance.expires_at
    return {"card_expiry": card_expiry(subscriber, now, tz, language),
            "plan_expiry": plan_expiry(offer, current, tz, language) if offer is not None else ""}
