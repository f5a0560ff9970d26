"""ESC/POS command encoding: the subset of ``docs/receipt-printer-escpos.md``, bytes out.

Pure functions, one per command, so every byte sent to a printer is built here and golden
tested. (python-escpos builds the same commands, but its status handling reports "paper
adequate" when nothing answered; owning these few lines keeps the encoding beside its tests.)

    ESC @                       1B 40                   initialise
    ESC a n                     1B 61 n                 align 0 left, 1 centre, 2 right
    ESC E n                     1B 45 n                 bold on/off
    ESC ! n                     1B 21 n                 print mode bits
    GS ! n                      1D 21 n                 size: high nibble width-1, low height-1
    ESC d n                     1B 64 n                 feed n lines
    GS V m / GS V 66 n          1D 56 m / 1D 56 42 n    cut / feed n then partial cut
    GS v 0 m xL xH yL yH d...   1D 76 30 ...            raster, width bytes x height dots
    GS ( k pL pH cn fn ...      1D 28 6B ...            QR code (cn = 0x31)
    DLE EOT n                   10 04 n                 real-time status, n = 1..4
"""

from __future__ import annotations

from PIL import Image, ImageOps

ESC, GS, DLE, EOT = 0x1B, 0x1D, 0x10, 0x04
ALIGN = {"left": 0, "center": 1, "right": 2}
QR_ERROR_CORRECTION = {"L": 48, "M": 49, "Q": 50, "H": 51}
QR_MAX_DATA = 7089  # model 2, numeric at level L; larger is refused before it reaches the wire
RASTER_BAND_ROWS = 256  # rows per GS v 0 command: many printers cap one image's height/buffer


def _byte(n: int, name: str, low: int = 0, high: int = 255) -> int:
    if not low <= n <= high:
        raise ValueError(f"{name} must be {low}..{high}, got {n}")
    return n


def initialise() -> bytes:
    return bytes((ESC, 0x40))


def line_feed() -> bytes:
    return b"\n"


def text(line: str) -> bytes:
    """A plain text line (ASCII only: Chinese goes as a raster image) followed by a line feed."""
    if not line.isascii() or any(ch < " " for ch in line):
        raise ValueError("plain text mode takes printable ASCII only; render anything else")
    return line.encode("ascii") + b"\n"


def align(where: str) -> bytes:
    if where not in ALIGN:
        raise ValueError(f"align must be one of {tuple(ALIGN)}, got {where!r}")
    return bytes((ESC, 0x61, ALIGN[where]))


def bold(on: bool) -> bytes:
    return bytes((ESC, 0x45, 1 if on else 0))


def print_mode(emphasised: bool = False, double_height: bool = False,
               double_width: bool = False) -> bytes:
    n = (0x08 if emphasised else 0) | (0x10 if double_height else 0) | (0x20 if double_width else 0)
    return bytes((ESC, 0x21, n))


def char_size(width: int = 1, height: int = 1) -> bytes:
    """GS ! with magnifications 1..8 in each direction."""
    w, h = _byte(width, "width", 1, 8), _byte(height, "height", 1, 8)
    return bytes((GS, 0x21, (w - 1) << 4 | (h - 1)))


def feed(lines: int) -> bytes:
    return bytes((ESC, 0x64, _byte(lines, "lines")))


def cut(partial: bool = True, feed_lines: int | None = None) -> bytes:
    """Cut the paper; with *feed_lines*, feed that far first (always a partial cut then)."""
    if feed_lines is not None:
        return bytes((GS, 0x56, 0x42, _byte(feed_lines, "feed_lines")))
    return bytes((GS, 0x56, 1 if partial else 0))


def raster(width_bytes: int, height: int, data: bytes, mode: int = 0) -> bytes:
    """One GS v 0 image: *data* is *height* rows of *width_bytes*, MSB left, 1 = a printed dot."""
    _byte(mode, "mode", 0, 3)
    if not 1 <= width_bytes <= 0xFFFF or not 1 <= height <= 0xFFFF:
        raise ValueError(f"raster size out of range: {width_bytes} bytes x {height} rows")
    if len(data) != width_bytes * height:
        raise ValueError(f"raster data is {len(data)} bytes, expected {width_bytes * height}")
    header = bytes((GS, 0x76, 0x30, mode,
                    width_bytes & 0xFF, width_bytes >> 8, height & 0xFF, height >> 8))
    return header + data


def raster_bands(image: Image.Image, band_rows: int = RASTER_BAND_ROWS) -> list[bytes]:
    """A picture as GS v 0 commands of at most *band_rows* rows each (black pixels print)."""
    bw = image.convert("1") if image.mode != "1" else image
    width_bytes = (bw.width + 7) // 8
    if bw.width % 8:  # pad to whole bytes with white
        padded = Image.new("1", (width_bytes * 8, bw.height), 1)
        padded.paste(bw, (0, 0))
        bw = padded
    # Pillow's "1" packs 1 = white; ESC/POS wants 1 = print.
    ink = ImageOps.invert(bw.convert("L")).convert("1")
    bands = []
    for top in range(0, ink.height, band_rows):
        band = ink.crop((0, top, ink.width, min(top + band_rows, ink.height)))
        bands.append(raster(width_bytes, band.height, band.tobytes()))
    return bands


def raster_image(image: Image.Image, band_rows: int = RASTER_BAND_ROWS) -> bytes:
    """All the bands of ``raster_bands`` as one byte string."""
    return b"".join(raster_bands(image, band_rows))


def _qr(fn: int, params: bytes) -> bytes:
    size = len(params) + 2  # cn and fn count in pL pH
    return bytes((GS, 0x28, 0x6B, size & 0xFF, size >> 8, 0x31, fn)) + params


def qr_model() -> bytes:
    """Select QR model 2."""
    return _qr(0x41, bytes((0x32, 0x00)))


def qr_module_size(dots: int) -> bytes:
    return _qr(0x43, bytes((_byte(dots, "module size", 1, 16),)))


def qr_error_correction(level: str = "M") -> bytes:
    if level not in QR_ERROR_CORRECTION:
        raise ValueError(f"error correction must be one of {tuple(QR_ERROR_CORRECTION)}")
    return _qr(0x45, bytes((QR_ERROR_CORRECTION[level],)))


def qr_store(data: bytes) -> bytes:
    """Store QR data: pL + 256·pH = len(data) + 3."""
    if not 1 <= len(data) <= QR_MAX_DATA:
        raise ValueError(f"QR data must be 1..{QR_MAX_DATA} bytes, got {len(data)}")
    return _qr(0x50, b"\x30" + data)


def qr_print() -> bytes:
    return _qr(0x51, b"\x30")


def qr_code(data: str, module_dots: int = 6, level: str = "M") -> bytes:
    """The whole native QR sequence: model 2, module size, error correction, store, print."""
    return (qr_model() + qr_module_size(module_dots) + qr_error_correction(level)
            + qr_store(data.encode("utf-8")) + qr_print())


def status_request(n: int) -> bytes:
    """DLE EOT n: the printer answers one status byte at once (n = 1..4)."""
    return bytes((DLE, EOT, _byte(n, "DLE EOT n", 1, 4)))
