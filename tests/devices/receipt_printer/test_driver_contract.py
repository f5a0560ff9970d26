"""The driver against the simulator over a real pty AND TCP, each fault switch in turn."""

import logging
import time

import pytest
import zxingcpp
from PIL import Image

from devices.interfaces import (
    CoverOpen,
    DeviceState,
    LinkError,
    PaperOut,
    PaperState,
    ReceiptPrinter,
)

from .conftest import Events, receipt

# Bounds for waiting on a condition: generous, since a busy machine is slow, and never a sleep.
WAIT_S = 10.0

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(params=["pty", "tcp"])
def link(request):
    return request.param


@pytest.fixture
def rig(link, simulator, make_driver):
    """(driver, simulator, events) with the driver connected and the printer answering."""
    driver = make_driver(simulator.start(link))
    events = Events()
    driver.subscribe(events)
    assert driver.wait_ready(3.0)
    return driver, simulator, events


def sent_raster(driver) -> bool:
    return any(f.direction == "tx" and f.hex.startswith("1D 76 30") for f in driver.recent_frames())


def test_driver_is_a_receipt_printer(rig):
    assert isinstance(rig[0], ReceiptPrinter)


def test_healthy_printer_prints_a_readable_receipt(rig):
    """GIVEN a healthy printer WHEN a receipt prints THEN a PNG with ink and a readable QR is saved."""
    driver, sim, _ = rig
    status = driver.status()
    assert (status.state, status.paper, status.cover_open) == (DeviceState.ONLINE, PaperState.OK, False)
    driver.print_receipt(receipt("zh-Hant"))
    assert sim.wait_printed(1)
    printed = sim.printed[0]
    image = Image.open(printed.png_path).convert("L")
    assert image.width == 576 and printed.rasters >= 1
    title_band = image.crop((0, 0, 576, 60))
    assert title_band.getextrema()[0] == 0, "the title has no ink"
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["https://receipts.example/K01-000123"]
    assert "qr: https://receipts.example/K01-000123" in printed.text_path.read_text(encoding="utf-8")


def test_paper_low_still_prints_and_is_reported_while_idle(rig):
    driver, sim, events = rig
    sim.set_paper("low")
    assert events.wait_for(lambda s: s.paper is PaperState.LOW, 2.0)
    assert events.last.state is DeviceState.ONLINE
    driver.print_receipt(receipt("en", qr=None))
    assert sim.wait_printed(1)


def test_paper_out_is_seen_before_printing_and_nothing_is_sent(rig):
    """GIVEN paper out WHEN a receipt is asked THEN PaperOut before one byte of it went out."""
    driver, sim, events = rig
    sim.set_paper("out")
    assert events.wait_for(lambda s: s.paper is PaperState.OUT, 2.0)
    with pytest.raises(PaperOut):
        driver.print_receipt(receipt())
    assert not sent_raster(driver)
    assert sim.printed == []
    assert not driver.status().usable


def test_cover_open_is_seen_before_printing(rig):
    driver, sim, events = rig
    sim.set_cover_open(True)
    assert events.wait_for(lambda s: s.cover_open is True, 2.0)
    with pytest.raises(CoverOpen):
        driver.print_receipt(receipt())
    assert not sent_raster(driver)
    sim.set_cover_open(False)
    assert events.wait_for(lambda s: s.state is DeviceState.ONLINE and s.cover_open is False)


def test_offline_refuses_to_print(rig):
    driver, sim, events = rig
    sim.set_offline(True)
    assert events.wait_for(lambda s: s.state is DeviceState.OFFLINE, 2.0)
    with pytest.raises(LinkError, match="offline"):
        driver.print_receipt(receipt())
    assert not sent_raster(driver)


def test_cutter_error_is_a_hardware_error(rig):
    driver, sim, events = rig
    sim.set_error("cutter")
    assert events.wait_for(lambda s: s.state is DeviceState.HARDWARE_ERROR and "cutter" in s.detail)


def test_garbage_status_byte_is_unknown_never_paper_ok(rig):
    """GIVEN status bytes that break the fixed bits WHEN asked THEN paper UNKNOWN and no printing."""
    driver, sim, events = rig
    sim.set_status_garbage(True)
    assert events.wait_for(lambda s: s.state is DeviceState.HARDWARE_ERROR, 2.0)
    status = driver.status()
    assert status.paper is PaperState.UNKNOWN and "fixed bits" in status.detail
    with pytest.raises(LinkError):
        driver.print_receipt(receipt())
    assert not sent_raster(driver)


def test_silent_printer_is_no_device_without_hanging(rig):
    driver, sim, events = rig
    sim.set_silent(True)
    assert events.wait_for(lambda s: s.state is DeviceState.NO_DEVICE, WAIT_S)
    start = time.monotonic()
    with pytest.raises(LinkError):
        driver.print_receipt(receipt())
    assert time.monotonic() - start < 2.0
    sim.set_silent(False)
    assert events.wait_for(lambda s: s.state is DeviceState.ONLINE and s.paper is PaperState.OK,
                           WAIT_S)


def test_unplugged_mid_receipt_fails_fast_and_reconnects(link, tmp_path, make_driver):
    """GIVEN the cable pulled 5 KB into a receipt WHEN printing THEN LinkError, NO_DEVICE, and
    once a printer is back on the same port the driver reconnects by itself."""
    from devices.receipt_printer.simulator import PrinterSimulator

    first = PrinterSimulator(tmp_path / "a")
    port = first.start(link, symlink=tmp_path / "printer") if link == "pty" else first.start(link)
    driver = make_driver(port)
    events = Events()
    driver.subscribe(events)
    assert driver.wait_ready(WAIT_S)
    first.unplug_after(5000)
    # Fails fast: a LinkError (the link broke), not a DeviceTimeout after the write timeout.
    # No wall-clock bound here: on a busy machine the seconds are not the driver's.
    with pytest.raises(LinkError):
        driver.print_receipt(receipt())
    assert events.wait_for(lambda s: s.state is DeviceState.NO_DEVICE, WAIT_S)
    first.stop()
    second = PrinterSimulator(tmp_path / "b")
    try:
        tcp_port = int(port.rsplit(":", 1)[1]) if link == "tcp" else 0
        second.start(link, tcp_port, symlink=tmp_path / "printer" if link == "pty" else None)
        assert driver.wait_ready(WAIT_S)
        driver.print_receipt(receipt("en", qr=None))
        assert second.wait_printed(1)
    finally:
        second.stop()


def test_port_that_does_not_exist_is_no_device(tmp_path, make_driver):
    driver = make_driver(str(tmp_path / "ttyUSB9"))
    assert not driver.wait_ready(0.3)
    status = driver.status()
    assert status.state is DeviceState.NO_DEVICE and status.paper is PaperState.UNKNOWN
    with pytest.raises(LinkError):
        driver.print_receipt(receipt())


def test_every_byte_goes_to_the_wire_log_in_hex(rig, caplog):
    driver, sim, _ = rig
    with caplog.at_level(logging.DEBUG, logger="wire.printer"):
        driver.print_receipt(receipt("en"))
    assert sim.wait_printed(1)
    wire = [r.getMessage() for r in caplog.records if r.name == "wire.printer"]
    assert any(m.startswith("tx 10 04 01") for m in wire)
    assert any(m.startswith("rx 12") for m in wire)
    assert any(m.startswith("tx 1D 76 30 00 48 00") for m in wire)  # 72 bytes = 576 dots wide
    assert any(m.startswith("tx 1B 61 01 1D 28 6B 04 00 31 41 32 00") for m in wire)
    frames = driver.recent_frames()
    assert frames[-1].direction == "rx" and frames[-1].hex == "12"


def test_status_right_after_construction_waits_for_the_port(link, simulator, make_driver):
    """GIVEN a driver just built WHEN status() is asked at once (kiosk doctor) THEN a real answer."""
    driver = make_driver(simulator.start(link))
    assert driver.status().state is DeviceState.ONLINE


def test_idle_polls_do_not_push_the_last_receipt_out_of_recent_frames(link, simulator, make_driver):
    """GIVEN a receipt printed WHEN 150 idle polls follow THEN recent_frames still shows the cut."""
    driver = make_driver(simulator.start(link), poll_interval_s=0.02)
    driver.print_receipt(receipt("en", qr=None))
    assert simulator.wait_status_queries(simulator.status_queries + 150, 10.0)
    frames = driver.recent_frames()
    assert any(f.note == "feed, cut" for f in frames)
    assert any(f.direction == "rx" for f in frames[-6:])


def test_paper_running_out_mid_receipt_is_paper_out(rig):
    """GIVEN the roll ending 3 KB into a receipt WHEN printing THEN PaperOut after, nothing saved."""
    driver, sim, events = rig
    sim.paper_ends_after(3000)
    with pytest.raises(PaperOut, match="while printing"):
        driver.print_receipt(receipt())
    assert driver.last_status.paper is PaperState.OUT
    assert sim.printed == []
