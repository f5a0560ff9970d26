"""A USB keyboard-wedge 2D scanner read through Linux evdev, grabbed exclusively.

A wedge scanner types each code as key presses and Enter. Grabbing its input device
(``EVIOCGRAB``) means those keys reach only this driver, never the UI, whether or not the kiosk
is reading; codes read while it is not reading are dropped. There is no trigger: the scanner
reads whatever is held in front of it.

Key-down events are turned into characters (digits, also from the keypad; letters, so a code
that is not a wallet code is still seen whole and refused with a reason), Enter ends a code, and
the characters go through the serial kind's ``CodeAssembler`` (half-read codes dropped).

Linux only, and the optional dependency ``evdev`` (``pip install 'hk-topup-kiosk[scanner]'``),
imported only when the device is opened: without it the scanner is OFFLINE with that reason.
A device that disappears (unplugged) is NO_DEVICE and is opened again when it comes back.
"""

from __future__ import annotations

import errno
import logging
import os
import select
import threading
from collections.abc import Callable

from devices.barcode_scanner.base import ScannerBase
from devices.interfaces import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

EV_KEY = 1  # linux/input-event-codes.h: a stable kernel ABI
KEY_DOWN = 1
KEY_ENTER, KEY_KPENTER = 28, 96
_DIGITS = {2: "1", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6", 8: "7", 9: "8", 10: "9", 11: "0",
           79: "1", 80: "2", 81: "3", 75: "4", 76: "5", 77: "6", 71: "7", 72: "8", 73: "9",
           82: "0"}
_LETTERS = {code: ch for row, first in (("qwertyuiop", 16), ("asdfghjkl", 30), ("zxcvbnm", 44))
            for code, ch in zip(range(first, first + len(row)), row, strict=True)}
KEYMAP = {**_DIGITS, **_LETTERS, KEY_ENTER: "\r", KEY_KPENTER: "\r"}
INSTALL_HINT = "the evdev package is not installed (pip install 'hk-topup-kiosk[scanner]')"


def chars_of(events) -> bytes:
    """The characters typed by evdev *events* (key-down only; other keys and events ignored)."""
    out = []
    for ev in events:
        if ev.type == EV_KEY and ev.value == KEY_DOWN and ev.code in KEYMAP:
            out.append(KEYMAP[ev.code])
    return "".join(out).encode("ascii")


def open_evdev_device(path: str):
    """``evdev.InputDevice(path)``, grabbed. Raises ImportError without evdev, OSError."""
    import evdev  # optional dependency, Linux only

    device = evdev.InputDevice(path)
    try:
        device.grab()
    except OSError:
        device.close()
        raise
    return device


class EvdevBarcodeScanner(ScannerBase):
    """``devices.interfaces.BarcodeScanner`` on an evdev input device.

    Args:
        device_path: ``/dev/input/event*`` or a stable ``/dev/input/by-id/…-event-kbd`` link.
        open_device: opens and grabs the device (tests pass a fake); the object needs ``fd``,
            ``read()`` (an iterable of events with ``type``, ``code``, ``value``; raises
            BlockingIOError when none are waiting), ``ungrab()`` and ``close()``.
    """

    def __init__(self, device_path: str, *, name: str = "scanner", gap_s: float = 0.3,
                 open_device: Callable[[str], object] = open_evdev_device,
                 reopen_interval_s: float = 1.0, connect_wait_s: float = 2.0):
        super().__init__(name, gap_s)
        self.device_path = device_path
        self._open_device, self._reopen_s = open_device, reopen_interval_s
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"{name}-evdev", daemon=True)
        self._thread.start()
        self._opened.wait(connect_wait_s)

    def close(self) -> None:
        self._delivery.stop()
        self._stop.set()
        self._thread.join(timeout=3.0)

    # -- the reader thread ------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            device = self._try_open()
            self._opened.set()
            if device is None:
                self._stop.wait(self._reopen_s)
                continue
            try:
                self._read_until_gone(device)
            finally:
                _release(device)

    def _try_open(self):
        try:
            device = self._open_device(self.device_path)
        except ImportError:
            self._set_status(DeviceStatus(DeviceState.OFFLINE, detail=INSTALL_HINT))
            return None
        except OSError as e:
            self._set_status(self._status_for(e))
            return None
        log.info("%s: %s opened and grabbed", self.name, self.device_path)
        self._set_status(DeviceStatus(DeviceState.ONLINE))
        return device

    def _read_until_gone(self, device) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([device.fd], [], [], 0.2)
                if not ready:
                    continue
                events = list(device.read())
            except BlockingIOError:
                continue
            except (OSError, ValueError) as e:  # ENODEV: unplugged
                log.warning("%s: %s gone: %s", self.name, self.device_path, e)
                self._set_status(self._status_for(e))
                return
            data = chars_of(events)
            if data:
                self._received(data)

    def _status_for(self, e: Exception) -> DeviceStatus:
        if isinstance(e, OSError) and e.errno in (errno.ENOENT, errno.ENODEV) \
                or not os.path.exists(self.device_path):
            return DeviceStatus(DeviceState.NO_DEVICE, detail=f"{self.device_path}: {e}")
        return DeviceStatus(DeviceState.OFFLINE, detail=f"{self.device_path}: {e}")


def _release(device) -> None:
    for action in ("ungrab", "close"):
        try:
            getattr(device, action)()
        except Exception as e:  # already gone
            log.debug("evdev %s failed: %s", action, e)
