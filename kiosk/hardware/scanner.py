"""Build the 2D barcode scanner from settings: serial, evdev (keyboard wedge), or none.

With ``kind = "simulator"`` the command that builds the kiosk starts the scanner simulator
(``app/simulators.py``) and connects this module's serial driver to it with ``open_scanner``.
The kiosk core gets the driver as ``Kiosk.scanner.device`` (None without a scanner); its
``StatusChanged`` events feed the health monitor's ``scan_available``.
"""

from __future__ import annotations

import logging

from devices.barcode_scanner.evdev_scanner import EvdevBarcodeScanner
from devices.barcode_scanner.serial_scanner import SerialBarcodeScanner
from kiosk.hardware.handle import DeviceHandle, SimulatedDevice

log = logging.getLogger(__name__)


def open_scanner(settings, port_url: str, **options) -> SerialBarcodeScanner:
    """The serial driver on *port_url* at the configured baud rate (options: driver keywords)."""
    return SerialBarcodeScanner(port_url, baudrate=settings.devices.scanner.baudrate, **options)


def build_scanner(settings) -> DeviceHandle:
    """The scanner the settings ask for (``devices.scanner.kind``: serial | evdev | none)."""
    cfg = settings.devices.scanner
    if cfg.kind == "none":
        return DeviceHandle()
    if cfg.kind == "serial":
        return DeviceHandle(open_scanner(settings, cfg.port))
    if cfg.kind == "evdev":
        return DeviceHandle(EvdevBarcodeScanner(cfg.evdev_device))
    raise SimulatedDevice(f"devices.scanner.kind is {cfg.kind!r}: a simulated device is started "
                          "by the command that builds the kiosk (app/simulators.py)")
