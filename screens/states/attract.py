"""Attract: the three languages, the keypad, and "tap anywhere to start"."""

from __future__ import annotations

from screens.kv import load_beside
from screens.states.base import KioskScreen


class AttractScreen(KioskScreen):
    """Any tap starts; a language button starts in that language; a digit starts and is typed."""

    keypad = {"digit": "controller.press_digit", "enter": "controller.start"}

    def key_choose(self, widget) -> bool:
        """Enter on a focused language (keypad): switch to it without starting, so holding 5
        next enters the accessible mode in that language."""
        language = getattr(widget, "language", "")
        if language:
            self.controller.set_language(language)
            return True
        return False

    def start_with_digit(self, digit: str) -> None:
        self.controller.press_digit(digit)  # on attract a digit starts the session with it

    def on_touch_down(self, touch):
        if super().on_touch_down(touch):  # a button took it
            return True
        if self.collide_point(*touch.pos):
            self.controller.start()
            return True
        return False

    def on_key(self, codepoint: str, key: int) -> bool:
        if codepoint and codepoint.isdigit():
            self.start_with_digit(codepoint)
            return True
        return False


load_beside(__file__)
