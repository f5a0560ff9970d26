"""Scan to pay: where the scanner window is, how to open the payment code in each wallet, the
amount; then "checking", or "confirm the payment on your phone"; a code that did not pay says
why (the scanner stays on for another code)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import DYNAMIC_FAMILIES
from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import money

ERRORS = DYNAMIC_FAMILIES["scan.error.{}"]  # a reason not listed reads as "other"


class PayingScanScreen(KioskScreen):
    amount = StringProperty("")
    stage = StringProperty("")  # "", "checking", "confirm_on_phone"
    error = StringProperty("")  # a scan.error.<code> suffix, or ""
    cancelling = BooleanProperty(False)

    def render(self, view) -> None:
        self.amount = money(view.amount_cents) if view.amount_cents is not None else ""
        self.stage = view.scan_stage or ""
        error = view.scan_error or ""
        self.error = error if not error or error in ERRORS else "other"
        self.cancelling = view.cancelling


load_beside(__file__)
