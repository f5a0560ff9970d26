"""Build the card terminal from settings: a terminal on a serial/TCP port, or none.

With ``kind = "simulator"`` the command that builds the kiosk starts the terminal simulator
(``app/simulators.py``) and connects this module's driver to it with ``open_terminal``, so the
demo runs the same code as a kiosk with a terminal.
"""

from __future__ import annotations

import logging

from devices.card_terminal.driver import SerialCardTerminal
from kiosk.hardware.handle import DeviceHandle, SimulatedDevice

log = logging.getLogger(__name__)


def open_terminal(settings, port_url: str, **timers) -> SerialCardTerminal:
    """The driver on *port_url* at the configured baud rate (timers: driver keyword arguments)."""
    return SerialCardTerminal(port_url, baudrate=settings.devices.card_terminal.baudrate, **timers)


def build_card_terminal(settings) -> DeviceHandle:
    """The terminal the settings ask for (``devices.card_terminal.kind``: serial | none)."""
    cfg = settings.devices.card_terminal
    if cfg.kind == "none":
        return DeviceHandle()
    if cfg.kind == "serial":
        return DeviceHandle(open_terminal(settings, cfg.port))
    raise SimulatedDevice(f"devices.card_terminal.kind is {cfg.kind!r}: a simulated device is started "
                          "by the command that builds the kiosk (app/simulators.py)")
