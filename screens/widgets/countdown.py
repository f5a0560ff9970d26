"""A countdown: seconds left as a number and a shrinking bar."""

from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.boxlayout import BoxLayout

from screens.kv import load_beside


class Countdown(BoxLayout):
    """``seconds_left`` of ``total_s``; the screen sets both from the controller's view."""

    seconds_left = NumericProperty(0)
    total_s = NumericProperty(1)


load_beside(__file__)
