"""Kiosk lockdown once the window exists: no close, no Escape/F1, SIGTERM stops cleanly."""

from __future__ import annotations

import logging
import signal

from kivy.clock import Clock
from kivy.core.window import Window

log = logging.getLogger(__name__)

# Keys a customer could use to leave or reconfigure the app: Escape, F1 (Kivy's settings panel).
BLOCKED_KEYS = frozenset({27, 282})


def _refuse_close(*_args, **_kwargs) -> bool:
    log.info("window close request refused (kiosk lockdown)")
    return True


def _swallow_blocked_keys(_window, key, *_args) -> bool:
    return key in BLOCKED_KEYS


def lock_window() -> None:
    """Refuse window close requests and swallow Escape and F1."""
    Window.bind(on_request_close=_refuse_close)
    Window.bind(on_keyboard=_swallow_blocked_keys)
    Window.show_cursor = False


def install_signal_handlers(app) -> None:
    """SIGTERM/SIGINT stop the app (SDL's own handlers are off), so systemd can stop the kiosk."""
    def stop(signum, _frame):
        # The handler runs between two bytecodes, maybe mid-frame: stop at the next clean point.
        log.info("signal %s: stopping", signal.Signals(signum).name)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
