"""A serial 2D scanner emulator on a pty pair or TCP (``devices.links``), told what to scan.

It speaks the scanner's side of ``protocol``: SYN T CR triggers a read, SYN U CR stops it. A
code given with ``present(code)`` waits until the scanner is triggered, is sent as the code and
CR, and ends that read (manual-trigger mode: the host triggers again for the next code). Codes
presented while nobody triggers stay queued: the simulated customer holds the phone up until
the kiosk switches the scanner on.

The control API (tests, ``kiosk demo``, ``kiosk robot``, ``kiosk device-simulator scanner``):
``present(code)``, ``present_raw(data)`` (noise, a half-read code: bytes sent as they are on the
next trigger), ``triggered``, ``wait_triggered(timeout_s)``, ``pending``, ``triggers``, and
``stop()`` (the scanner unplugged).
"""

from __future__ import annotations

import collections
import logging
import os
import threading

from devices import links
from devices.barcode_scanner.protocol import CR, LF, TRIGGER, UNTRIGGER

log = logging.getLogger(__name__)


class ScannerSimulator:
    """``start(link, port) -> str`` (what the driver opens), ``stop()``."""

    def __init__(self, symlink: str | os.PathLike | None = None):
        self._symlink = symlink
        self._server: links.LinkServer | None = None
        self._cond = threading.Condition()
        self._queue: collections.deque[bytes] = collections.deque()
        self._triggered = False
        self._inbox = bytearray()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.triggers = 0  # SYN T CR received
        self.sent: list[bytes] = []  # what was sent to the host, in order
        self.port = ""

    # -- life cycle -------------------------------------------------------------------------
    def start(self, link: str = "pty", port: int = 0) -> str:
        self._server = links.serve(link, port, symlink=self._symlink if link == "pty" else None)
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="scanner-simulator", daemon=True)
        self._thread.start()
        self.port = self._server.port
        log.info("barcode scanner simulator on %s", self.port)
        return self.port

    def stop(self) -> None:
        """Stop serving (for the driver: the scanner was unplugged). Queued codes are kept."""
        self._stop.set()
        with self._cond:
            self._triggered = False
            self._cond.notify_all()
        if self._server is not None:
            self._server.close()
        if self._thread is not None:
            self._thread.join(timeout=3.0)
            self._thread = None

    # -- control ----------------------------------------------------------------------------
    def present(self, code: str, end: bytes = bytes([CR])) -> None:
        """The customer shows *code*: sent with *end* on the next trigger."""
        self.present_raw(code.encode("ascii") + end)

    def present_raw(self, data: bytes) -> None:
        """Bytes sent as they are on the next trigger (noise, a half-read code, CR LF…)."""
        with self._cond:
            self._queue.append(bytes(data))
            self._cond.notify_all()

    @property
    def triggered(self) -> bool:
        with self._cond:
            return self._triggered

    @property
    def pending(self) -> int:
        """Codes presented and not sent yet."""
        with self._cond:
            return len(self._queue)

    def wait_triggered(self, timeout_s: float) -> bool:
        """Wait until the host triggers a read; whether it did in time."""
        with self._cond:
            return self._cond.wait_for(lambda: self._triggered, timeout_s)

    def clear(self) -> None:
        """Forget codes presented and not sent."""
        with self._cond:
            self._queue.clear()

    # -- the scanner ------------------------------------------------------------------------
    def _loop(self) -> None:
        server = self._server
        while not self._stop.is_set():
            data = server.read(0.02)
            if data:
                self._commands(data)
            with self._cond:
                if not (self._triggered and self._queue):
                    continue
                out = self._queue.popleft()
                self._triggered = False  # one read per trigger
            server.write(out)
            self.sent.append(out)
            log.info("scanner simulator: sent %d bytes", len(out))

    def _commands(self, data: bytes) -> None:
        self._inbox.extend(data)
        while True:
            end = self._inbox.find(bytes([CR]))
            if end < 0:
                del self._inbox[:-16]  # keep a possible partial command only
                return
            command = bytes(self._inbox[:end + 1]).lstrip(bytes([LF]))
            del self._inbox[:end + 1]
            with self._cond:
                if command.endswith(TRIGGER):
                    self._triggered = True
                    self.triggers += 1
                elif command.endswith(UNTRIGGER):
                    self._triggered = False
                else:
                    log.info("scanner simulator: unknown command %r ignored", command[:16])
                self._cond.notify_all()
