"""Please wait: looking the number up, crediting the plan, refunding. One screen, one per state.

The screen's name is its flow state; the text is ``wait.<state>.title`` / ``.body``.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty

from screens.kv import load_beside
from screens.states.base import KioskScreen

# state → (step shown, whether the customer may cancel here)
_FRAME = {"looking_up": (1, True), "crediting": (3, False), "refunding": (3, False)}


class WaitingScreen(KioskScreen):
    step = NumericProperty(0)
    cancellable = BooleanProperty(False)
    dots = NumericProperty(0)  # a sign of life while waiting
    _ticker = None  # a screen left before it was entered (a quick refund) has none

    def on_name(self, _instance, name: str) -> None:
        self.step, self.cancellable = _FRAME.get(name, (0, False))

    def on_enter(self, *_args) -> None:
        if self._ticker is None:
            self._ticker = Clock.schedule_interval(self._tick, 0.5)

    def on_leave(self, *_args) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def _tick(self, _dt) -> None:
        self.dots = (self.dots + 1) % 4


load_beside(__file__)
