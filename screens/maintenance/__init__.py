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


def install_gesture(app, gesture) -> None:
    """Operator hooks once the app runs: corner taps on attract / out of service feed the
    gesture (a full one opens maintenance), and the systemd watchdog is fed from the UI loop."""
    from screens.maintenance.gesture import GestureListener
    from screens.maintenance.watchdog_feed import WatchdogFeed

    GestureListener(app, gesture).install()
    WatchdogFeed(app).install()


install_operator_hooks = install_gesture
