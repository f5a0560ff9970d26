"""What the screens render: the customer's session as one frozen view, and who is told of it.

``SessionView`` is rebuilt (``dataclasses.replace``) on every change and handed to the screens;
they read it and never change it. ``ViewStore`` holds the current one and its subscribers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


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
            failure (``declined``, ``expired``, ``customer``, ``unavailable``, or ``hold.<reason>``
            when the plan could not be held before paying) or an attention reason.
        balance: the new balance after a credit (``Balance``), else None.
        receipt_status: ``printing``, ``printed``, ``paper_out``, ``failed``, ``no_printer``; None
            before a credit. ``e_receipt`` is the payload of the on-screen e-receipt QR.
        warning: the "still there?" warning is shown; ``seconds_left`` counts down to the timeout
            (None when the state has no timeout).
        out_of_service_reason: why the kiosk is out of service, as ``kiosk.ops.health`` says
            (``backend_unreachable``, ``no_payment_method``, ``switched_off_by_operator``,
            ``switched_off_by_backend``, ``disk_low``), or "".
        hotline, kiosk_id, location: from settings, for failure screens.
        privacy: the Personal Information Collection Statement of the number screen
            (``kiosk.privacy_statement.PrivacyStatements``), None before the core is built.
        scan_stage: on the scan screen (``paying_scan``): None while waiting for a code,
            ``checking`` while a scan order is asked for, ``confirm_on_phone`` when the wallet
            asks the customer to confirm on the phone.
        scan_error: why the last code did not pay, translate with ``_("scan.error." + code)``:
            a check before any backend call (``product_barcode``, ``wrong_length``,
            ``unknown_prefix``, ``not_digits``, ``same_code``) or the wallet's definite answer
            (``insufficient_funds``, ``code_expired``, ``code_used``, ``risk_declined``,
            ``bad_auth_code``, …); None when there is nothing to say.
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
    privacy: Any = None
    # Octopus: the card's value after the deduction (cents, may be negative; None: not known),
    # and the seconds left to tap the same card again after the terminal's RETAP prompt.
    remaining_value_cents: int | None = None
    retap_seconds_left: int | None = None
    scan_stage: str | None = None
    scan_error: str | None = None


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
