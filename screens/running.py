"""The running kiosk with its UI: the core (built by the caller's function), the app, the lockdown.

Used by ``kiosk run`` and ``kiosk demo`` (``app/commands``), which hand in ``build_core``: the
composition root with the profile's simulators started. The environment must be prepared
(``screens.boot``) before this module is imported, as it imports Kivy.
"""

from __future__ import annotations

import gc
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
    """``with KioskSession(settings, build_core) as s: s.app.run()``: builds the core and the
    app, and on exit stops the core (payments reach a safe point, devices and simulators close).

    ``build_core(post, clock)`` returns the ``kiosk.composition.Kiosk`` to show; *clock* is
    handed to it (None: the system clock).
    """

    def __init__(self, settings, build_core, clock=None, font_cache=None,
                 core_after_first_frame=False):
        self.settings = settings
        self.build_core = build_core
        self.clock = clock
        self.font_cache = font_cache
        # kiosk run: the attract screen first, the core right after (screens/starting.py)
        self.core_after_first_frame = core_after_first_frame
        self.operator_hooks: tuple = ()
        self.kiosk = None
        self.app = None
        self.accessibility = None  # keypad, speech and the accessible mode (kiosk.accessibility)

    def __enter__(self) -> KioskSession:
        configure_window(self.settings.display)
        from screens.app import KioskApp
        from screens.lockdown import install_signal_handlers
        from screens.theme import theme_for

        fonts = fonts_for(self.settings, self.font_cache)
        theme = theme_for(self.settings.display)
        if self.core_after_first_frame:
            from screens.starting import StartingController

            # the keypad and speech come with the core, after the first frame (_attach_core)
            self.app = KioskApp(StartingController(self.settings), theme, fonts)
            install_signal_handlers(self.app)
            self.app.frame_listeners.append(self._first_frame)
            return self
        self.accessibility = self._build_accessibility()
        self._build_core()
        try:
            self.app = KioskApp(self.kiosk.controller, theme, fonts,
                                extra_screens=self._extra_screens(),
                                accessibility=self.accessibility)
            install_signal_handlers(self.app)
            if self.kiosk.operations is not None:
                self.app.bind(on_start=lambda *_: self._install_operator_hooks())
        except BaseException:
            self.kiosk.close()
            raise
        return self

    def _build_accessibility(self):
        from kiosk.accessibility.build import build_accessibility

        return build_accessibility(self.settings)

    @property
    def ready(self) -> bool:
        """The core is built and the app renders its controller."""
        return self.kiosk is not None and self.app.controller is self.kiosk.controller

    def _build_core(self) -> None:
        from screens.app import post

        self.kiosk = self.build_core(post, self.clock)

    def _extra_screens(self) -> dict:
        if self.kiosk.operations is None:
            return {}
        from screens.maintenance import extra_screens

        return extra_screens(self.kiosk.operations.console)

    def _first_frame(self) -> None:
        from kivy.clock import Clock

        self.app.frame_listeners.remove(self._first_frame)
        Clock.schedule_once(lambda _dt: self._attach_core(), 0)

    def _attach_core(self) -> None:
        """After the first frame: build the core and the keypad and speech, then hand the app
        its controller and screens."""
        self._build_core()
        self.accessibility = self._build_accessibility()
        self.app.add_accessibility(self.accessibility)
        for state, factory in self._extra_screens().items():
            self.app.router.add(state, factory)
        self.app.attach(self.kiosk.controller)
        if self.kiosk.operations is not None:
            self._install_operator_hooks()
        collect_again()

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
        if self.accessibility is not None:
            self.accessibility.close()
        if self.kiosk is not None:  # None: stopped before the core was built
            self.kiosk.close()


def collect_again() -> None:
    """Turn the cyclic garbage collector back on if ``kiosk run`` turned it off for its
    start-up (app/cli.py), with what start-up made frozen: those objects live as long as the
    kiosk, and a collection that skips them pauses a frame less."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def exit_after_first_frame(session: KioskSession) -> None:
    """Benchmark hook (bench/bench_startup.py, ``KIOSK_EXIT_AFTER_FIRST_FRAME=1``): at the
    first frame on screen, print ``first-frame <unix time>``; once the core is built and
    attached, ``ready <unix time>``, and stop the app, which then shuts down as on SIGTERM."""
    import time

    from kivy.clock import Clock
    from kivy.core.window import Window

    def when_ready(_dt) -> bool:
        if not session.ready:
            return True
        print(f"ready {time.time():.6f}", flush=True)
        session.app.stop()
        return False

    def first_flip(*_args) -> None:
        Window.unbind(on_flip=first_flip)
        print(f"first-frame {time.time():.6f}", flush=True)
        Clock.schedule_interval(when_ready, 0)

    Window.bind(on_flip=first_flip)
