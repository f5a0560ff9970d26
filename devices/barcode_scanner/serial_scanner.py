"""A serial 2D scanner (Honeywell-style commands) on a serial port, pty or TCP URL.

The port is kept open in the background and reopened after an unplug (``DeviceLink``).
``start_reading`` sends SYN T CR; after each read while reading (a code, or a bad read) it
triggers again (a scanner in manual-trigger mode stops after one read), and every
``retrigger_s`` too (a read cut short sends no CR); ``stop_reading`` sends SYN U CR. A trigger
that cannot be sent (link down) is sent again when the link comes back, if still reading.

Status: ONLINE while the port is open; OFFLINE when it cannot be opened; NO_DEVICE when the
port is a device path that does not exist (the scanner is unplugged).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from devices.barcode_scanner.base import ScannerBase
from devices.barcode_scanner.protocol import TRIGGER, UNTRIGGER
from devices.interfaces import DeviceState, DeviceStatus, LinkError
from devices.transport import DeviceLink, Port, open_port

log = logging.getLogger(__name__)


class SerialBarcodeScanner(ScannerBase):
    """``devices.interfaces.BarcodeScanner`` on a serial link.

    Args:
        port: device path or pyserial URL (or give ``opener``).
        gap_s: a pause longer than this inside a code drops it as half read.
        connect_wait_s: how long the constructor waits for the port to open.
    """

    def __init__(self, port: str = "", *, baudrate: int = 9600,
                 opener: Callable[[], Port] | None = None, name: str = "scanner",
                 gap_s: float = 0.3, reconnect_interval_s: float = 0.5,
                 connect_wait_s: float = 2.0, retrigger_s: float = 5.0):
        super().__init__(name, gap_s)
        self._retrigger_s = retrigger_s
        self._closed = threading.Event()
        self._port_name = port
        self._open = opener or (lambda: open_port(port, baudrate))
        self._link = DeviceLink(self._opener, name, on_data=self._received,
                                on_change=self._on_link_change,
                                reconnect_interval_s=reconnect_interval_s)
        self._link.start(wait_s=connect_wait_s)
        self._keeper = threading.Thread(target=self._keep_triggered, name=f"{name}-retrigger",
                                        daemon=True)
        self._keeper.start()

    def close(self) -> None:
        self._delivery.stop()
        self._closed.set()
        self._keeper.join(timeout=2.0)
        self._link.close()

    def _keep_triggered(self) -> None:
        while not self._closed.wait(self._retrigger_s):
            if self._delivery.reading and self._link.is_open:
                self._send(TRIGGER, "trigger again")

    # -- switching it on and off ------------------------------------------------------------
    def _on_start(self) -> None:
        self._send(TRIGGER, "trigger")

    def _on_stop(self) -> None:
        self._send(UNTRIGGER, "stop")

    def _on_code(self) -> None:
        self._send(TRIGGER, "trigger the next read")

    def _send(self, command: bytes, what: str) -> None:
        try:
            self._link.write(command)
        except LinkError as e:
            log.info("%s: cannot %s: %s", self.name, what, e)

    # -- link -------------------------------------------------------------------------------
    def _opener(self) -> Port:
        try:
            return self._open()
        except LinkError as e:
            self._set_status(self._missing_or_offline(str(e)))
            raise

    def _missing_or_offline(self, detail: str) -> DeviceStatus:
        name = self._port_name
        if name.startswith("/") and not os.path.exists(name):
            return DeviceStatus(DeviceState.NO_DEVICE, detail=f"{name} is not there (unplugged?)")
        return DeviceStatus(DeviceState.OFFLINE, detail=detail)

    def _on_link_change(self, up: bool, detail: str) -> None:
        if not up:
            self._set_status(self._missing_or_offline(detail))
            return
        self._set_status(DeviceStatus(DeviceState.ONLINE))
        if self._delivery.reading:  # it was switched on while the link was down
            self._send(TRIGGER, "trigger after reconnecting")
