"""Paying by wallet: a large QR code with a wide quiet zone, the amount, the wallet, a countdown."""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

import screens.widgets.countdown  # noqa: F401  (paying_qr.kv's Countdown and QrView)
import screens.widgets.qr_view  # noqa: F401
from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import money


class PayingQrScreen(KioskScreen):
    method = StringProperty("")
    amount = StringProperty("")
    payload = StringProperty("")
    seconds_left = NumericProperty(0)
    total_s = NumericProperty(1)
    cancelling = BooleanProperty(False)

    def render(self, view) -> None:
        self.method = view.method or ""
        self.amount = money(view.amount_cents) if view.amount_cents is not None else ""
        payload = view.qr_payload or ""
        left = view.seconds_left or 0
        if payload != self.payload:  # a new order: the bar starts full
            self.total_s = max(1, left)
        self.payload = payload
        self.seconds_left = left
        self.cancelling = view.cancelling


load_beside(__file__)
