"""The demo kiosk has a scanner: ``Kiosk.scanner`` is the serial driver on a started simulator,
its status reaches health (``scan_available``), an unplug takes the scan choice away, and the
kiosk still sells."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from app.simulators import build_kiosk
from devices.barcode_scanner.serial_scanner import SerialBarcodeScanner
from kiosk.flow.post_queue import PostQueue
from kiosk.ops.health import IN_SERVICE

from .test_flow_composition import demo_settings, free_port

pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]


def test_the_demo_kiosk_has_a_scanner_whose_status_feeds_health(tmp_path):
    before = set(threading.enumerate())
    post = PostQueue()
    kiosk = build_kiosk(demo_settings(tmp_path, free_port()), post)
    try:
        assert isinstance(kiosk.scanner.device, SerialBarcodeScanner)
        health = kiosk.operations.health
        assert post.run_until(lambda: health.snapshot().scan_available, 10)
        kiosk.scanner.simulator.stop()  # unplugged
        assert post.run_until(lambda: not health.snapshot().scan_available, 10)
        assert health.snapshot().state == IN_SERVICE
    finally:
        kiosk.close()
    post.run_pending()
    leftover = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert [t.name for t in leftover if not t.daemon or t.name != "kiosk-worker"] == []


def test_without_a_scanner_the_core_has_none(tmp_path):
    settings = demo_settings(tmp_path, free_port())
    settings = dataclasses.replace(settings, devices=dataclasses.replace(
        settings.devices, scanner=dataclasses.replace(settings.devices.scanner, kind="none")))
    kiosk = build_kiosk(settings, PostQueue())
    try:
        assert kiosk.scanner.device is None
        assert not kiosk.operations.health.snapshot().scan_available
    finally:
        kiosk.close()
