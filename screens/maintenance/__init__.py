"""The maintenance screens (staff only, English): PIN pad, status, needs attention, settlement.

``extra_screens(console)`` gives ``KioskApp`` the screen for the flow's ``maintenance`` state;
``install_gesture(app, gesture)`` listens for the hidden corner gesture on the attract and out of
service screens.
"""

from __future__ import annotations

from functools import partial


def extra_screens(console) -> dict:
    """``{"maintenance": factory}`` for ``KioskApp(extra_screens=…)``."""
    from screens.maintenance.screen import MaintenanceScreen

    return {"maintenance": partial(MaintenanceScreen, console=console)}


def install_gesture(app, gesture) -> tuple:
    """Operator hooks once the app runs: corner taps on attract / out of service feed the
    gesture (a full one opens maintenance), and the systemd watchdog is fed from the UI loop.

    Keep the returned hooks referenced for the app's life: Kivy holds bound methods weakly, so
    an unreferenced hook would silently stop (no gesture; a starved watchdog).
    """
    from screens.maintenance.gesture import GestureListener
    from screens.maintenance.watchdog_feed import WatchdogFeed

    hooks = (GestureListener(app, gesture), WatchdogFeed(app))
    for hook in hooks:
        hook.install()
    return hooks


install_operator_hooks = install_gesture
