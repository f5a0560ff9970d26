"""The kiosk's buttons: large, flat, with the one accent colour reserved for the primary action."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import ColorProperty, OptionProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from screens.kv import load_beside

_COLOURS = {  # kind → (normal, pressed, text) palette names
    "primary": ("accent", "accent_down", "accent_text"),
    "secondary": ("secondary", "secondary_down", "secondary_text"),
    "header": ("header_bg", "secondary_down", "header_text"),
}


class KioskButton(ButtonBehavior, Label):
    """A touch target at least ``touch_px`` square; ``kind`` picks its colours."""

    kind = OptionProperty("secondary", options=tuple(_COLOURS))
    fill = ColorProperty((0, 0, 0, 0))

    def on_kv_post(self, _base_widget) -> None:
        self.bind(kind=self._paint, state=self._paint)
        self._paint()

    def _paint(self, *_args) -> None:
        theme = App.get_running_app().theme
        normal, pressed, text = _COLOURS[self.kind]
        self.fill = theme.colour(pressed if self.state == "down" else normal)
        self.color = theme.colour(text)


load_beside(__file__)
