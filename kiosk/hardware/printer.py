"""Build the receipt printer from settings: a serial/TCP printer, the simulator, or none.

With ``kind = "simulator"`` the ESC/POS emulator is started on a pty or loopback TCP port
(printing into ``devices.printer.output_dir``) and the real driver is connected to it, so the
demo exercises the same code as a kiosk with a printer.
"""

from __future__ import annotations

import logging

from devices.receipt_printer.driver import SerialReceiptPrinter
from devices.receipt_printer.simulator import PrinterSimulator
from kiosk import fonts
from kiosk.hardware.handle import DeviceHandle

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
    """The printer the settings ask for (``devices.printer.kind``: serial | simulator | none)."""
    cfg = settings.devices.printer
    if cfg.kind == "none":
        return DeviceHandle()
    if cfg.kind == "serial":
        return DeviceHandle(open_printer(settings, cfg.port))
    simulator = PrinterSimulator(settings.resolve(cfg.output_dir),
                                 paper_width_dots=cfg.paper_width_dots)
    port = simulator.start(cfg.link)
    try:
        return DeviceHandle(open_printer(settings, port), simulator)
    except Exception:
        simulator.stop()
        raise
