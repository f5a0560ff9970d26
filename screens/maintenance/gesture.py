"""The hidden entry gesture on the window: corner taps, only on attract and out of service.

Corner taps there are consumed (they do not also start a customer session); everything else
passes on to the screens untouched. No control is visible.
"""

from __future__ import annotations

import logging

from kivy.core.window import Window

from kiosk.maintenance.gesture import corner_of

log = logging.getLogger(__name__)

ENTRY_STATES = ("attract", "out_of_service")


class GestureListener:
    def __init__(self, app, gesture):
        self.app = app
        self.gesture = gesture

    def install(self) -> None:
        Window.bind(on_touch_down=self.on_touch_down)

    def uninstall(self) -> None:
        Window.unbind(on_touch_down=self.on_touch_down)

    def on_touch_down(self, window, touch) -> bool:
        if self.app.state not in ENTRY_STATES:
            return False
        x, y = touch.pos
        if corner_of(x, y, window.width, window.height) is None:
            return False
        if self.gesture.tap(x, y, window.width, window.height):
            opened = self.app.controller.open_maintenance()
            log.info("maintenance gesture completed: %s", "opened" if opened else "refused")
        return True
