"""Kiosk lockdown once the window exists: no close, no key that leaves the app, SIGTERM stops cleanly.

Kivy hands a key press first to ``on_key_down`` handlers, then (unless one returned True) to
``on_keyboard`` ones, where Kivy itself closes the app on Escape and opens its settings on F1.
A handler returning True stops the press there. The swallower is bound to both and returns True
for every blocked press (``screens.blocked_keys``); the app's own key handler, bound later and
so called first, asks ``is_blocked`` before anything else too.
"""

from __future__ import annotations

import logging
import signal

from kivy.clock import Clock
from kivy.core.window import Window

from screens.blocked_keys import BLOCKED_KEYS, is_blocked

log = logging.getLogger(__name__)

__all__ = ["BLOCKED_KEYS", "install_signal_handlers", "is_blocked", "lock_window"]


def _refuse_close(*_args, **_kwargs) -> bool:
    log.info("window close request refused (kiosk lockdown)")
    return True


def _swallow_blocked_keys(_window, key, _scancode=None, _codepoint=None, modifiers=None,
                          *_args, **_kwargs) -> bool:
    if is_blocked(key, modifiers):
        log.debug("key %s with %s swallowed (kiosk lockdown)", key, modifiers or [])
        return True
    return False


def lock_window() -> None:
    """Refuse window close requests and swallow every key press that could leave the app."""
    Window.bind(on_request_close=_refuse_close)
    Window.bind(on_key_down=_swallow_blocked_keys)
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
