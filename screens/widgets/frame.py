"""The frame every customer screen shares: header, content, and the action bar at the bottom.

A screen's ``.kv`` declares ``Frame:`` with its content and one ``BottomBar:`` as children; the
frame puts the action bar in the same place on every screen (low, reachable from a wheelchair)
and everything else in the content area.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout

from screens.kv import load_beside


class BottomBar(BoxLayout):
    """The bottom row of a screen: its primary action (and at most a few secondary ones)."""


class StepIndicator(BoxLayout):
    """``1 number · 2 plan · 3 pay``; ``step`` 0 hides it (attract, out of service)."""

    step = NumericProperty(0)


class LanguageSwitch(BoxLayout):
    """Three buttons, each language named in itself; a switch keeps the customer's place."""


class Header(BoxLayout):
    step = NumericProperty(0)
    show_cancel = BooleanProperty(True)
    show_languages = BooleanProperty(True)


class Frame(BoxLayout):
    """Header + content + action bar; children given in kv are routed to their slot."""

    step = NumericProperty(0)
    show_cancel = BooleanProperty(True)
    show_languages = BooleanProperty(True)
    header = ObjectProperty(None)
    content = ObjectProperty(None)

    def __init__(self, **kwargs):
        self._routing = False
        super().__init__(**kwargs)
        self.header = Header()
        self.content = BoxLayout(orientation="vertical")
        for widget in (self.header, self.content):
            super().add_widget(widget)
        self.bind(step=self.header.setter("step"), show_cancel=self.header.setter("show_cancel"),
                  show_languages=self.header.setter("show_languages"))
        self._routing = True

    def add_widget(self, widget, *args, **kwargs):
        if not self._routing:
            return super().add_widget(widget, *args, **kwargs)
        if isinstance(widget, BottomBar):
            return super().add_widget(widget, 0)  # index 0 of a vertical box is its bottom
        return self.content.add_widget(widget, *args, **kwargs)


load_beside(__file__)
