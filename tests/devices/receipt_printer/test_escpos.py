"""Golden bytes for every ESC/POS command the kiosk sends (specs/receipt-printer-escpos.md)."""

import pytest
from PIL import Image

from devices.receipt_printer import escpos


@pytest.mark.parametrize("built, expected", [
    (escpos.initialise(), "1B 40"),
    (escpos.line_feed(), "0A"),
    (escpos.align("left"), "1B 61 00"),
    (escpos.align("center"), "1B 61 01"),
    (escpos.align("right"), "1B 61 02"),
    (escpos.bold(True), "1B 45 01"),
    (escpos.bold(False), "1B 45 00"),
    (escpos.print_mode(emphasised=True, double_height=True, double_width=True), "1B 21 38"),
    (escpos.char_size(2, 2), "1D 21 11"),
    (escpos.char_size(1, 3), "1D 21 02"),
    (escpos.feed(4), "1B 64 04"),
    (escpos.cut(partial=False), "1D 56 00"),
    (escpos.cut(), "1D 56 01"),
    (escpos.cut(feed_lines=3), "1D 56 42 03"),
    (escpos.qr_model(), "1D 28 6B 04 00 31 41 32 00"),
    (escpos.qr_module_size(6), "1D 28 6B 03 00 31 43 06"),
    (escpos.qr_error_correction("L"), "1D 28 6B 03 00 31 45 30"),
    (escpos.qr_error_correction("H"), "1D 28 6B 03 00 31 45 33"),
    (escpos.qr_print(), "1D 28 6B 03 00 31 51 30"),
    (escpos.status_request(1), "10 04 01"),
    (escpos.status_request(4), "10 04 04"),
    (escpos.text("HK$ 12.30"), "48 4B 24 20 31 32 2E 33 30 0A"),
])
def test_command_bytes_match_the_spec(built, expected):
    """GIVEN a command of the spec's table WHEN encoded THEN its bytes are exactly the spec's."""
    assert built == bytes.fromhex(expected)


def test_qr_store_length_counts_data_plus_three():
    """GIVEN 300 bytes of QR data WHEN stored THEN pL pH = 303 = 0x012F, little-endian."""
    data = b"x" * 300
    assert escpos.qr_store(data) == bytes.fromhex("1D 28 6B 2F 01 31 50 30") + data


def test_qr_code_is_the_full_sequence_with_utf8_data():
    """GIVEN a receipt URL WHEN its QR is built THEN model, size, EC, store and print follow in order."""
    seq = escpos.qr_code("https://r.example/香港", module_dots=5, level="M")
    data = "https://r.example/香港".encode()
    assert seq == (bytes.fromhex("1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 05")
                   + bytes.fromhex("1D 28 6B 03 00 31 45 31")
                   + bytes((0x1D, 0x28, 0x6B, len(data) + 3, 0, 0x31, 0x50, 0x30)) + data
                   + bytes.fromhex("1D 28 6B 03 00 31 51 30"))


def test_raster_header_has_width_in_bytes_and_height_in_dots():
    """GIVEN a 576-dot (72-byte) wide, 300-row image WHEN sent THEN xL xH = 48 00, yL yH = 2C 01."""
    data = bytes(72 * 300)
    assert escpos.raster(72, 300, data)[:8] == bytes.fromhex("1D 76 30 00 48 00 2C 01")


def test_raster_image_prints_black_pixels_msb_left():
    """GIVEN an image with its left-most pixel black WHEN rasterised THEN the first data byte is 0x80."""
    img = Image.new("1", (16, 1), 1)
    img.putpixel((0, 0), 0)
    img.putpixel((15, 0), 0)
    assert escpos.raster_image(img) == bytes.fromhex("1D 76 30 00 02 00 01 00 80 01")


def test_raster_image_pads_width_to_whole_bytes_with_white():
    img = Image.new("1", (10, 2), 0)  # all black
    out = escpos.raster_image(img)
    assert out[:8] == bytes.fromhex("1D 76 30 00 02 00 02 00")
    assert out[8:] == bytes.fromhex("FF C0 FF C0")


def test_tall_image_goes_in_bands():
    """GIVEN a 600-row image WHEN rasterised in 256-row bands THEN three commands of 256, 256, 88 rows."""
    out = escpos.raster_image(Image.new("1", (8, 600), 1))
    headers = [out[i:i + 8] for i in (0, 8 + 256, 2 * (8 + 256))]
    assert [h[6] | h[7] << 8 for h in headers] == [256, 256, 88]
    assert len(out) == 3 * 8 + 600


@pytest.mark.parametrize("call", [
    lambda: escpos.align("middle"),
    lambda: escpos.char_size(9, 1),
    lambda: escpos.feed(256),
    lambda: escpos.qr_module_size(0),
    lambda: escpos.qr_module_size(17),
    lambda: escpos.qr_error_correction("X"),
    lambda: escpos.qr_store(b""),
    lambda: escpos.qr_store(b"x" * 7090),
    lambda: escpos.raster(2, 2, b"\x00"),
    lambda: escpos.status_request(5),
    lambda: escpos.text("繁體"),
    lambda: escpos.text("a\x1bb"),
])
def test_out_of_range_arguments_are_refused_not_sent(call):
    with pytest.raises(ValueError):
        call()
