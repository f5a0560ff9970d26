"""The PIN pad: operator id, then PIN (shown as dots), on the app's own keypad."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.kv import load_beside


class PinPage(BoxLayout):
    screen = ObjectProperty(None)
    operator_text = StringProperty("")
    pin_text = StringProperty("")
    typing_pin = BooleanProperty(False)
    live = False

    def refresh(self, console, view) -> None:
        self.operator_text = view.operator_digits
        self.pin_text = "●" * view.pin_length
        self.typing_pin = view.entry == "pin"

    def digit(self, d: str) -> None:
        self.screen.console.press_digit(d)
        self.screen.refresh()

    def backspace(self) -> None:
        self.screen.console.backspace()
        self.screen.refresh()

    def submit(self) -> None:
        self.screen.console.submit()
        self.screen.refresh()


load_beside(__file__)
