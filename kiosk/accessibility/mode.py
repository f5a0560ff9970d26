"""The accessible mode: speech, the focus ring, larger text, a high-contrast theme and longer
time limits, for one customer's session.

Entered on the attract screen (holding the keypad's 5, ``hold_to_enter_s``); it starts the
session. It ends with the session: when the flow is back at ``attract`` the next customer
starts in the normal mode (speech off, default volume, normal limits). Listeners (the app's
theme) hear ``on`` / ``off``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class AccessibleMode:
    def __init__(self, narrator, time_scale: float, warning_s: float):
        self.narrator = narrator
        self.time_scale = time_scale
        self.warning_s = warning_s
        self.active = False
        self.listeners: list[Callable[[bool], None]] = []
        self._controller = None
        self._unsubscribe = None
        self._left_attract = False

    def attach(self, controller) -> None:
        """Follow *controller* (the app's; UI tests attach a fresh one per test)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.end()
        self._controller = controller
        self._unsubscribe = controller.subscribe(self._on_view)
        self.narrator.on_view(controller.state, controller.view)

    def enter(self) -> bool:
        """Turn the mode on and start the session; False where it cannot start (not attract)."""
        controller = self._controller
        if controller is None or (controller.state != "attract" and not self.active):
            return False
        self.active = True
        self._left_attract = False
        controller.set_time_limits(self.time_scale, self.warning_s)
        narrator = self.narrator
        narrator.enabled = True
        narrator.warm()
        greeting = "accessible.on" if narrator.speech_available else "accessible.on_no_speech"
        if controller.state == "attract":
            narrator.announce(greeting, state="attract", before_next=True)
        else:
            narrator.announce(greeting)
        self._notify()
        log.info("accessible mode on (speech %s)",
                 "available" if narrator.speech_available else "unavailable")
        if controller.state == "attract":
            controller.start()
        return True

    def end(self) -> None:
        if not self.active:
            return
        self.active = False
        self.narrator.reset()
        if self._controller is not None:
            self._controller.set_time_limits()
        self._notify()
        log.info("accessible mode off (the session ended)")

    def key_pressed(self) -> None:
        """Any key in the mode extends the time (the warning goes, the timer restarts)."""
        if self.active and self._controller is not None:
            self._controller.still_here()

    def _on_view(self, state: str, view) -> None:
        if self.active and state != "attract":
            self._left_attract = True
        if self.active and state == "attract" and self._left_attract:
            self.end()
        self.narrator.on_view(state, view)

    def _notify(self) -> None:
        for listener in list(self.listeners):
            listener(self.active)
