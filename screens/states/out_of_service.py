"""Out of service: said in all three languages at once, no controls; it recovers by itself."""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.kv import load_beside
from screens.states.base import KioskScreen


class OutOfServiceScreen(KioskScreen):
    hotline = StringProperty("")

    def render(self, view) -> None:
        self.hotline = view.hotline or ""


load_beside(__file__)
