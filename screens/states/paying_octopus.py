"""Paying by Octopus: the amount, "tap your Octopus card", and after the terminal's RETAP
prompt "tap the same Octopus card again" with the terminal's 20 s countdown."""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

import screens.widgets.countdown  # noqa: F401  (paying_octopus.kv's Countdown)
from kiosk.money.octopus_payment import RETAP_WINDOW_S
from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import money


class PayingOctopusScreen(KioskScreen):
    amount = StringProperty("")
    retap = BooleanProperty(False)
    seconds_left = NumericProperty(RETAP_WINDOW_S)
    total_s = NumericProperty(RETAP_WINDOW_S)
    cancelling = BooleanProperty(False)

    def render(self, view) -> None:
        self.amount = money(view.amount_cents) if view.amount_cents is not None else ""
        self.retap = view.terminal_stage == "RETAP"
        left = view.retap_seconds_left
        self.seconds_left = RETAP_WINDOW_S if left is None else left
        self.cancelling = view.cancelling


load_beside(__file__)
