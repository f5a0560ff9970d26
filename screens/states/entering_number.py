"""Entering the number: +852/+86, the keypad, the number formatted as typed, errors in place."""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.kv import load_beside
from screens.states.base import KioskScreen


class EnteringNumberScreen(KioskScreen):
    country = StringProperty("852")
    number = StringProperty("")
    error_code = StringProperty("")
    keypad = {"digit": "controller.press_digit", "clear": "controller.backspace",
              "enter": "controller.submit_number"}

    def render(self, view) -> None:
        self.country = view.country
        self.number = view.number_formatted
        self.error_code = view.number_error or ""

    def on_key(self, codepoint: str, key: int) -> bool:
        if codepoint and codepoint.isdigit():
            self.controller.press_digit(codepoint)
        elif key == 8:
            self.controller.backspace()
        elif key in (13, 271):
            self.controller.submit_number()
        else:
            return False
        return True


load_beside(__file__)
