"""The on-screen number keypad (the kiosk has no system keyboard)."""

from __future__ import annotations

from kivy.uix.gridlayout import GridLayout

from screens.kv import load_beside


class Keypad(GridLayout):
    """Digits 1–9, backspace, 0, clear-free: dispatches ``on_digit(d)`` and ``on_backspace``.

    A screen binds these to controller intents; the keypad itself knows no flow.
    """

    __events__ = ("on_digit", "on_backspace")

    def on_digit(self, digit: str) -> None:
        pass

    def on_backspace(self) -> None:
        pass


load_beside(__file__)
