"""Customer numbers: HK and mainland mobiles accepted, everything else explained by a code."""

from __future__ import annotations

import pytest

from kiosk.flow import phone


@pytest.mark.parametrize("country,digits,msisdn,shown", [
    ("852", "91234567", "85291234567", "+852 9123 4567"),
    ("852", "51234567", "85251234567", "+852 5123 4567"),
    ("852", "61234567", "85261234567", "+852 6123 4567"),
    ("86", "13812345678", "8613812345678", "+86 138 1234 5678"),
    ("86", "19912345678", "8619912345678", "+86 199 1234 5678"),
])
def test_valid_mobiles(country, digits, msisdn, shown):
    number = phone.parse(country, digits)
    assert number.msisdn == msisdn and number.formatted == shown
    assert phone.format_msisdn(msisdn) == shown


@pytest.mark.parametrize("country,digits,code", [
    ("852", "9123456", phone.TOO_SHORT),       # 7 digits
    ("852", "912345678", phone.TOO_LONG),
    ("852", "23456789", phone.LANDLINE),       # an HK fixed line
    ("852", "31234567", phone.LANDLINE),
    ("852", "12345678", phone.BAD_PREFIX),
    ("86", "91234567", phone.LOOKS_HK),        # +86 chosen, 8 digits of an HK mobile
    ("86", "1381234567", phone.TOO_SHORT),
    ("86", "12345678901", phone.BAD_PREFIX),   # 12… is no mainland mobile
    ("86", "23812345678", phone.BAD_PREFIX),
    ("852", "", phone.TOO_SHORT),
])
def test_wrong_numbers_get_a_code(country, digits, code):
    with pytest.raises(phone.NumberError) as e:
        phone.parse(country, digits)
    assert e.value.code == code


def test_prefix_error_shows_while_typing():
    assert phone.prefix_error("852", "2") == phone.LANDLINE
    assert phone.prefix_error("852", "9") is None
    assert phone.prefix_error("86", "12") == phone.BAD_PREFIX
    assert phone.prefix_error("86", "1") is None


@pytest.mark.parametrize("country,digits,shown", [
    ("852", "9", "9"), ("852", "91234", "9123 4"), ("852", "91234567", "9123 4567"),
    ("86", "1381", "138 1"), ("86", "1381234", "138 1234"), ("86", "13812345678", "138 1234 5678"),
])
def test_formatted_as_typed(country, digits, shown):
    assert phone.format_typed(country, digits) == shown


def test_max_digits_and_unknown_country():
    assert phone.max_digits("852") == 8 and phone.max_digits("86") == 11
    with pytest.raises(ValueError):
        phone.max_digits("1")


def test_typing_stops_at_the_country_length_and_keeps_digits_across_a_country_switch():
    typed = phone.Typed()
    for d in "9123456789":
        typed = typed.press(d)
    assert typed.digits == "91234567" and typed.formatted == "9123 4567" and typed.error is None
    assert typed.backspace().digits == "9123456"
    mainland = phone.Typed("86", "13812345678")
    assert mainland.with_country("852").digits == "13812345" and mainland.with_country("852").error
    with pytest.raises(ValueError):
        typed.press("x")
