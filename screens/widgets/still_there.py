"""The "still there?" warning laid over any screen before a timeout."""

from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.floatlayout import FloatLayout

from screens.kv import load_beside


class StillThereOverlay(FloatLayout):
    """Dims the screen and asks; any tap on it (or its button) tells the controller."""

    seconds_left = NumericProperty(0)

    def on_touch_down(self, touch):
        # The overlay is modal: touches do not reach the screen underneath.
        super().on_touch_down(touch)
        return True


load_beside(__file__)
