"""A ``devices.interfaces.BarcodeScanner`` for tests of what uses a scanner (the money engine,
the flow): no thread, no port. ``show(code)`` is the customer holding up a phone: delivered at
once while reading (else kept until reading starts, like the simulator); ``unplug()`` and
``plug_in()`` change the status and tell subscribers."""

from __future__ import annotations

import queue
import threading

from devices.interfaces import DeviceState, DeviceStatus, ScannedCode, StatusChanged, Subscribers


class FakeScanner:
    def __init__(self, name: str = "scanner"):
        self.name = name
        self._subs = Subscribers()
        self._lock = threading.Lock()
        self._status = DeviceStatus(DeviceState.ONLINE)
        self._reading = False
        self._single = False
        self._waiting: list[str] = []  # shown while not reading
        self._codes: queue.Queue[str] = queue.Queue()
        self.starts = 0  # start_reading calls
        self.closed = False

    # -- BarcodeScanner ---------------------------------------------------------------------
    def subscribe(self, callback):
        self._subs.add(callback)

    def status(self):
        with self._lock:
            return self._status

    def start_reading(self, single=False):
        with self._lock:
            self._reading, self._single = True, single
            self.starts += 1
            self._drain()
            waiting, self._waiting = self._waiting, []
        for code in waiting:
            self.show(code)

    def stop_reading(self):
        with self._lock:
            self._reading = False
            self._drain()

    def read_code(self, timeout_s=None):
        try:
            return self._codes.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def close(self):
        self.stop_reading()
        self.closed = True

    # -- the test's side --------------------------------------------------------------------
    @property
    def reading(self) -> bool:
        with self._lock:
            return self._reading

    def show(self, code: str) -> None:
        """The customer shows *code* (delivered now if reading and online, else kept)."""
        with self._lock:
            if not (self._reading and self._status.usable):
                self._waiting.append(code)
                return
            self._codes.put(code)
            if self._single:
                self._reading = False
        self._subs.emit(ScannedCode(self.name, code))

    def unplug(self) -> None:
        self._set(DeviceStatus(DeviceState.NO_DEVICE, detail="unplugged"))

    def plug_in(self) -> None:
        self._set(DeviceStatus(DeviceState.ONLINE))

    def _set(self, status: DeviceStatus) -> None:
        with self._lock:
            self._status = status
        self._subs.emit(StatusChanged(self.name, status))

    def _drain(self) -> None:
        while True:
            try:
                self._codes.get_nowait()
            except queue.Empty:
                return
