"""Feeding systemd's watchdog from the UI thread's main loop (Kivy's clock), so a frozen UI
(not only a dead process) gets the kiosk restarted. Without systemd nothing is sent."""

from __future__ import annotations

import logging

from kivy.clock import Clock

from kiosk.ops.watchdog import Watchdog

log = logging.getLogger(__name__)

PING_EVERY_S = 1.0  # Watchdog.ping() itself sends only every half WatchdogSec


class WatchdogFeed:
    def __init__(self, app, watchdog: Watchdog | None = None):
        self.app = app
        self.watchdog = watchdog or Watchdog()
        self._event = None

    def install(self) -> None:
        self.watchdog.ready()
        self._event = Clock.schedule_interval(self._ping, PING_EVERY_S)
        self.app.bind(on_stop=self._stop)
        if self.watchdog.enabled:
            log.info("systemd watchdog fed from the UI loop")

    def _ping(self, _dt) -> None:
        self.watchdog.ping()

    def _stop(self, *_args) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.watchdog.stopping()
