"""From flow states to screens: one screen per state, switched without a transition.

``NoTransition`` because a ScreenManager ignores touches during a transition, and a kiosk must
never swallow a tap. The router only shows what the controller's view says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from kivy.uix.screenmanager import NoTransition, ScreenManager

log = logging.getLogger(__name__)


class Router:
    """Creates every state's screen once and shows the one for the current state."""

    def __init__(self, manager: ScreenManager, screens: Mapping[str, Callable[..., object]],
                 overlay=None, overlay_host=None):
        self.manager = manager
        self.manager.transition = NoTransition()
        self.overlay = overlay
        self.overlay_host = overlay_host
        self.switches = 0
        for state, factory in screens.items():
            self.manager.add_widget(factory(name=state))

    def show(self, state: str, view) -> None:
        """Render *view* on the screen of *state* and make it current."""
        if not self.manager.has_screen(state):
            log.error("no screen for flow state %r", state)
            return
        screen = self.manager.get_screen(state)
        screen.render(view)
        if self.manager.current != state:
            self.manager.current = state
            self.switches += 1
        self._show_overlay(bool(getattr(view, "warning", False)), view)

    def _show_overlay(self, shown: bool, view) -> None:
        if self.overlay is None or self.overlay_host is None:
            return
        if shown:
            self.overlay.seconds_left = getattr(view, "seconds_left", 0) or 0
            if self.overlay.parent is None:
                self.overlay_host.add_widget(self.overlay)
        elif self.overlay.parent is not None:
            self.overlay_host.remove_widget(self.overlay)

    @property
    def current(self) -> str:
        return self.manager.current
