"""Rendering a ReceiptDocument to a 1-bit image the width of the paper, with a CJK font.

The receipt body is printed as a raster image so 繁體, 简体 and English print the same on every
printer, whatever code pages its firmware has. Lines wrap at word boundaries for Latin text and
between any two CJK characters. The QR code is normally sent with the printer's own QR commands
(crisp at the printer's resolution, a few dozen bytes instead of ~10 KB of raster); ``draw_qr``
draws it into the image instead, for printers without GS ( k.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from devices.receipt_printer.document import ReceiptDocument, ReceiptLine

log = logging.getLogger(__name__)

NORMAL_PX = 26  # ~3.3 mm at 203 dpi: about 22 CJK characters on 80 mm paper
LARGE_PX = 42
LINE_SPACING = 1.05  # of the font's ascent + descent (Noto CJK's are already 1.45 em)
MARGIN_DOTS = 8
QR_QUIET_MODULES = 4
_TOKENS = re.compile(r"\s+|[^\s]")


@functools.lru_cache(maxsize=16)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _tokens(text: str) -> list[str]:
    """Split into wrap units: runs of spaces, Latin words, and single CJK characters."""
    units: list[str] = []
    for piece in _TOKENS.findall(text):
        joinable = units and not piece.isspace() and not _is_wide(piece)
        last = units[-1] if units else ""
        if joinable and last and not last.isspace() and not _is_wide(last[-1]):
            units[-1] = last + piece
        else:
            units.append(piece)
    return units


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy wrap of *text* into lines no wider than *width* dots (an over-long word is split)."""
    lines: list[str] = []
    current = ""
    for unit in _tokens(text):
        if font.getlength(current + unit) <= width:
            current += unit
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = "" if unit.isspace() else unit
        while font.getlength(current) > width and len(current) > 1:
            cut = max(1, _fit(current, font, width))
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def _fit(text: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    n = 1
    while n < len(text) and font.getlength(text[: n + 1]) <= width:
        n += 1
    return n


def _line_image(line: ReceiptLine, width: int, font_path: Path,
                bold_font_path: Path | None) -> Image.Image:
    size = LARGE_PX if line.size == "large" else NORMAL_PX
    use_bold_file = line.bold and bold_font_path is not None
    font = _font(str(bold_font_path if use_bold_file else font_path), size)
    stroke = 1 if line.bold and not use_bold_file else 0  # fake bold without a bold face
    usable = width - 2 * MARGIN_DOTS
    rows = wrap(line.text, font, usable)
    ascent, descent = font.getmetrics()
    step = int((ascent + descent) * LINE_SPACING)
    img = Image.new("1", (width, step * len(rows)), 1)
    draw = ImageDraw.Draw(img)
    for i, row in enumerate(rows):
        text_w = font.getlength(row)
        x = {"left": MARGIN_DOTS, "center": (width - text_w) / 2,
             "right": width - MARGIN_DOTS - text_w}[line.align]
        draw.text((x, i * step + ascent), row, font=font, fill=0, anchor="ls",
                  stroke_width=stroke, stroke_fill=0)
    return img


def qr_image(data: str, width: int, module_dots: int = 6) -> Image.Image:
    """A QR code (error correction M) centred on a strip *width* dots wide, with its quiet zone."""
    # imported here: most printers draw the code themselves (GS ( k), and the kiosk's start-up
    # need not carry it (~2 MB; bench/README.md)
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                         box_size=module_dots, border=QR_QUIET_MODULES)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    symbol = code.make_image(fill_color="black", back_color="white").get_image().convert("1")
    if symbol.width > width:
        symbol = symbol.resize((width, width), Image.NEAREST)
    strip = Image.new("1", (width, symbol.height), 1)
    strip.paste(symbol, ((width - symbol.width) // 2, 0))
    return strip


def stack(images: list[Image.Image], width: int) -> Image.Image:
    """Images one under the other on white, *width* dots wide."""
    height = sum(im.height for im in images)
    out = Image.new("1", (width, max(1, height)), 1)
    top = 0
    for im in images:
        out.paste(im.convert("1"), (0, top))
        top += im.height
    return out


def render(doc: ReceiptDocument, font_path: Path, paper_width_dots: int = 576,
           bold_font_path: Path | None = None, draw_qr: bool = False) -> Image.Image:
    """The receipt body as a 1-bit image *paper_width_dots* wide (QR only when *draw_qr*)."""
    parts = [Image.new("1", (paper_width_dots, MARGIN_DOTS), 1)]
    parts += [_line_image(line, paper_width_dots, Path(font_path), bold_font_path)
              for line in doc.lines]
    if draw_qr and doc.qr_data:
        parts.append(qr_image(doc.qr_data, paper_width_dots))
    return stack(parts, paper_width_dots)
