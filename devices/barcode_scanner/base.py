"""What both scanner kinds share: status, subscribers, and codes handed on one at a time.

``ScannerBase`` implements ``devices.interfaces.BarcodeScanner`` but for how the device is
switched on and off (``_on_start`` / ``_on_stop``) and opened.

A code read while the kiosk is not reading (the scan screen is not shown, or after Cancel) is
dropped. Each code delivered goes to a queue (``next``) and to subscribers as ``ScannedCode``.
Logs keep only the code's last 4 characters.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from devices.barcode_scanner.protocol import CodeAssembler
from devices.interfaces import (
    DeviceEvent,
    DeviceState,
    DeviceStatus,
    ScannedCode,
    StatusChanged,
    Subscribers,
)

log = logging.getLogger(__name__)


def masked(code: str) -> str:
    return f"…{code[-4:]} ({len(code)} chars)"


class CodeDelivery:
    def __init__(self, name: str, subscribers: Subscribers):
        self._name, self._subs = name, subscribers
        self._reading = False
        self._lock = threading.Lock()
        self._codes: queue.Queue[str] = queue.Queue()

    @property
    def reading(self) -> bool:
        with self._lock:
            return self._reading

    def start(self) -> None:
        with self._lock:
            self._reading = True
            self._drain()

    def stop(self) -> None:
        with self._lock:
            self._reading = False
            self._drain()

    def deliver(self, code: str, last: bool = False) -> bool:
        """Hand *code* on if reading (and stop reading after it when *last*); whether it was."""
        with self._lock:
            if not self._reading:
                log.info("%s: code %s read while not reading: ignored", self._name, masked(code))
                return False
            self._codes.put(code)
            if last:
                self._reading = False
        log.info("%s: code %s read", self._name, masked(code))
        self._subs.emit(ScannedCode(self._name, code))
        return True

    def next(self, timeout_s: float | None) -> str | None:
        """The next code delivered, or None after *timeout_s*."""
        try:
            return self._codes.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def _drain(self) -> None:
        while True:
            try:
                self._codes.get_nowait()
            except queue.Empty:
                return


class ScannerBase:
    """Status, subscribers and code delivery; a driver calls ``_received(bytes)`` with what the
    scanner sent and ``_set_status`` when the device comes and goes."""

    def __init__(self, name: str, gap_s: float):
        self.name = name
        self._subs = Subscribers()
        self._delivery = CodeDelivery(name, self._subs)
        self._assembler = CodeAssembler(gap_s)
        self._feed_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._status = DeviceStatus(DeviceState.OFFLINE, detail="connecting")
        self._single = False

    # -- BarcodeScanner ---------------------------------------------------------------------
    def subscribe(self, callback: Callable[[DeviceEvent], None]) -> None:
        self._subs.add(callback)

    def status(self) -> DeviceStatus:
        with self._state_lock:
            return self._status

    last_status = property(status)

    @property
    def reading(self) -> bool:
        return self._delivery.reading

    def start_reading(self, single: bool = False) -> None:
        """Switch reading on: codes go to ``read_code`` and subscribers until ``stop_reading``,
        or, with *single*, until the first whole code (``kiosk scanner read``)."""
        with self._feed_lock:
            self._assembler.reset()
        self._single = single
        self._delivery.start()
        self._on_start()

    def stop_reading(self) -> None:
        self._delivery.stop()
        self._on_stop()
        with self._feed_lock:
            self._assembler.reset()

    def read_code(self, timeout_s: float | None = None) -> str | None:
        """The next whole code read while reading, or None after *timeout_s*."""
        return self._delivery.next(timeout_s)

    @property
    def dropped_codes(self) -> int:
        """Half-read, noisy or overlong codes thrown away so far."""
        return self._assembler.dropped

    # -- for the drivers --------------------------------------------------------------------
    def _on_start(self) -> None:
        """Switch the device on (serial: send the trigger)."""

    def _on_stop(self) -> None:
        """Switch the device off (serial: SYN U CR)."""

    def _on_code(self) -> None:
        """A read ended (a code delivered or dropped) while reading (serial: trigger the next)."""

    def _received(self, data: bytes) -> None:
        with self._feed_lock:
            codes = self._assembler.feed(data)
        for code in codes:
            if self._delivery.deliver(code, last=self._single) and self._single:
                self._on_stop()
        if self._delivery.reading and (b"\r" in data or b"\n" in data):
            self._on_code()

    def _set_status(self, status: DeviceStatus) -> None:
        with self._state_lock:
            changed, self._status = status != self._status, status
        if changed:
            log.info("%s: %s %s", self.name, status.state, status.detail)
            self._subs.emit(StatusChanged(self.name, status))
