"""The full Personal Information Collection Statement, laid over the number screen.

It belongs to the number screen alone (``EnteringNumberScreen.open_statement``): the flow does
not change state, the number typed so far stays, and the customer goes on with one tap on Back
(or the same keypad key that opened it). It scrolls when an operator's text is long.
"""

from __future__ import annotations

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from screens.kv import load_beside


class PrivacyStatementOverlay(FloatLayout):
    """Dims the number screen and shows the statement; modal until Back."""

    title = StringProperty("")
    body = StringProperty("")
    closer = ObjectProperty(None)  # called by Back (not "on_…": Kivy would take it for an event)

    def close(self) -> None:
        if self.closer is not None:
            self.closer()

    def on_touch_down(self, touch):
        # Modal: touches do not reach the keypad underneath.
        super().on_touch_down(touch)
        return True


load_beside(__file__)
