"""The scanner from settings: simulator (serial driver on a started simulator), serial, evdev,
none; the ``[devices.scanner]`` and ``devices.card_terminal.tenders`` settings."""

from __future__ import annotations

import pytest

from app.simulators import device
from app.simulators import scanner as scanner_handle
from devices.barcode_scanner.evdev_scanner import EvdevBarcodeScanner
from devices.barcode_scanner.serial_scanner import SerialBarcodeScanner
from devices.barcode_scanner.simulator import ScannerSimulator
from devices.interfaces import DeviceState
from kiosk import settings as settings_mod
from kiosk.hardware.handle import SimulatedDevice
from kiosk.hardware.scanner import build_scanner

pytestmark = pytest.mark.timeout(30)


def settings_with(tmp_path, profile=None, **scanner):
    overrides = {"kiosk.data_dir": str(tmp_path)}
    overrides.update({f"devices.scanner.{k}": v for k, v in scanner.items()})
    return settings_mod.load(profile, overrides)


def test_the_demo_has_a_simulated_scanner_and_an_octopus_terminal_the_defaults_neither(tmp_path):
    demo = settings_with(tmp_path)
    assert demo.devices.scanner.kind == "simulator"
    assert demo.devices.card_terminal.tenders == ("card", "octopus")
    default = settings_with(tmp_path, settings_mod.DEFAULT_FILE)
    assert default.devices.scanner.kind == "none"
    assert default.devices.card_terminal.tenders == ("card",)


@pytest.mark.parametrize("key, value, message", [
    ("devices.scanner.kind", "usb", "devices.scanner.kind"),
    ("devices.scanner.link", "udp", "devices.scanner.link"),
    ("devices.card_terminal.tenders", ["card", "cash"], "unknown tender 'cash'"),
])
def test_bad_scanner_and_tender_settings_are_named(tmp_path, key, value, message):
    with pytest.raises(settings_mod.SettingsError, match=message):
        settings_mod.load(None, {"kiosk.data_dir": str(tmp_path), key: value})


def test_serial_needs_a_port_and_evdev_a_device(tmp_path):
    with pytest.raises(settings_mod.SettingsError, match="devices.scanner.port"):
        settings_with(tmp_path, kind="serial")
    with pytest.raises(settings_mod.SettingsError, match="devices.scanner.evdev_device"):
        settings_with(tmp_path, kind="evdev")


@pytest.mark.parametrize("link", ["pty", "tcp"])
def test_simulator_kind_starts_the_simulator_with_the_real_serial_driver(tmp_path, link):
    handle = scanner_handle(settings_with(tmp_path, kind="simulator", link=link))
    try:
        assert isinstance(handle.device, SerialBarcodeScanner)
        assert isinstance(handle.simulator, ScannerSimulator)
        assert handle.device.status().state is DeviceState.ONLINE
        handle.simulator.present("134567890123456789")
        handle.device.start_reading()
        assert handle.device.read_code(3.0) == "134567890123456789"
    finally:
        handle.close()


def test_serial_kind_opens_its_port_none_is_no_device_simulator_is_for_the_app(tmp_path):
    sim = ScannerSimulator()
    port = sim.start("pty")
    handle = build_scanner(settings_with(tmp_path, kind="serial", port=port))
    try:
        assert handle.simulator is None and handle.device.status().state is DeviceState.ONLINE
    finally:
        handle.close()
        sim.stop()
    assert build_scanner(settings_with(tmp_path, kind="none")).device is None
    with pytest.raises(SimulatedDevice):
        build_scanner(settings_with(tmp_path, kind="simulator"))


def test_evdev_kind_builds_the_wedge_driver(tmp_path):
    handle = build_scanner(settings_with(tmp_path, kind="evdev",
                                         evdev_device=str(tmp_path / "event9")))
    try:
        assert isinstance(handle.device, EvdevBarcodeScanner)
        assert not handle.device.status().usable  # no evdev package or no such device
    finally:
        handle.close()


def test_a_scanner_that_cannot_be_opened_is_left_out(tmp_path, monkeypatch):
    def broken(settings):
        raise OSError("boom")

    monkeypatch.setitem(__import__("app.simulators").simulators._DEVICES, "scanner", broken)
    assert device(settings_with(tmp_path, kind="serial", port="/dev/x"), "scanner").device is None
