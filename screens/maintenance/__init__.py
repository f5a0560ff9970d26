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
    """Corner taps on attract / out of service feed the gesture; a full one opens maintenance."""
    from screens.maintenance.gesture import GestureListener

    GestureListener(app, gesture).install()
