"""The hidden entry gesture, as pure logic: taps in the four corners, in order, within a window.

Order: top-left, top-right, bottom-right, bottom-left (clockwise), within ``window_s`` seconds.
A tap anywhere else, or in the wrong corner, starts over. There is no visible control. Positions
are in window pixels with y growing upwards (Kivy's convention).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from contract.clock import Clock

log = logging.getLogger(__name__)

SEQUENCE = ("top_left", "top_right", "bottom_right", "bottom_left")


def corner_of(x: float, y: float, width: float, height: float, fraction: float = 0.12) -> str | None:
    """The corner a tap falls in (a square of ``fraction`` of the shorter side), else None."""
    size = fraction * min(width, height)
    horizontal = "left" if x <= size else "right" if x >= width - size else None
    vertical = "bottom" if y <= size else "top" if y >= height - size else None
    if horizontal is None or vertical is None:
        return None
    return f"{vertical}_{horizontal}"


class CornerGesture:
    """Feed every tap; ``tap`` returns True when the sequence completes and entry is allowed.

    ``money_moving`` is asked on completion: while a customer's money is moving the gesture is
    refused (the kiosk finishes the sale first) and ``on_refused`` is told.
    """

    def __init__(self, clock: Clock, window_s: float = 4.0,
                 money_moving: Callable[[], bool] = lambda: False,
                 on_refused: Callable[[], None] | None = None):
        self._clock = clock
        self._window_s = window_s
        self._money_moving = money_moving
        self._on_refused = on_refused
        self._progress = 0
        self._started = 0.0

    def tap(self, x: float, y: float, width: float, height: float) -> bool:
        now = self._clock.monotonic()
        if self._progress and now - self._started > self._window_s:
            self._progress = 0
        corner = corner_of(x, y, width, height)
        if corner != SEQUENCE[self._progress]:
            self._progress = 1 if corner == SEQUENCE[0] else 0
            self._started = now
            return False
        if self._progress == 0:
            self._started = now
        self._progress += 1
        if self._progress < len(SEQUENCE):
            return False
        self._progress = 0
        if self._money_moving():
            log.info("maintenance gesture refused: a customer's money is moving")
            if self._on_refused:
                self._on_refused()
            return False
        return True
