"""Build the card terminal from settings: a terminal on a serial/TCP port, the simulator, or none.

With ``kind = "simulator"`` the terminal emulator is started on a pty (or loopback TCP, per
``devices.card_terminal.link``) with the configured scenario and state file, and the real
driver is connected to it, so the demo runs the same code as a kiosk with a terminal.
"""

from __future__ import annotations

import logging

from devices.card_terminal.driver import SerialCardTerminal
from devices.card_terminal.simulator import CardTerminalSimulator
from kiosk.hardware.handle import DeviceHandle

log = logging.getLogger(__name__)


def open_terminal(settings, port_url: str, **timers) -> SerialCardTerminal:
    """The driver on *port_url* at the configured baud rate (timers: driver keyword arguments)."""
    return SerialCardTerminal(port_url, baudrate=settings.devices.card_terminal.baudrate, **timers)


def build_card_terminal(settings) -> DeviceHandle:
    """The terminal the settings ask for (``devices.card_terminal.kind``: serial | simulator | none)."""
    cfg = settings.devices.card_terminal
    if cfg.kind == "none":
        return DeviceHandle()
    if cfg.kind == "serial":
        return DeviceHandle(open_terminal(settings, cfg.port))
    state_path = settings.resolve(cfg.state_path) if cfg.state_path else None
    simulator = CardTerminalSimulator(scenario=cfg.scenario, state_path=state_path)
    port = simulator.start(cfg.link)
    try:
        return DeviceHandle(open_terminal(settings, port), simulator)
    except Exception:
        simulator.stop()
        raise
