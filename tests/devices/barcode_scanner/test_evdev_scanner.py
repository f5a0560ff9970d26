"""The keyboard-wedge scanner through evdev, with a fake input device (no evdev, no hardware):
key events to digits, Enter ends a code, the exclusive grab, unplug and the missing package."""

from __future__ import annotations

import errno
import os
import threading
from collections import namedtuple

import pytest

from devices.barcode_scanner import evdev_scanner as ev
from devices.barcode_scanner.evdev_scanner import EvdevBarcodeScanner
from devices.interfaces import BarcodeScanner, DeviceState

pytestmark = pytest.mark.timeout(30)
WAIT_S = 3.0
Event = namedtuple("Event", "type code value")
KEY_CODES = {"1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10, "0": 11}
EV_SYN, EV_MSC, KEY_LEFTSHIFT = 0, 4, 42


def typed(text: str, enter: int = ev.KEY_ENTER) -> list[Event]:
    """The events a wedge scanner sends for *text* then Enter: down, up, sync for each key."""
    out = [Event(ev.EV_KEY, KEY_LEFTSHIFT, 1), Event(ev.EV_KEY, KEY_LEFTSHIFT, 0)]
    for code in [KEY_CODES[c] for c in text] + [enter]:
        out += [Event(EV_MSC, 4, 458782), Event(ev.EV_KEY, code, 1), Event(EV_SYN, 0, 0),
                Event(ev.EV_KEY, code, 0), Event(EV_SYN, 0, 0), Event(ev.EV_KEY, code, 2)]
    return out


class FakeInputDevice:
    """An evdev ``InputDevice``: a pipe makes ``fd`` readable when events are queued."""

    def __init__(self):
        self._r, self._w = os.pipe()
        self.fd = self._r
        self._events: list = []
        self._lock = threading.Lock()
        self.grabbed = False
        self.gone = False

    def send(self, events) -> None:
        with self._lock:
            self._events.extend(events)
        os.write(self._w, b"x")

    def unplug(self) -> None:
        self.gone = True
        os.write(self._w, b"x")

    def read(self):
        os.read(self._r, 4096)
        if self.gone:
            raise OSError(errno.ENODEV, "No such device")
        with self._lock:
            events, self._events = self._events, []
        if not events:
            raise BlockingIOError
        return iter(events)

    def grab(self):
        self.grabbed = True

    def ungrab(self):
        self.grabbed = False

    def close(self):
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass


class Opener:
    def __init__(self):
        self.devices: list[FakeInputDevice] = []
        self.missing = False
        self.opened = threading.Event()

    def __call__(self, path):
        if self.missing:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        device = FakeInputDevice()
        device.grab()
        self.devices.append(device)
        self.opened.set()
        return device


@pytest.fixture
def rig():
    opener = Opener()
    scanner = EvdevBarcodeScanner("/dev/input/by-id/fake-event-kbd", open_device=opener,
                                  reopen_interval_s=0.05)
    yield opener, scanner
    scanner.close()


def test_key_events_become_a_code_ended_by_enter_or_keypad_enter():
    assert ev.chars_of(typed("134567890123456789")) == b"134567890123456789\r"
    assert ev.chars_of(typed("12", enter=ev.KEY_KPENTER)) == b"12\r"
    keypad = [Event(ev.EV_KEY, c, 1) for c in (79, 80, 82)]
    assert ev.chars_of(keypad) == b"120"


def test_the_scanner_is_grabbed_online_and_delivers_codes_only_while_reading(rig):
    opener, scanner = rig
    assert isinstance(scanner, BarcodeScanner)
    assert scanner.status().state is DeviceState.ONLINE and opener.devices[0].grabbed
    opener.devices[0].send(typed("134567890123456789"))  # not reading: dropped (grabbed anyway)
    assert scanner.read_code(0.3) is None
    scanner.start_reading()
    opener.devices[0].send(typed("2812345678901234567"))
    assert scanner.read_code(WAIT_S) == "2812345678901234567"
    scanner.stop_reading()
    opener.devices[0].send(typed("134567890123456789"))
    assert scanner.read_code(0.3) is None


def test_a_code_split_over_reads_comes_out_once_whole(rig):
    opener, scanner = rig
    scanner.start_reading()
    events = typed("134567890123456789")
    opener.devices[0].send(events[:40])
    assert scanner.read_code(0.1) is None
    opener.devices[0].send(events[40:])
    assert scanner.read_code(WAIT_S) == "134567890123456789"


def test_an_unplugged_scanner_is_no_device_then_opened_again(rig):
    opener, scanner = rig
    scanner.start_reading()
    opener.missing = True
    opener.devices[0].unplug()
    assert _until(lambda: scanner.status().state is DeviceState.NO_DEVICE)
    opener.missing = False
    assert _until(lambda: scanner.status().state is DeviceState.ONLINE)
    opener.devices[-1].send(typed("134567890123456789"))
    assert scanner.read_code(WAIT_S) == "134567890123456789"
    assert not opener.devices[0].grabbed  # the old one was released


def test_without_the_evdev_package_the_scanner_is_offline_with_the_reason():
    def no_evdev(path):
        raise ImportError("No module named 'evdev'")

    scanner = EvdevBarcodeScanner("/dev/input/event9", open_device=no_evdev,
                                  reopen_interval_s=0.05)
    try:
        status = scanner.status()
        assert status.state is DeviceState.OFFLINE and "evdev" in status.detail
    finally:
        scanner.close()


def _until(predicate, timeout_s=WAIT_S) -> bool:
    done = threading.Event()
    timer = threading.Timer(timeout_s, done.set)
    timer.start()
    try:
        while not done.is_set():
            if predicate():
                return True
            done.wait(0.02)
        return predicate()
    finally:
        timer.cancel()
