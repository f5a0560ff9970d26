"""The keypad's focus ring: which choice on the current screen the keypad is on, drawn around it.

The choices are the screen's buttons that a finger could press now (shown, enabled), in reading
order (top to bottom, then left to right). A screen may name the class of its main choices
(``focus_first``: the plans, the payment methods): the first Next lands on the first of them,
and "2 of 6" counts among them. The ring is two-toned (``screens.accessible_theme.FOCUS_RING``)
so it shows on light and dark surfaces alike.
"""

from __future__ import annotations

import weakref

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Color, Line
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget

from kiosk.speech.narrator import Focus
from screens.accessible_theme import FOCUS_RING
from screens.theme import rgba


def choices(screen) -> list:
    """The pressable buttons of *screen*, in reading order."""
    found = []
    for widget in screen.walk(restrict=True):
        if isinstance(widget, ButtonBehavior) and _shown(widget, screen):
            found.append(widget)
    return sorted(found, key=lambda w: (-round(w.to_window(w.x, w.top)[1] / 8), w.to_window(w.x, w.y)[0]))


def _shown(widget, screen) -> bool:
    if widget.width <= 1 or widget.height <= 1:
        return False
    node = widget
    for _depth in range(64):  # up to the screen (a widget's parents, not the Window's own)
        if node is None or node is screen:
            break
        if node.disabled or node.opacity <= 0:
            return False
        node = node.parent
    return node is screen


def describe(widget, among: list) -> Focus:
    """What the narrator needs of a focused *widget*: its kind, key or label, its place."""
    same = [w for w in among if type(w) is type(widget)]
    index, count = same.index(widget) + 1, len(same)
    if getattr(widget, "quote_id", ""):
        return Focus("offer", widget.quote_id, getattr(widget, "title", ""), index, count)
    if getattr(widget, "method", ""):
        return Focus("method", widget.method, getattr(widget, "text", ""), index, count)
    label = getattr(widget, "text", "") or getattr(widget, "title", "")
    if not label and getattr(widget, "language", ""):
        from screens.text import LANGUAGE_NAMES

        label = LANGUAGE_NAMES.get(widget.language, "")
    return Focus("button", "", label, index, count)


class FocusRing(Widget):
    """Drawn over the focused widget (window coordinates: the app's root is the window)."""

    def __init__(self, host=None, **kwargs):
        super().__init__(**kwargs)
        self.size_hint = (None, None)
        # In the window only while it goes round something: llvmpipe draws even a transparent
        # widget, and an idle ring cost ~4 ms of every frame (bench/README.md, "Frames").
        self._host = host
        self._target = None
        self.high_contrast = False
        with self.canvas:
            self._outer_colour = Color(0, 0, 0, 0)
            self._outer = Line(width=6)
            self._inner_colour = Color(0, 0, 0, 0)
            self._inner = Line(width=3)
        self._event = None

    @property
    def target(self):
        return self._target() if self._target is not None else None

    def show(self, widget) -> None:
        self._target = weakref.ref(widget) if widget is not None else None
        if self._host is not None:
            if widget is not None and self.parent is None:
                self._host.add_widget(self)
            elif widget is None and self.parent is not None:
                self._host.remove_widget(self)
        if widget is not None and self._event is None:
            self._event = Clock.schedule_interval(lambda _dt: self.redraw(), 0)
        self.redraw()

    def redraw(self) -> None:
        target = self.target
        if target is None or target.get_root_window() is None:
            self._outer_colour.a = self._inner_colour.a = 0
            if self._event is not None and target is None:
                self._event.cancel()
                self._event = None
            return
        outer, inner = FOCUS_RING["high_contrast" if self.high_contrast else "normal"]
        self._outer_colour.rgba = rgba(outer)
        self._inner_colour.rgba = rgba(inner)
        x, y = target.to_window(target.x, target.y)
        w, h = target.size
        scale = App.get_running_app().m.scale if App.get_running_app() else 1.0
        gap = max(6, round(8 * scale))
        self._outer.rectangle = (x - gap, y - gap, w + 2 * gap, h + 2 * gap)
        self._inner.rectangle = (x - gap + 5, y - gap + 5, w + 2 * gap - 10, h + 2 * gap - 10)
