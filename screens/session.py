"""The running kiosk with its UI: the core from the composition root, the app, the lockdown.

Used by ``kiosk run`` and ``kiosk demo``; the environment must be prepared (``screens.boot``)
before this module is imported, as it imports Kivy.
"""

from __future__ import annotations

import logging

from screens.boot import configure_window

log = logging.getLogger(__name__)


def fonts_for(settings, cache=None) -> dict:
    """Each language's (regular, bold) CJK font file, extracted once (into the data directory
    unless another *cache* folder is given)."""
    from kiosk.fonts import cache_dir_for, font_path

    cache = cache or cache_dir_for(settings)
    return {lang: (font_path(lang, cache_dir=cache), font_path(lang, bold=True, cache_dir=cache))
            for lang in ("zh-Hant", "zh-Hans", "en")}


class KioskSession:
    """``with KioskSession(settings) as s: s.app.run()``: builds the core and the app, and on
    exit stops the core (payments reach a safe point, devices and simulators close)."""

    def __init__(self, settings, clock=None, font_cache=None):
        self.settings = settings
        self.clock = clock
        self.font_cache = font_cache
        self.operator_hooks: tuple = ()
        self.kiosk = None
        self.app = None

    def __enter__(self) -> KioskSession:
        configure_window(self.settings.display)
        from kiosk.composition import build
        from screens.app import KioskApp, post
        from screens.lockdown import install_signal_handlers
        from screens.theme import theme_for

        fonts = fonts_for(self.settings, self.font_cache)
        self.kiosk = build(self.settings, post, self.clock)
        try:
            extra, console = {}, None
            if self.kiosk.operations is not None:
                from screens.maintenance import extra_screens

                console = self.kiosk.operations.console
                extra = extra_screens(console)
            self.app = KioskApp(self.kiosk.controller, theme_for(self.settings.display), fonts,
                                extra_screens=extra)
            install_signal_handlers(self.app)
            if console is not None:
                self.app.bind(on_start=lambda *_: self._install_operator_hooks())
        except BaseException:
            self.kiosk.close()
            raise
        return self

    def _install_operator_hooks(self) -> None:
        """The hidden gesture and the watchdog feed (screens.maintenance). Kept referenced here:
        Kivy holds bound methods weakly, so an unreferenced listener would silently vanish."""
        from screens.maintenance.gesture import GestureListener
        from screens.maintenance.watchdog_feed import WatchdogFeed

        self.operator_hooks = (GestureListener(self.app, self.kiosk.operations.gesture),
                               WatchdogFeed(self.app))
        for hook in self.operator_hooks:
            hook.install()

    def __exit__(self, *_exc) -> None:
        self.kiosk.close()
