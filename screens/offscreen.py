"""Driving the real app without a person: frames, taps, waits and screenshots.

Used by ``kiosk demo`` and the UI tests. Frames are driven with ``EventLoop.idle()``; taps are
``UnitTestTouch`` events at a widget's centre in window coordinates; a screenshot is read from
the frame buffer in an ``on_flip`` handler after ``canvas.ask_update()`` (a timer capture can be
black). ``tap_times_s`` collects, per tap that changed the screen, the time from the tap's dispatch
to the first frame of the next screen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
from kivy.tests.common import UnitTestTouch

log = logging.getLogger(__name__)


class NotShown(AssertionError):
    """What the driver waited for did not appear on screen in time."""


class AppDriver:
    """Runs a built ``KioskApp`` frame by frame (call ``start`` once per process)."""

    def __init__(self, app):
        self.app = app
        self.tap_times_s: list[float] = []
        self.taps = 0
        self.key_presses = 0

    def start(self) -> None:
        self.app._run_prepare()  # builds the app and opens the window, without the main loop
        self.frames(3)

    def stop(self) -> None:
        """on_stop and the app's teardown (Kivy's own stop: no frame is drawn after this)."""
        from kivy.app import App

        App.stop(self.app)

    def frames(self, count: int = 1) -> None:
        for _ in range(count):
            EventLoop.idle()

    @property
    def state(self) -> str:
        return self.app.router.current

    def wait_for(self, predicate: Callable[[], bool], timeout_s: float = 10.0, what: str = "") -> None:
        """Drive frames until *predicate* holds; ``NotShown`` after *timeout_s* (wall clock)."""
        end = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > end:
                raise NotShown(f"{what or predicate} not shown within {timeout_s} s "
                               f"(screen {self.state!r})")
            EventLoop.idle()
            # Let the other threads have the interpreter: the real loop sleeps between frames,
            # while this one would hold the GIL but for the 5 ms switch interval, making a
            # worker (a purchase, a look-up) wait that long at each step. Not a wait: it
            # returns at once when no thread wants the GIL.
            time.sleep(0)

    def wait_state(self, state: str, timeout_s: float = 10.0) -> None:
        self.wait_for(lambda: self.state == state, timeout_s, f"screen {state!r}")

    def tap(self, widget) -> None:
        """Tap *widget* at its centre; if the screen changes, time it to the next screen's frame."""
        before = self.state
        self.taps += 1
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        started = time.perf_counter()
        touch.touch_down()
        touch.touch_up()
        if self.state != before:
            self._time_first_frame(started)
        self.frames(1)

    def press(self, key: int, codepoint: str = "") -> None:
        """A key pressed and released on the keypad (Kivy key code *key*)."""
        self.key_presses += 1
        Window.dispatch("on_key_down", key, 0, codepoint or None, [])
        Window.dispatch("on_key_up", key, 0)
        self.frames(1)

    def hold(self, key: int, until: Callable[[], bool], timeout_s: float = 10.0,
             codepoint: str = "") -> None:
        """A key held down until *until* holds (frames drawn meanwhile), then released."""
        self.key_presses += 1
        Window.dispatch("on_key_down", key, 0, codepoint or None, [])
        try:
            self.wait_for(until, timeout_s, "the held key's effect")
        finally:
            Window.dispatch("on_key_up", key, 0)
        self.frames(1)

    def _time_first_frame(self, started: float) -> None:
        flipped: list[float] = []

        def on_flip(*_args):
            flipped.append(time.perf_counter())

        Window.bind(on_flip=on_flip)
        try:
            while not flipped:
                EventLoop.idle()
        finally:
            Window.unbind(on_flip=on_flip)
        self.tap_times_s.append(flipped[0] - started)

    def screenshot(self, path: Path) -> Path:
        """Save the next frame as a PNG at *path* (parent folders created)."""
        from PIL import Image

        path.parent.mkdir(parents=True, exist_ok=True)
        pixels: list[bytes] = []

        def on_flip(*_args):
            if not pixels:
                width, height = Window.size
                pixels.append(glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE))

        Window.bind(on_flip=on_flip)
        try:
            Window.canvas.ask_update()
            while not pixels:
                EventLoop.idle()
        finally:
            Window.unbind(on_flip=on_flip)
        width, height = Window.size
        image = Image.frombytes("RGBA", (width, height), pixels[0]).transpose(
            Image.Transpose.FLIP_TOP_BOTTOM)
        image.convert("RGB").save(path)
        return path

    def find(self, predicate: Callable[[object], bool], root=None):
        """The first widget on the current screen for which *predicate* holds."""
        root = root or self.app.router.manager.current_screen
        for widget in root.walk(restrict=True):
            if predicate(widget):
                return widget
        raise NotShown(f"no widget matching {predicate} on {self.state!r}")

    def button(self, text: str):
        """The button on the current screen whose text is *text*, exactly."""
        from screens.widgets.buttons import KioskButton

        return self.find(lambda w: isinstance(w, KioskButton) and w.text == text
                         and not w.disabled and w.opacity > 0)
