"""Chinese line breaks: never a closing mark at the start of a line, Latin words kept whole."""

from screens.cjk_wrap import NO_LINE_START, wrap


def width(text: str) -> float:
    """A monospace measure: a Chinese character or full-width mark 2, anything else 1."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def test_a_full_stop_never_starts_a_line():
    text = "所指的個人資料。我們只會用它來查閱你的數據卡"
    lines = wrap(text, 14, width).split("\n")  # 7 characters a line: "。" would start line 2
    assert "".join(lines) == text
    assert all(line[0] not in NO_LINE_START for line in lines)
    assert all(width(line) <= 14 for line in lines)
    assert lines[0] == "所指的個人資" and lines[1].startswith("料。")


def test_an_opening_bracket_never_ends_a_line():
    lines = wrap("條例甲乙丙《個人資料》", 12, width).split("\n")
    assert all(not line.endswith("《") for line in lines)
    assert "".join(lines) == "條例甲乙丙《個人資料》"


def test_latin_words_break_at_spaces_and_paragraphs_stay():
    text = "Please contact our customer hotline +852 3000 0000.\n\nThanks"
    lines = wrap(text, 20, width).split("\n")
    assert lines == ["Please contact our", "customer hotline", "+852 3000 0000.", "", "Thanks"]


def test_mixed_text_keeps_numbers_whole():
    lines = wrap("請聯絡：客戶服務熱線 +852 3000 0000。", 24, width).split("\n")
    assert "".join(lines).replace(" ", "") == "請聯絡：客戶服務熱線+85230000000。"
    assert all(line[0] not in NO_LINE_START for line in lines if line)
    assert any(line.endswith("0000。") for line in lines)


def test_a_number_stays_with_its_chinese_unit():
    lines = wrap("保留完整號碼最多 7日，其後", 18, width).split("\n")
    assert lines[0] == "保留完整號碼最多" and lines[1].startswith("7日，")
