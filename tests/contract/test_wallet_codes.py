"""Wallet payment codes: WeChat Pay and Alipay told apart by length and prefix, others refused."""

from __future__ import annotations

import pytest

from contract import wallet_codes as w


@pytest.mark.parametrize("code", ["10" + "0" * 16, "134567890123456789", "15" + "9" * 16])
def test_eighteen_digits_starting_10_to_15_are_wechat_pay(code):
    check = w.check_wallet_code(code)
    assert check.ok and check.wallet == w.WECHAT and check.reason == ""


@pytest.mark.parametrize("code", ["25" + "1" * 14, "28" + "3" * 16, "30" + "7" * 22,
                                  " 281234567890123456\r\n"])
def test_sixteen_to_twenty_four_digits_starting_25_to_30_are_alipay(code):
    assert w.check_wallet_code(code).wallet == w.ALIPAY


@pytest.mark.parametrize("code, reason", [
    ("", w.EMPTY),
    ("4006381333931", w.PRODUCT_BARCODE),  # EAN-13
    ("96385074", w.PRODUCT_BARCODE),  # EAN-8
    ("13456789012345678", w.WRONG_LENGTH),  # WeChat prefix, 17 digits: half read
    ("1345678901234567890", w.WRONG_LENGTH),
    ("25" + "1" * 13, w.WRONG_LENGTH),  # 15 digits
    ("30" + "7" * 23, w.WRONG_LENGTH),  # 25 digits
    ("09" + "0" * 16, w.UNKNOWN_PREFIX),
    ("16" + "0" * 16, w.UNKNOWN_PREFIX),
    ("31" + "0" * 16, w.UNKNOWN_PREFIX),
    ("912345678", w.UNKNOWN_PREFIX),  # an Octopus card number (8 digits and its check digit)
    ("13456789012345678a", w.NOT_DIGITS),
    ("https://example.com/p/1", w.NOT_DIGITS),
    ("１３４５６７８９０１２３４５６７８９", w.NOT_DIGITS),  # full-width digits
])
def test_anything_else_is_not_a_wallet_code_with_a_reason(code, reason):
    check = w.check_wallet_code(code)
    assert not check.ok and check.wallet == "" and check.reason == reason and check.detail


def test_the_repr_and_masked_keep_only_the_last_four():
    check = w.check_wallet_code("134567890123456789")
    assert "1345678901234" not in repr(check) and "6789" in repr(check)
    assert w.masked("134567890123456789") == "…6789 (18 chars)"
