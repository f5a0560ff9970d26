"""The app's controller for the moment between the first frame and the core being ready.

``kiosk run`` shows the attract screen before it builds the core (journal, backend, devices,
recovery, health: about 0.3 s), so the kiosk is on screen in little more than a bare Kivy app's
start-up (bench/README.md, start-up figure). Until the real controller is attached this one
shows attract in the default language and ignores intents (logged); touches that arrive while
the core is built wait in SDL's queue and reach the real controller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartingView:
    """What attract reads of a view while starting (``kiosk.flow.view.SessionView`` would import
    the flow and python-statemachine before the first frame: ~20 ms)."""

    language: str
    hotline: str
    kiosk_id: str
    location: str
    warning: bool = False
    seconds_left: float | None = None
    out_of_service_reason: str = ""


class StartingController:
    """Attract, and nothing else, until the core is built."""

    state = "attract"

    def __init__(self, settings):
        k = settings.kiosk
        self.view = StartingView(language=k.default_language, hotline=k.hotline,
                                 kiosk_id=k.id, location=k.location)

    def subscribe(self, _callback):
        return lambda: None

    def tick(self) -> None:
        """No timers before the core is ready."""

    def touch(self) -> None:
        """No idle timer before the core is ready."""

    def __getattr__(self, intent: str):
        def ignored(*_args, **_kwargs):
            log.info("%s ignored: the kiosk is still starting", intent)
            return False

        return ignored
