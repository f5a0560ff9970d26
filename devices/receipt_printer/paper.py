"""What the simulated printer puts on paper: the parts of one receipt, saved as PNG + text.

Raster images are stacked as received; plain text lines are drawn with a simple font; a QR
code is drawn from the stored QR data when GS ( k print arrives. On a cut the page is saved as
``receipt-NNNN.png`` and ``receipt-NNNN.txt`` (the text it could read and the QR data).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

log = logging.getLogger(__name__)

_INVERT = bytes(255 - i for i in range(256))
TEXT_PX = 24


@dataclass(frozen=True)
class PrintedReceipt:
    number: int
    png_path: Path
    text_path: Path
    lines: tuple[str, ...]  # plain text lines read from the stream
    qr_data: tuple[str, ...]  # every QR code printed
    rasters: int  # GS v 0 images received
    width: int
    height: int


def receipt_files(output_dir: Path, number: int) -> tuple[Path, Path]:
    """Where receipt *number* is saved: its PNG and its text log."""
    stem = output_dir / f"receipt-{number:04d}"
    return stem.with_suffix(".png"), stem.with_suffix(".txt")


def raster_to_image(width_bytes: int, height: int, data: bytes) -> Image.Image:
    """GS v 0 data (1 = printed dot) as a Pillow "1" image (0 = black)."""
    return Image.frombytes("1", (width_bytes * 8, height), data.translate(_INVERT))


class Page:
    """The receipt being printed, until the cut."""

    def __init__(self, paper_width_dots: int = 576):
        self.width = paper_width_dots
        self._parts: list[Image.Image] = []
        self._lines: list[str] = []
        self._qr_data: list[str] = []
        self._qr_stored: bytes | None = None
        self._qr_module = 3
        self._rasters = 0
        self.align = 0

    @property
    def empty(self) -> bool:
        return not self._parts

    def add_raster(self, width_bytes: int, height: int, data: bytes) -> None:
        self._parts.append(raster_to_image(width_bytes, height, data))
        self._rasters += 1

    def add_line(self, text: str) -> None:
        self._lines.append(text)
        from PIL import ImageDraw, ImageFont  # Pillow's font engine: with the first text line

        font = ImageFont.load_default(TEXT_PX)
        img = Image.new("1", (self.width, int(TEXT_PX * 1.4)), 1)
        text_w = int(font.getlength(text))
        x = (0, (self.width - text_w) // 2, self.width - text_w)[min(self.align, 2)]
        ImageDraw.Draw(img).text((max(0, x), 2), text, font=font, fill=0)
        self._parts.append(img)

    def qr_command(self, fn: int, params: bytes) -> None:
        """GS ( k with cn 49: module size (67), store (80), print (81); others only logged."""
        if fn == 0x43 and params:
            self._qr_module = max(1, min(16, params[0]))
        elif fn == 0x50:
            self._qr_stored = params[1:]  # after m = 0x30
        elif fn == 0x51 and self._qr_stored:
            text = self._qr_stored.decode("utf-8", "replace")
            self._qr_data.append(text)
            from devices.receipt_printer.render import qr_image  # with the first code drawn

            self._parts.append(qr_image(text, self.width, self._qr_module))

    def feed(self, lines: int) -> None:
        if lines:
            self._parts.append(Image.new("1", (self.width, lines * 30), 1))

    def save(self, output_dir: Path, number: int) -> PrintedReceipt:
        output_dir.mkdir(parents=True, exist_ok=True)
        width = max([self.width] + [p.width for p in self._parts])
        from devices.receipt_printer.render import stack  # with the first receipt drawn

        image = stack(self._parts, width)
        png, txt = receipt_files(output_dir, number)
        image.save(png)
        report = [f"receipt {number}: {image.width}x{image.height} dots, "
                  f"{self._rasters} raster image(s)"]
        report += [f"text: {line}" for line in self._lines]
        report += [f"qr: {data}" for data in self._qr_data]
        txt.write_text("\n".join(report) + "\n", encoding="utf-8")
        log.info("printed receipt %d to %s", number, png)
        return PrintedReceipt(number, png, txt, tuple(self._lines), tuple(self._qr_data),
                              self._rasters, image.width, image.height)
