"""Rendering receipts with the CJK font: all three languages, wrapping, sizes, the QR code."""

import pytest
import zxingcpp
from PIL import Image, ImageChops

from devices.receipt_printer.document import ReceiptDocument, ReceiptLine
from devices.receipt_printer.render import _font, render, wrap

from .conftest import receipt


def ink_rows(image: Image.Image) -> int:
    gray = image.convert("L")
    return sum(1 for y in range(gray.height) if gray.crop((0, y, gray.width, y + 1)).getextrema()[0] == 0)


def glyph(char: str, font) -> bytes:
    return render(ReceiptDocument((ReceiptLine(char),)), font, 64).tobytes()


@pytest.mark.parametrize("language", ["zh-Hant", "zh-Hans", "en"])
def test_every_language_renders_at_paper_width_with_ink(cjk_font, language):
    image = render(receipt(language), cjk_font, 576)
    assert image.mode == "1" and image.width == 576
    assert ink_rows(image) > 60


def test_chinese_characters_are_real_glyphs_not_boxes(cjk_font):
    """GIVEN 繁, 简 and a character no font has WHEN drawn THEN the Chinese ones differ from the box."""
    missing = glyph("\U000F0001", cjk_font)  # private use: drawn as .notdef (a box) or nothing
    drawn = {ch: glyph(ch, cjk_font) for ch in "體体據据"}
    assert all(bitmap != missing for bitmap in drawn.values())
    assert len(set(drawn.values())) == 4


def test_bold_face_makes_darker_lines(cjk_font, cjk_bold):
    regular = render(ReceiptDocument((ReceiptLine("數據卡增值"),)), cjk_font, 300)
    bold = render(ReceiptDocument((ReceiptLine("數據卡增值", bold=True),)), cjk_font, 300, cjk_bold)
    black = lambda im: im.convert("L").histogram()[0]  # noqa: E731
    assert black(bold) > black(regular) * 1.2


def test_large_lines_are_taller(cjk_font):
    normal = render(ReceiptDocument((ReceiptLine("HK$98.00"),)), cjk_font, 576)
    large = render(ReceiptDocument((ReceiptLine("HK$98.00", size="large"),)), cjk_font, 576)
    assert large.height > normal.height * 1.4


def test_alignment_moves_the_ink(cjk_font):
    def box(align):
        image = render(ReceiptDocument((ReceiptLine("總額", align=align),)), cjk_font, 576)
        return ImageChops.invert(image.convert("L")).getbbox()
    left, center, right = box("left"), box("center"), box("right")
    assert left[0] < 20 and right[2] > 556 and abs((center[0] + center[2]) / 2 - 288) < 4


@pytest.mark.parametrize("text", [
    "The quick brown fox jumps over the lazy dog and keeps running along the harbour front",
    "繁體中文收據列印測試，這一行很長很長很長很長很長很長很長，應該換行",
    "Reference K01-20261125-000123 參考編號 and a longwordthatcannotfitonalineatallbecauseitisverylongindeed",
])
def test_wrapped_lines_fit_the_paper_and_keep_every_character(cjk_font, text):
    font = _font(str(cjk_font), 26)
    rows = wrap(text, font, 300)
    assert len(rows) > 1
    assert all(font.getlength(row) <= 300 for row in rows)
    assert "".join(rows).replace(" ", "") == text.replace(" ", "")


def test_latin_words_are_not_broken_when_they_fit(cjk_font):
    rows = wrap("alpha beta gamma delta epsilon", _font(str(cjk_font), 26), 150)
    assert all(word in " ".join(rows).split() for word in "alpha beta gamma delta epsilon".split())


def test_qr_drawn_into_the_raster_decodes(cjk_font):
    image = render(receipt("en", qr="https://receipts.example/abc"), cjk_font, 576, draw_qr=True)
    assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == ["https://receipts.example/abc"]


def test_native_qr_is_not_drawn_by_default(cjk_font):
    with_qr = render(receipt("en", qr="https://receipts.example/abc"), cjk_font, 576)
    without = render(receipt("en", qr=None), cjk_font, 576)
    assert with_qr.tobytes() == without.tobytes()


def test_empty_line_is_a_blank_line(cjk_font):
    image = render(ReceiptDocument((ReceiptLine(""),)), cjk_font, 576)
    assert image.height > 20 and ink_rows(image) == 0
