"""The barcode scanner contract (``devices.interfaces.BarcodeScanner``), run over every
implementation: the serial driver against the scanner simulator on a pty, the evdev driver on a
fake input device, and the tests' FakeScanner. Each ``part`` has ``show(code)`` (the customer
holds up a phone) and ``unplug()``."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from devices.barcode_scanner.evdev_scanner import EvdevBarcodeScanner
from devices.barcode_scanner.serial_scanner import SerialBarcodeScanner
from devices.barcode_scanner.simulator import ScannerSimulator
from devices.interfaces import BarcodeScanner, DeviceState, ScannedCode, StatusChanged
from tests.devices.barcode_scanner.test_evdev_scanner import Opener, typed
from tests.fakes.scanner import FakeScanner
from tests.interfaces.signatures import interface_gaps

pytestmark = pytest.mark.timeout(30)
WAIT_S = 3.0
CODE = "134567890123456789"


def _serial():
    sim = ScannerSimulator()
    scanner = SerialBarcodeScanner(sim.start("pty"), reconnect_interval_s=0.05)
    return SimpleNamespace(scanner=scanner, show=sim.present, unplug=sim.stop,
                           close=lambda: (scanner.close(), sim.stop()))


def _evdev():
    opener = Opener()
    scanner = EvdevBarcodeScanner("/dev/input/fake", open_device=opener, reopen_interval_s=0.05)

    def unplug():
        opener.missing = True
        opener.devices[-1].unplug()

    return SimpleNamespace(scanner=scanner, show=lambda c: opener.devices[-1].send(typed(c)),
                           unplug=unplug, close=scanner.close)


def _fake():
    fake = FakeScanner()
    return SimpleNamespace(scanner=fake, show=fake.show, unplug=fake.unplug, close=fake.close)


@pytest.fixture(params=["serial", "evdev", "fake"])
def part(request):
    made = {"serial": _serial, "evdev": _evdev, "fake": _fake}[request.param]()
    made.events = []
    made.heard = threading.Event()
    made.scanner.subscribe(lambda e: (made.events.append(e), made.heard.set()))
    yield made
    made.close()


def test_has_every_method_of_the_interface_with_its_signature(part):
    assert isinstance(part.scanner, BarcodeScanner)
    assert interface_gaps(part.scanner, BarcodeScanner) == []


def test_a_code_shown_while_reading_comes_once_to_read_code_and_subscribers(part):
    assert part.scanner.status().state is DeviceState.ONLINE
    part.scanner.start_reading()
    part.show(CODE)
    assert part.scanner.read_code(WAIT_S) == CODE
    assert [e.code for e in part.events if isinstance(e, ScannedCode)] == [CODE]
    assert part.scanner.read_code(0.2) is None


def test_a_single_read_ends_reading_after_one_code(part):
    part.scanner.start_reading(single=True)
    part.show(CODE)
    assert part.scanner.read_code(WAIT_S) == CODE
    part.show("281234567890123456")
    assert part.scanner.read_code(0.3) is None


def test_an_unplugged_scanner_says_so_to_subscribers(part):
    part.unplug()
    assert _until(lambda: any(isinstance(e, StatusChanged) and not e.status.usable
                              for e in part.events))
    assert not part.scanner.status().usable


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
