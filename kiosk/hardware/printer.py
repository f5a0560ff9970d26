"""Build the receipt printer from settings: a serial/TCP printer, or none.

With ``kind = "simulator"`` the command that builds the kiosk starts the ESC/POS simulator
(``app/simulators.py``, printing into ``devices.printer.output_dir``) and connects this module's
driver to it with ``open_printer``, so the demo exercises the same code as a kiosk with a printer.
"""

from __future__ import annotations

import logging

from devices.receipt_printer.driver import SerialReceiptPrinter
from kiosk import fonts
from kiosk.hardware.handle import DeviceHandle, SimulatedDevice

log = logging.getLogger(__name__)


def open_printer(settings, port_url: str) -> SerialReceiptPrinter:
    """The driver on *port_url*, with the CJK fonts and paper width from settings."""
    cfg = settings.devices.printer
    cache = fonts.cache_dir_for(settings)
    return SerialReceiptPrinter(
        port_url,
        fonts.font_path("zh-Hant", cache_dir=cache),
        cfg.paper_width_dots,
        bold_font_path=fonts.font_path("zh-Hant", bold=True, cache_dir=cache),
        baudrate=cfg.baudrate,
        font_for=lambda language, bold: fonts.font_path(language, bold, cache_dir=cache),
    )


def build_printer(settings) -> DeviceHandle:
    """The printer the settings ask for (``devices.printer.kind``: serial | none)."""
    cfg = settings.devices.printer
    if cfg.kind == "none":
        return DeviceHandle()
    if cfg.kind == "serial":
        return DeviceHandle(open_printer(settings, cfg.port))
    raise SimulatedDevice(f"devices.printer.kind is {cfg.kind!r}: a simulated device is started "
                          "by the command that builds the kiosk (app/simulators.py)")
