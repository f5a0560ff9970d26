"""The printer simulator on its own: status bytes from its state, what it saves, what it refuses."""

import pytest
from PIL import Image

from devices.receipt_printer import escpos
from devices.receipt_printer.simulator import PrinterSimulator
from devices.receipt_printer.status import is_valid
from devices.transport import open_port


@pytest.mark.parametrize("switch, expected", [
    (lambda s: None, {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}),
    (lambda s: s.set_paper("low"), {1: 0x12, 2: 0x12, 4: 0x1E}),
    (lambda s: s.set_paper("out"), {1: 0x1A, 2: 0x32, 4: 0x7E}),
    (lambda s: s.set_cover_open(True), {1: 0x1A, 2: 0x16, 4: 0x12}),
    (lambda s: s.set_offline(True), {1: 0x1A, 2: 0x12}),
    (lambda s: s.set_error("cutter"), {1: 0x1A, 2: 0x52, 3: 0x1A}),
])
def test_status_bytes_are_the_specs_examples(tmp_path, switch, expected):
    sim = PrinterSimulator(tmp_path)
    switch(sim)
    assert {n: sim.status_byte(n) for n in expected} == expected


def test_garbage_switch_breaks_the_fixed_bits(tmp_path):
    sim = PrinterSimulator(tmp_path)
    sim.set_status_garbage(True)
    assert not any(is_valid(sim.status_byte(n)) for n in (1, 2, 3, 4))


def test_unknown_switch_values_are_refused(tmp_path):
    with pytest.raises(ValueError):
        PrinterSimulator(tmp_path, paper="empty")


@pytest.fixture
def wire(simulator):
    port = open_port(simulator.start("pty"), timeout_s=0.3)
    yield port
    port.close()


def test_prints_a_stream_as_png_and_text(wire, simulator, tmp_path):
    image = Image.new("1", (576, 40), 1)
    image.paste(0, (0, 0, 100, 40))
    wire.write(escpos.initialise() + escpos.text("HELLO KIOSK") + escpos.raster_image(image)
               + escpos.qr_code("QR-DATA-1") + escpos.feed(2) + escpos.cut())
    assert simulator.wait_printed(1)
    printed = simulator.printed[0]
    assert printed.lines == ("HELLO KIOSK",) and printed.qr_data == ("QR-DATA-1",)
    png = Image.open(printed.png_path).convert("L")
    assert png.width == 576
    log = printed.text_path.read_text(encoding="utf-8")
    assert "text: HELLO KIOSK" in log and "qr: QR-DATA-1" in log and "1 raster image" in log


def test_answers_status_but_not_bytes_inside_data(wire, simulator):
    wire.write(escpos.raster(3, 1, bytes.fromhex("10 04 01")) + escpos.status_request(4))
    assert wire.read(2) == b"\x12"
    assert simulator.status_queries == 1


def test_paper_out_prints_nothing(wire, simulator):
    simulator.set_paper("out")
    wire.write(escpos.initialise() + escpos.text("LOST") + escpos.cut() + escpos.status_request(1))
    assert wire.read(1) == b"\x1a"
    assert not simulator.printed and not list(simulator.output_dir.glob("*.png"))


def test_numbering_continues_after_a_restart(tmp_path):
    (tmp_path / "receipt-0007.png").write_bytes(b"")
    sim = PrinterSimulator(tmp_path)
    assert sim._next_number() == 8


def test_only_the_newest_receipts_stay_in_memory_and_on_disk(tmp_path):
    """GIVEN a simulator keeping 3 WHEN 5 receipts are cut THEN receipts 3-5 remain, 5 counted."""
    (tmp_path / "receipt-0001.png").write_bytes(b"")  # from an earlier run: numbering goes on
    sim = PrinterSimulator(tmp_path, keep=3)
    port = open_port(sim.start("pty"), timeout_s=0.3)
    try:
        for n in range(5):
            port.write(escpos.initialise() + escpos.text(f"RECEIPT {n}") + escpos.cut())
        assert sim.wait_printed(5)
    finally:
        port.close()
        sim.stop()
    assert sim.printed_count == 5
    assert [r.number for r in sim.printed] == [4, 5, 6]
    assert sorted(p.name for p in tmp_path.glob("receipt-*")) == [
        f"receipt-{n:04d}.{ext}" for n in (4, 5, 6) for ext in ("png", "txt")]
