"""The accessible kiosk in the app: keys, the focus ring, the accessible look, the speech notice.

``install`` is called once by ``KioskApp.build`` when the app has an ``Accessibility``
(``kiosk.accessibility.build``). The accessible mode's listener switches the app's theme to the
high-contrast one with larger text (``screens.accessible_theme``) and back when the session ends.
"""

from __future__ import annotations

from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.uix.label import Label

from screens.accessible_theme import accessible
from screens.key_input import KeyInput
from screens.live_theme import colours, sizes
from screens.text import _
from screens.theme import rgba


class SpeechNotice(Label):
    """On screen while the accessible mode is on without speech: says so, in large type."""


def install(app, root, accessibility) -> KeyInput:
    keys = KeyInput(app, accessibility, host=root)
    notice = SpeechNotice(size_hint=(1, None), pos_hint={"x": 0, "y": 0}, halign="center",
                          valign="middle", opacity=0)
    with notice.canvas.before:
        box_colour = Color(0, 0, 0, 0)
        box = Rectangle()
    notice.bind(pos=lambda _w, pos: setattr(box, "pos", pos),
                size=lambda _w, size: setattr(box, "size", size),
                width=lambda w, width: setattr(w, "text_size", (width * 0.9, None)),
                texture_size=lambda w, size: setattr(w, "height", size[1] + 2 * app.m.pad_px))
    normal = app.theme

    def look(on: bool) -> None:
        theme = accessible(normal, accessibility.text_scale) if on else normal
        app.theme = theme
        app.c.update(colours(theme.palette))
        app.m.update(sizes(theme.metrics))
        keys.ring.high_contrast = on
        app.large_text = on
        _repaint(app)
        shown = on and not accessibility.narrator.speech_available
        notice.text = _("accessible.speech_unavailable", app.language) if shown else ""
        notice.font_name = app.font_name
        notice.font_size = app.m.title_px * 0.8
        notice.color = rgba(theme.palette.overlay_text)
        box_colour.rgba = rgba(theme.palette.overlay_bg) if shown else (0, 0, 0, 0)
        notice.opacity = 1 if shown else 0
        # in the window only while shown: llvmpipe draws a transparent widget all the same
        if shown and notice.parent is None:
            root.add_widget(notice)
        elif not shown and notice.parent is not None:
            root.remove_widget(notice)

    accessibility.mode.listeners.append(look)
    Window.bind(on_key_up=lambda _w, key, *_a: keys.key_up(key))
    return keys


def _repaint(app) -> None:
    """Buttons take their colours from the theme when painted: paint them again."""
    from screens.widgets.buttons import KioskButton

    roots = list(app.router.manager.screens)
    if app.router.overlay is not None:
        roots.append(app.router.overlay)
    for root in roots:
        for widget in root.walk(restrict=True):
            if isinstance(widget, KioskButton):
                widget._paint()
