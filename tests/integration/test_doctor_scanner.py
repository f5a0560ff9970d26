"""``kiosk doctor``'s barcode scanner verdict: optional when none, FAIL when configured and absent."""

from __future__ import annotations

import pytest

from app.commands import doctor
from devices.barcode_scanner.simulator import ScannerSimulator
from devices.interfaces import DeviceState, DeviceStatus
from kiosk import settings as settings_mod
from kiosk.maintenance.checks import FAIL, OK, check_scanner

pytestmark = pytest.mark.timeout(30)


class Scanner:
    def __init__(self, state):
        self._status = DeviceStatus(state, detail="x")

    def status(self):
        return self._status


def test_no_scanner_is_fine_and_a_configured_one_must_be_usable():
    assert check_scanner("none", None).level == OK
    assert check_scanner("serial", None, "cannot open: no port").level == FAIL
    assert check_scanner("serial", Scanner(DeviceState.ONLINE)).level == OK
    gone = check_scanner("evdev", Scanner(DeviceState.NO_DEVICE))
    assert gone.level == FAIL and "no_device" in gone.message


def scanner_verdict(settings):
    """The scanner line of ``kiosk doctor`` (the other checks need a backend)."""
    cfg = settings.devices.scanner
    return doctor._device(cfg.kind, cfg.port, doctor._scanner_factory, settings, check_scanner)


def test_doctor_checks_the_scanner_of_the_settings(tmp_path):
    sim = ScannerSimulator()
    port = sim.start("pty")
    try:
        base = {"kiosk.data_dir": str(tmp_path), "devices.card_terminal.kind": "none",
                "devices.printer.kind": "none", "simulator.backend.enabled": False}
        ok = settings_mod.load(None, {**base, "devices.scanner.kind": "serial",
                                      "devices.scanner.port": port})
        assert scanner_verdict(ok).level == OK
    finally:
        sim.stop()
    missing = settings_mod.load(None, {**base, "devices.scanner.kind": "serial",
                                       "devices.scanner.port": str(tmp_path / "ttyACM0")})
    verdict = scanner_verdict(missing)
    assert verdict.level == FAIL and "ttyACM0" in verdict.message
