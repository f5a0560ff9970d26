"""Money, phone numbers and dates as words, in the three languages."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.speech.words import (
    chinese_number,
    date_words,
    digit_words,
    english_number,
    english_year,
    money_words,
)


@pytest.mark.parametrize("cents, en, hant, hans", [
    (8820, "eighty-eight dollars twenty", "港幣八十八元二角", "港币八十八元二角"),
    (9800, "ninety-eight dollars", "港幣九十八元正", "港币九十八元正"),
    (100, "one dollar", "港幣一元正", "港币一元正"),
    (8805, "eighty-eight dollars five", "港幣八十八元零五分", "港币八十八元零五分"),
    (98000, "nine hundred and eighty dollars", "港幣九百八十元正", "港币九百八十元正"),
    (1000000, "ten thousand dollars", "港幣一萬元正", "港币一万元正"),
])
def test_money_is_spoken_as_money(cents, en, hant, hans):
    assert money_words(cents, "en") == en
    assert money_words(cents, "zh-Hant") == hant
    assert money_words(cents, "zh-Hans") == hans


@pytest.mark.parametrize("n, words", [(0, "zero"), (13, "thirteen"), (40, "forty"), (101, "one hundred and one"),
                                      (1005, "one thousand and five"), (21000, "twenty-one thousand")])
def test_english_numbers(n, words):
    assert english_number(n) == words


@pytest.mark.parametrize("n, words", [(10, "十"), (11, "十一"), (20, "二十"), (105, "一百零五"), (110, "一百一十"),
                                      (1001, "一千零一"), (20000, "二萬"), (10010, "一萬零一十")])
def test_chinese_numbers(n, words):
    assert chinese_number(n) == words


def test_phone_numbers_are_read_digit_by_digit():
    assert digit_words("+852 9123 4567", "en") == ("plus, eight, five, two, nine, one, two, three, "
                                                   "four, five, six, seven")
    assert digit_words("91234567", "zh-Hant") == "九，一，二，三，四，五，六，七"
    assert digit_words("100", "zh-Hans") == "一，零，零"


def test_dates_are_spoken_as_dates():
    assert date_words(date(2026, 12, 1), "en") == "the first of December twenty twenty-six"
    assert date_words(date(2027, 1, 22), "en") == "the twenty-second of January twenty twenty-seven"
    assert date_words(date(2026, 12, 1), "zh-Hant") == "二零二六年十二月一日"
    assert date_words(date(2026, 3, 31), "zh-Hans") == "二零二六年三月三十一日"
    assert english_year(2005) == "two thousand and five"
    assert english_year(2105) == "twenty-one oh-five"
