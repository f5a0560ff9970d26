"""The app's colours (``app.c``) and sizes (``app.m``) as Kivy properties, changeable live.

The ``.kv`` rules read ``app.c.text`` and ``app.m.body_px``. Kivy re-evaluates such a rule when
a property along the chain changes, but only for links that are Kivy properties: with a plain
object as ``app.c``, assigning a new one re-renders nothing. Here each colour and size is a
property of one long-lived object, so ``update`` (the accessible mode's high-contrast theme and
larger text, and back) repaints every screen already built.
"""

from __future__ import annotations

import dataclasses

from kivy.event import EventDispatcher
from kivy.properties import NumericProperty, ObjectProperty

from screens.theme import Metrics, Palette, rgba


def _live(name: str, fields, prop):
    def update(self, values: dict) -> None:
        for key, value in values.items():
            setattr(self, key, value)

    def __init__(self, values: dict) -> None:
        EventDispatcher.__init__(self)
        update(self, values)

    namespace = {f.name: prop() for f in fields}
    namespace.update(__init__=__init__, update=update)
    return type(name, (EventDispatcher,), namespace)


LiveColours = _live("LiveColours", dataclasses.fields(Palette), lambda: ObjectProperty((0, 0, 0, 1)))
LiveMetrics = _live("LiveMetrics", dataclasses.fields(Metrics), lambda: NumericProperty(0))


def colours(palette: Palette) -> dict:
    return {k: rgba(v) for k, v in dataclasses.asdict(palette).items()}


def sizes(metrics: Metrics) -> dict:
    return dataclasses.asdict(metrics)
