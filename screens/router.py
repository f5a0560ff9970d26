"""From flow states to screens: one screen per state, switched without a transition.

``NoTransition`` because a ScreenManager ignores touches during a transition, and a kiosk must
never swallow a tap. The router only shows what the controller's view says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition, ScreenManager

log = logging.getLogger(__name__)


class Screens(ScreenManager):
    """Kivy's ScreenManager without the stencil Kivy's own style gives it.

    Kivy clips a ScreenManager to its box with a stencil: a full-window rectangle drawn into
    the stencil buffer before the screen and again after it, and every pixel of the screen
    tested against it. The kiosk's screens fill the window, so the clip clips nothing, and on
    llvmpipe (the CPU renders every frame) the two extra full-window passes and the stencil
    test were most of a frame: a redraw of the attract screen took ~50 ms with them and ~15 ms
    without, on a loaded 2-core machine (bench/README.md, "Frames").
    """


# "<-Screens>" drops the rules of the base classes (ScreenManager's stencil) for this class.
Builder.load_string("<-Screens>:\n    size_hint: 1, 1\n")


class Router:
    """Creates each state's screen once, on first use, and shows the one for the current state.

    Building every screen up front cost most of the start-up (bench/README.md, start-up
    figure): only the first screen is built before the first frame; the app builds the rest one
    per frame afterwards (``build_next``), and a screen needed before then is built on demand.
    """

    def __init__(self, manager: ScreenManager, screens: Mapping[str, Callable[..., object]],
                 overlay=None, overlay_host=None):
        """*overlay*: the "still there?" widget, or a callable making it the first time it is
        shown (it is not needed for the first frame, and building it cost ~6 ms there)."""
        self.manager = manager
        self.manager.transition = NoTransition()
        self._overlay = overlay
        self.overlay_host = overlay_host
        self.switches = 0
        self._factories = dict(screens)

    def add(self, state: str, factory: Callable[..., object]) -> None:
        """One more state's screen (built on first use, like the others)."""
        self._factories[state] = factory

    def screen(self, state: str):
        """The screen of *state*, built now if it was not yet."""
        if not self.manager.has_screen(state):
            self.manager.add_widget(self._factories[state](name=state))
        return self.manager.get_screen(state)

    def build_next(self) -> bool:
        """Build one screen not built yet; False once every screen is built."""
        for state in self._factories:
            if not self.manager.has_screen(state):
                self.screen(state)
                return True
        return False

    def show(self, state: str, view) -> None:
        """Render *view* on the screen of *state* and make it current."""
        if state not in self._factories and not self.manager.has_screen(state):
            log.error("no screen for flow state %r", state)
            return
        screen = self.screen(state)
        screen.render(view)
        if self.manager.current != state:
            self.manager.current = state
            self.switches += 1
        self._show_overlay(bool(getattr(view, "warning", False)), view)

    @property
    def overlay(self):
        """The overlay widget (made now if it was given as a callable), or None."""
        if callable(self._overlay):  # a class or function (a widget is not callable)
            self._overlay = self._overlay()
        return self._overlay

    def _show_overlay(self, shown: bool, view) -> None:
        if self._overlay is None or self.overlay_host is None:
            return
        if not shown and callable(self._overlay):
            return  # never shown yet: nothing to take away
        if shown:
            self.overlay.seconds_left = getattr(view, "seconds_left", 0) or 0
            if self.overlay.parent is None:
                self.overlay_host.add_widget(self.overlay)
        elif self.overlay.parent is not None:
            self.overlay_host.remove_widget(self.overlay)

    @property
    def current(self) -> str:
        return self.manager.current
