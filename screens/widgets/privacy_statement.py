"""The full Personal Information Collection Statement, laid over the number screen.

It belongs to the number screen alone (``EnteringNumberScreen.open_statement``): the flow does
not change state, the number typed so far stays, and the customer goes on with one tap on Back
(or the same keypad key that opened it). It scrolls when an operator's text is long.
"""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label

from screens.cjk_wrap import wrap
from screens.kv import load_beside

WRAP_MARGIN = 0.98  # break a little early, so Kivy's own wrapping never breaks a line again


class PrivacyStatementOverlay(FloatLayout):
    """Dims the number screen and shows the statement; modal until Back."""

    title = StringProperty("")
    body = StringProperty("")
    closer = ObjectProperty(None)  # called by Back (not "on_…": Kivy would take it for an event)

    def close(self) -> None:
        if self.closer is not None:
            self.closer()

    def on_touch_down(self, touch):
        # Modal: touches do not reach the keypad underneath.
        super().on_touch_down(touch)
        return True


class StatementBody(Label):
    """The statement's text, broken into lines for its width and font by ``cjk_wrap``."""

    source = StringProperty("")

    def on_kv_post(self, _base_widget) -> None:
        self.bind(source=self._rewrap, width=self._rewrap, font_size=self._rewrap,
                  font_name=self._rewrap)
        self._rewrap()

    def _rewrap(self, *_args) -> None:
        if self.width <= 1:
            return
        measure = CoreLabel(font_name=self.font_name, font_size=self.font_size)
        self.text = wrap(self.source, self.width * WRAP_MARGIN,
                         lambda text: measure.get_extents(text)[0])


load_beside(__file__)
