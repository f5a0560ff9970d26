"""The serial scanner driver against the scanner simulator over a real pty and TCP: triggered
reads, one code at a time, noise and half reads, stop, unplug and reconnect. Bounded waits only."""

from __future__ import annotations

import threading

import pytest

from devices.barcode_scanner.serial_scanner import SerialBarcodeScanner
from devices.barcode_scanner.simulator import ScannerSimulator
from devices.interfaces import BarcodeScanner, DeviceState, ScannedCode, StatusChanged

pytestmark = pytest.mark.timeout(30)
WAIT_S = 3.0
WECHAT = "134567890123456789"
ALIPAY = "281234567890123456"


class Events:
    def __init__(self):
        self.all, self._cond = [], threading.Condition()

    def __call__(self, event):
        with self._cond:
            self.all.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate, timeout_s=WAIT_S):
        with self._cond:
            assert self._cond.wait_for(lambda: any(predicate(e) for e in self.all), timeout_s), \
                f"no such event in {self.all}"


@pytest.fixture(params=["pty", "tcp"])
def rig(request, tmp_path):
    sim = ScannerSimulator(symlink=tmp_path / "ttySCAN" if request.param == "pty" else None)
    port = sim.start(request.param)
    scanner = SerialBarcodeScanner(port, reconnect_interval_s=0.05, gap_s=0.3, retrigger_s=0.5)
    events = Events()
    scanner.subscribe(events)
    yield sim, scanner, events
    scanner.close()
    sim.stop()


def test_the_driver_is_a_barcode_scanner_and_online(rig):
    _, scanner, _ = rig
    assert isinstance(scanner, BarcodeScanner)
    assert scanner.status().state is DeviceState.ONLINE


def test_a_code_is_delivered_only_after_start_reading_and_then_one_at_a_time(rig):
    sim, scanner, events = rig
    sim.present(WECHAT)
    sim.present(ALIPAY, end=b"\r\n")
    assert scanner.read_code(0.2) is None and not sim.triggered  # off: nothing is read
    scanner.start_reading()
    assert scanner.read_code(WAIT_S) == WECHAT
    assert scanner.read_code(WAIT_S) == ALIPAY  # the driver triggered the next read itself
    events.wait_for(lambda e: isinstance(e, ScannedCode) and e.code == ALIPAY)
    assert sim.wait_triggered(WAIT_S)  # still reading: the scanner stays on
    scanner.stop_reading()
    assert _until(lambda: not sim.triggered)


def test_stop_reading_switches_the_scanner_off_and_later_codes_wait(rig):
    sim, scanner, _ = rig
    scanner.start_reading()
    assert sim.wait_triggered(WAIT_S)
    scanner.stop_reading()
    assert _until(lambda: not sim.triggered)
    sim.present(WECHAT)
    assert scanner.read_code(0.3) is None and sim.pending == 1


def test_noise_and_a_half_read_code_are_dropped_and_the_next_code_comes_whole(rig):
    sim, scanner, _ = rig
    scanner.start_reading()
    sim.present_raw(b"1345\xff67890123456789\r")  # noise inside: dropped
    assert sim.wait_triggered(WAIT_S)
    sim.present_raw(b"\x00\x00")  # noise between codes, then ...
    sim.present(ALIPAY)
    assert scanner.read_code(WAIT_S) == ALIPAY
    assert scanner.dropped_codes == 1


def test_a_code_cut_by_a_pause_is_never_reported(rig):
    sim, scanner, _ = rig
    scanner.start_reading()
    sim.present_raw(b"13456789")  # the customer moved the phone away
    assert _until(lambda: sim.pending == 0 and sim.triggered is False)
    assert scanner.read_code(0.5) is None  # longer than gap_s: the part is stale
    assert sim.wait_triggered(WAIT_S)  # the driver switched the scanner on again by itself
    sim.present(WECHAT)
    assert scanner.read_code(WAIT_S) == WECHAT


def test_the_event_repr_keeps_only_the_last_four_digits(rig):
    sim, scanner, events = rig
    scanner.start_reading()
    sim.present(WECHAT)
    events.wait_for(lambda e: isinstance(e, ScannedCode))
    event = next(e for e in events.all if isinstance(e, ScannedCode))
    assert WECHAT not in repr(event) and "6789" in repr(event) and event.last4 == "6789"


def test_an_unplugged_scanner_is_reported_and_comes_back(rig):
    sim, scanner, events = rig
    scanner.start_reading()
    assert sim.wait_triggered(WAIT_S)
    sim.stop()
    events.wait_for(lambda e: isinstance(e, StatusChanged)
                    and e.status.state in (DeviceState.OFFLINE, DeviceState.NO_DEVICE))
    assert not scanner.status().usable
    port = sim.port
    sim.start("tcp" if port.startswith("socket://") else "pty",
              int(port.rsplit(":", 1)[1]) if port.startswith("socket://") else 0)
    assert _until(lambda: scanner.status().state is DeviceState.ONLINE)
    assert sim.wait_triggered(WAIT_S)  # still reading: triggered again after reconnecting
    sim.present(WECHAT)
    assert scanner.read_code(WAIT_S) == WECHAT


def test_a_missing_device_path_is_no_device(tmp_path):
    scanner = SerialBarcodeScanner(str(tmp_path / "ttyACM9"), reconnect_interval_s=0.05,
                                   connect_wait_s=0.3)
    try:
        assert _until(lambda: scanner.status().state is DeviceState.NO_DEVICE)
        scanner.start_reading()  # does not raise: the trigger goes when it is plugged in
        assert scanner.read_code(0.1) is None
    finally:
        scanner.close()


def _until(predicate, timeout_s=WAIT_S) -> bool:
    done = threading.Event()
    deadline = threading.Timer(timeout_s, done.set)
    deadline.start()
    try:
        while not done.is_set():
            if predicate():
                return True
            done.wait(0.02)
        return predicate()
    finally:
        deadline.cancel()


def test_a_single_read_stops_after_the_first_code_and_leaves_the_next_one_queued(rig):
    sim, scanner, _ = rig
    sim.present(WECHAT)
    sim.present(ALIPAY)
    scanner.start_reading(single=True)
    assert scanner.read_code(WAIT_S) == WECHAT
    assert not scanner.reading and _until(lambda: not sim.triggered)
    assert scanner.read_code(0.3) is None and sim.pending == 1
