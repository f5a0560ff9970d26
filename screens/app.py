"""The kiosk's Kivy app: fonts, theme, lockdown, the router, and the link to the controller.

The app renders ``controller.state`` / ``controller.view`` and passes taps to the controller's
intents; it holds no flow or payment logic. ``post`` is how the controller's workers reach the UI
thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from kivy.app import App
from kivy.base import EventLoop, stopTouchApp
from kivy.clock import Clock
from kivy.core.text import LabelBase
from kivy.core.window import Window
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from screens import fill_rate, lockdown
from screens.kv import load_beside
from screens.router import Router, Screens
from screens.theme import Theme

log = logging.getLogger(__name__)

TICK_S = 0.25  # how often the controller's timers are checked


def post(fn: Callable[[], None]) -> None:
    """Run *fn* on the UI thread at the next frame (safe to call from any thread)."""
    Clock.schedule_once(lambda _dt: fn(), 0)


def _prepare_qr(event) -> None:
    """On the purchase's worker: make a wallet order's QR code before the UI thread needs it."""
    payload = getattr(event, "qr_payload", None)
    if payload:
        from screens.widgets.qr_view import PREPARED

        PREPARED.prepare(payload)


def font_name(language: str) -> str:
    return f"kiosk-{language}"


class KioskApp(App):
    """The customer app. ``fonts`` maps each language to its (regular, bold) font files."""

    language = StringProperty("zh-Hant")
    font_name = StringProperty("Roboto")
    state = StringProperty("")
    large_text = BooleanProperty(False)  # the accessible mode's larger text: layouts give it room
    controller = ObjectProperty(None)
    theme = ObjectProperty(None)
    c = ObjectProperty(None)  # colours by palette name, as Kivy RGBA
    m = ObjectProperty(None)  # the theme's metrics

    def __init__(self, controller, theme: Theme, fonts: Mapping[str, tuple[Path, Path]],
                 extra_screens: Mapping[str, Callable[..., object]] | None = None,
                 accessibility=None, **kwargs):
        super().__init__(**kwargs)
        self.controller = controller
        self.theme = theme
        from screens.live_theme import LiveColours, LiveMetrics, colours, sizes

        # Kivy properties all the way down, so a theme change re-renders (screens/live_theme.py)
        self.c = LiveColours(colours(theme.palette))
        self.m = LiveMetrics(sizes(theme.metrics))
        self.title = "Top-up kiosk"
        self._fonts = fonts
        self._extra_screens = dict(extra_screens or {})
        self.router: Router | None = None
        self.frame_listeners: list[Callable[[], None]] = []
        self._screens_builder = None  # builds the other screens after the first frame
        self.accessibility = accessibility  # kiosk.accessibility.build.Accessibility, or None
        self.keys = None  # screens.key_input.KeyInput with an accessibility

    def build(self):
        lockdown.lock_window()
        fill_rate.sharpen_default_texture()
        # The window is cleared to the screens' background: no screen paints a full-window
        # rectangle of its own (on llvmpipe each such pass costs a few ms of every frame).
        self._clear_to_background()
        self.c.bind(background=self._clear_to_background)
        if self.theme.portrait and Window.width > Window.height:
            Window.rotation = 90
        for language, (regular, bold) in self._fonts.items():
            LabelBase.register(font_name(language), str(regular), fn_bold=str(bold))
        self.font_name = font_name(self.language)
        load_beside(__file__)
        from screens.states import SCREENS
        from screens.widgets.still_there import StillThereOverlay

        root = FloatLayout()
        manager = Screens()
        root.add_widget(manager)
        screens = {**SCREENS, **self._extra_screens}
        self.router = Router(manager, screens, overlay=StillThereOverlay, overlay_host=root)
        if self.accessibility is not None:
            self._install_accessibility(root)
        self._unsubscribe = None
        self.attach(self.controller)
        Window.bind(on_touch_down=self._touched, on_key_down=self._key_down)
        Window.bind(on_flip=self._flipped)
        self._ticker = Clock.schedule_interval(self._tick, TICK_S)
        return root

    def add_accessibility(self, accessibility) -> None:
        """The keypad, speech and accessible mode, once the app runs (``kiosk run`` adds them
        after the first frame: building them cost its start-up ~15 ms; bench/README.md)."""
        self.accessibility = accessibility
        self._install_accessibility(self.root)

    def _install_accessibility(self, root) -> None:
        from screens.accessible_app import install

        self.keys = install(self, root, self.accessibility)

    def _clear_to_background(self, *_args) -> None:
        Window.clearcolor = tuple(self.c.background)

    def attach(self, controller) -> None:
        """Render *controller* from now on (tests give each case a fresh controller)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.controller = controller
        if self.accessibility is not None and hasattr(controller, "flow"):
            # before the screens: the prompt starts while the new screen is being drawn
            self.accessibility.mode.attach(controller)
        self._unsubscribe = controller.subscribe(self.show)
        purchases = getattr(controller, "purchases", None)
        if purchases is not None and hasattr(purchases, "subscribe"):
            unsubscribe_screen = self._unsubscribe
            unsubscribe_codes = purchases.subscribe(_prepare_qr)

            def unsubscribe() -> None:
                unsubscribe_screen()
                unsubscribe_codes()

            self._unsubscribe = unsubscribe
        self.show(controller.state, controller.view)

    def show(self, state: str, view) -> None:
        """The controller's callback (UI thread): switch language and font, then the screen."""
        if view.language != self.language:
            self.font_name = font_name(view.language)
            self.language = view.language
        self.state = state
        self.router.show(state, view)
        if self.keys is not None:
            self.keys.screen_changed(state)

    def stop(self, *args) -> None:
        """Leave the main loop; ``App.run`` then dispatches ``on_stop`` after the last frame.

        Kivy's own ``stop`` clears the running app at once, while widgets of the frame still
        being drawn evaluate ``app.…`` in their ``.kv`` bindings.
        """
        if EventLoop.status == "started":
            stopTouchApp()
        else:
            super().stop(*args)

    def on_start(self) -> None:
        log.info("customer screens ready: %dx%d, %s", Window.width, Window.height, self.state)

    def on_stop(self) -> None:
        for event in (getattr(self, "_ticker", None), self._screens_builder):
            if event is not None:
                event.cancel()

    def _tick(self, _dt) -> None:
        self.controller.tick()

    def _touched(self, _window, _touch) -> None:
        self.controller.touch()  # returns None: the touch goes on to the widgets

    def _key_down(self, _window, key, _scancode, codepoint, modifiers) -> bool:
        if lockdown.is_blocked(key, modifiers):
            return True
        screen = self.router.manager.current_screen
        if getattr(screen, "modal_open", False):  # a dialog over the screen takes every key
            return bool(screen.on_key(codepoint or "", key))
        if self.keys is not None and self.keys.key_down(key, codepoint or "") is not None:
            return True
        return bool(screen.on_key(codepoint or "", key))

    def _flipped(self, *_args) -> None:
        if self._screens_builder is None:  # the first frame is out: build the rest, one a frame
            self._screens_builder = Clock.schedule_interval(
                lambda _dt: self.router.build_next(), 0)
        for listener in list(self.frame_listeners):
            listener()

    # Kivy's settings panel (F1) is not for customers.
    def open_settings(self, *_args) -> bool:
        return False
