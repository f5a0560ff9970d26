"""What the screens render: the customer's session as one frozen view, and its timers.

``SessionView`` is rebuilt (``dataclasses.replace``) on every change and handed to the screens;
they read it and never change it. ``IdleTimer`` measures a state's time without a touch on the
injected clock; ``StateTimeouts`` says when each state's time is up; ``purchase_changes`` maps the
purchase service's events to flow events and view changes. ``PostQueue`` is a ``post`` for code without a UI loop (tests, the demo driver):
workers post callables, the owning thread runs them with ``run_pending``/``run_until``.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.flow.machine import IDLE_STATES, RESULT_STATES
from kiosk.money import events as ev

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionView:
    """The customer's session as the screens see it. Money is int cents; times are aware datetimes.

    Attributes:
        language: BCP 47 code of the customer's language (``zh-Hant``, ``zh-Hans``, ``en``).
        country: ``"852"`` or ``"86"``, the keypad's country choice.
        digits: the national digits typed so far; ``number_formatted`` groups them (``9123 4567``).
        number_error: an error code of ``kiosk.flow.phone`` (``too_short``, ``landline``…), translate
            with ``_("phone.error." + code)``; None when fine.
        msisdn: E.164 digits of the number looked up; ``number_display`` is ``+852 9123 4567``.
        subscriber: the backend's ``Subscriber`` (card, balance, owner hint) once found.
        card_expiry: the card screen's expiry lines in ``language`` (``kiosk.flow.expiry.CardExpiry``:
            ``date_line``, ``state`` such as "expires in 9 days", ``revival`` for an expired
            card, ``expired``); None without a subscriber or an expiry.
        offers: the subscriber's offers; ``offer`` is the chosen one.
        plan_expiry: what the chosen offer does to the expiry, in ``language`` ("New expiry: …",
            or that an add-on keeps the current one); "" when the backend does not say.
        methods: the payment methods to show now, in order (unavailable ones left out).
        method: the method chosen; ``amount_cents`` the price being paid.
        txn_id: the journal's transaction id, shown as the reference number.
        qr_payload / qr_expires_at: the wallet QR to show, None until the order exists.
        terminal_stage: the card terminal's last prompt (``PRESENT_CARD``, ``READING``,
            ``PIN_ENTRY``, ``AUTHORISING``, ``REMOVE_CARD``); None before the first.
        cancelling: Cancel (or the deadline) asked the payment to stop; waiting for its outcome.
        failure: why the flow left the happy path: a lookup reason (``not_found``, ``suspended``,
            ``expired``, ``not_registered``, ``no_offers``, ``backend_unavailable``), a payment
            failure (``declined``, ``expired``, ``customer``, ``unavailable``) or an attention reason.
        balance: the new balance after a credit (``Balance``), else None.
        receipt_status: ``printing``, ``printed``, ``paper_out``, ``failed``, ``no_printer``; None
            before a credit. ``e_receipt`` is the payload of the on-screen e-receipt QR.
        warning: the "still there?" warning is shown; ``seconds_left`` counts down to the timeout
            (None when the state has no timeout).
        out_of_service_reason: why the kiosk is out of service (``backend_down``,
            ``no_payment_method``, ``operator``, ``disk_full``…), or "".
        hotline, kiosk_id, location: from settings, for failure screens.
    """

    language: str = "zh-Hant"
    country: str = "852"
    digits: str = ""
    number_formatted: str = ""
    number_error: str | None = None
    msisdn: str | None = None
    number_display: str = ""
    subscriber: Any = None
    card_expiry: Any = None
    offers: tuple = ()
    offer: Any = None
    plan_expiry: str = ""
    methods: tuple[str, ...] = ()
    method: str | None = None
    amount_cents: int | None = None
    txn_id: str | None = None
    qr_payload: str | None = None
    qr_expires_at: datetime | None = None
    terminal_stage: str | None = None
    cancelling: bool = False
    failure: str | None = None
    balance: Any = None
    receipt_status: str | None = None
    e_receipt: str | None = None
    warning: bool = False
    seconds_left: int | None = None
    out_of_service_reason: str = ""
    hotline: str = ""
    kiosk_id: str = ""
    location: str = ""


class IdleTimer:
    """Time since the last touch (or state change) in the current state, on the injected clock."""

    def __init__(self, clock):
        self._clock = clock
        self._since = clock.monotonic()

    def restart(self) -> None:
        self._since = self._clock.monotonic()

    def elapsed_s(self) -> float:
        return self._clock.monotonic() - self._since


class PostQueue:
    """A thread-safe ``post`` for a thread without a UI loop: callables run when the owner drains."""

    def __init__(self):
        self._items: deque[Callable[[], None]] = deque()
        self._cond = threading.Condition()

    def __call__(self, fn: Callable[[], None]) -> None:
        with self._cond:
            self._items.append(fn)
            self._cond.notify_all()

    def run_pending(self) -> int:
        """Run every callable posted so far (and those they post); how many ran."""
        ran = 0
        while True:
            with self._cond:
                if not self._items:
                    return ran
                fn = self._items.popleft()
            fn()
            ran += 1

    def run_until(self, predicate: Callable[[], bool], timeout_s: float = 10.0) -> bool:
        """Run posted callables as they come until *predicate* holds; False after *timeout_s*."""
        end = time.monotonic() + timeout_s
        while True:
            self.run_pending()
            if predicate():
                return True
            with self._cond:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return False
                if not self._items:
                    self._cond.wait(min(remaining, 0.05))


# -- timeouts ---------------------------------------------------------------------------------
CARD_MARGIN_S = 15.0  # beyond the terminal's own card timeout, before the kiosk asks it to abort


@dataclass(frozen=True)
class TimeoutVerdict:
    """What the current state's timer says: time is up, show the warning, seconds to go."""

    expired: bool = False
    warning: bool = False
    seconds_left: int | None = None


class StateTimeouts:
    """Per-state limits: idle screens warn then time out; result screens return; money states end
    at the payment's own deadline (the QR's expiry, the terminal's card timeout)."""

    def __init__(self, settings, clock):
        self._flow = settings.flow
        self._payments = settings.payments
        self._clock = clock
        self._deadline: float | None = None  # monotonic, money states only

    def entered(self, state: str) -> None:
        """A state was entered: money states get their payment deadline."""
        now = self._clock.monotonic()
        if state == "paying_qr":
            self._deadline = now + self._payments.qr_expires_in_s
        elif state == "paying_card":
            self._deadline = now + self._payments.card_timeout_s + CARD_MARGIN_S
        else:
            self._deadline = None

    def qr_expires_at(self, expires_at: datetime | None) -> None:
        """The wallet order's own expiry: the QR screen counts down to it."""
        if expires_at is not None:
            self._deadline = self._clock.monotonic() + (expires_at.timestamp() - self._clock.now())

    def check(self, state: str, idle_s: float) -> TimeoutVerdict:
        if state in IDLE_STATES:
            limit = self._flow.idle_timeout_s
            return _verdict(limit - idle_s, warn_s=self._flow.warning_s)
        if state in RESULT_STATES:
            return _verdict(self._flow.result_screen_s - idle_s, warn_s=0.0)
        if state in ("paying_qr", "paying_card") and self._deadline is not None:
            return _verdict(self._deadline - self._clock.monotonic(), warn_s=0.0)
        return TimeoutVerdict()


def _verdict(left_s: float, warn_s: float) -> TimeoutVerdict:
    if left_s <= 0:
        return TimeoutVerdict(expired=True, seconds_left=0)
    return TimeoutVerdict(warning=left_s <= warn_s, seconds_left=math.ceil(left_s))


# -- purchase events → flow events and view changes (the one place they are mapped) --------------
def purchase_changes(event) -> tuple[str | None, dict]:
    """The flow event and the view changes a purchase event brings; (None, {}) for an unknown one."""
    if isinstance(event, ev.QrReady):
        return "qr_ready", {"qr_payload": event.qr_payload, "qr_expires_at": event.expires_at,
                            "amount_cents": event.amount_cents}
    if isinstance(event, ev.CardProgress):
        return "card_progressed", {"terminal_stage": event.stage}
    if isinstance(event, ev.Paid):
        return "paid", {"cancelling": False}
    if isinstance(event, ev.Credited):
        return "credited", {"balance": event.balance, "cancelling": False}
    if isinstance(event, ev.Declined):
        return "card_declined", {"failure": "declined", "cancelling": False}
    if isinstance(event, ev.PaymentCancelled):
        return "payment_cancelled", {"failure": event.reason, "cancelling": False}
    if isinstance(event, ev.CreditRejected):
        return "credit_rejected", {"failure": event.reason, "cancelling": False}
    if isinstance(event, ev.Refunded):
        return "refund_completed", {"cancelling": False}
    if isinstance(event, ev.NeedsAttention):
        return "attention_needed", {"failure": event.reason, "cancelling": False}
    return None, {}


# -- health input -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Availability:
    """The health monitor's last verdict: which configured methods can take money, and whether
    the kiosk may sell at all."""

    configured: tuple[str, ...]
    available: frozenset[str]
    in_service: bool = True
    reason: str = ""

    @classmethod
    def everything(cls, configured: tuple[str, ...]) -> Availability:
        return cls(tuple(configured), frozenset(configured))

    def methods(self) -> tuple[str, ...]:
        """The methods to offer now, in the configured order."""
        return tuple(m for m in self.configured if m in self.available)

    def verdict(self) -> tuple[bool, str]:
        """(may sell, reason when not)."""
        if not self.in_service:
            return False, self.reason or "unavailable"
        if not self.methods():
            return False, "no_payment_method"
        return True, ""


# -- the view and its subscribers -------------------------------------------------------------
class ViewStore:
    """The current ``SessionView`` and the screens subscribed to it (UI thread only)."""

    def __init__(self, fresh: SessionView, state: Callable[[], str]):
        self._fresh = fresh
        self._state = state
        self.view = fresh
        self._listeners: list[Callable[[str, SessionView], None]] = []

    def subscribe(self, callback: Callable[[str, SessionView], None]) -> Callable[[], None]:
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def set(self, **changes) -> None:
        """Change fields; subscribers hear of it only when something changed."""
        new = dataclasses.replace(self.view, **changes)
        if new != self.view:
            self.view = new
            self.notify()

    def reset(self, **keep) -> None:
        """Back to a fresh session (no notification: the transition that wiped it notifies)."""
        self.view = dataclasses.replace(self._fresh, **keep)

    def notify(self) -> None:
        state, view = self._state(), self.view
        for callback in list(self._listeners):
            callback(state, view)
