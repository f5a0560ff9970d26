"""Paying by card: the amount and the terminal's prompts (present card, reading, PIN, …)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import DYNAMIC_FAMILIES
from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import money

# Terminal stages with their own text (``stage.<STAGE>``); before the terminal's first event
# the screen asks for the card.
STAGES = DYNAMIC_FAMILIES["stage.{}"]


class PayingCardScreen(KioskScreen):
    amount = StringProperty("")
    stage = StringProperty("PRESENT_CARD")
    cancelling = BooleanProperty(False)

    def render(self, view) -> None:
        self.amount = money(view.amount_cents) if view.amount_cents is not None else ""
        stage = view.terminal_stage or "PRESENT_CARD"
        self.stage = stage if stage in STAGES else "AUTHORISING"
        self.cancelling = view.cancelling


load_beside(__file__)
