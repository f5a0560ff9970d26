"""The number could not be used: why (not found, suspended, not registered, …) and what to do."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import DYNAMIC_FAMILIES
from screens.kv import load_beside
from screens.states.base import KioskScreen

# Reasons with their own text (``lookup_failed.<reason>.title``/``.body``).
REASONS = DYNAMIC_FAMILIES["lookup_failed.{}.title"]
GENERAL = "backend_unavailable"  # an unknown reason: "cannot look it up now, try later"


class LookupFailedScreen(KioskScreen):
    keypad = {"enter": "controller.back"}
    reason = StringProperty(GENERAL)
    number = StringProperty("")

    def render(self, view) -> None:
        self.reason = view.failure if view.failure in REASONS else GENERAL
        self.number = view.number_display  # what they typed, so a typo shows


load_beside(__file__)
