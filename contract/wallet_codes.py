"""Wallet payment codes (付款碼 / 付款码): the digits a customer's phone shows and the scanner reads.

Shared by the kiosk (check before calling the backend) and the backend simulator (pick the
wallet). The rules of ``POST /v1/payments/scan``:

- 18 digits starting 10–15: WeChat Pay (``WECHAT``);
- 16–24 digits starting 25–30: Alipay or AlipayHK (``ALIPAY``; the server tells them apart);
- anything else (a 13-digit EAN product barcode, an Octopus card number, letters, a half-read
  code) is not a wallet code, with a reason; it must not reach the backend.

``check_wallet_code(code)`` answers both ways; ``masked(code)`` is what a log may keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WECHAT = "wechatpay"
ALIPAY = "alipay"  # Alipay or AlipayHK: the server decides

# reasons a code is refused (stable names, for messages and tests)
EMPTY, NOT_DIGITS, PRODUCT_BARCODE, WRONG_LENGTH, UNKNOWN_PREFIX = (
    "empty", "not_digits", "product_barcode", "wrong_length", "unknown_prefix")
_EAN_LENGTHS = (8, 12, 13, 14)  # EAN-8, UPC-A, EAN-13, GTIN-14


@dataclass(frozen=True)
class WalletCodeCheck:
    """The verdict on one scanned code: ``wallet`` (``WECHAT``/``ALIPAY``) or ``reason``."""

    code: str = field(repr=False)
    wallet: str = ""
    reason: str = ""
    detail: str = ""  # for operators and logs; never the code itself

    @property
    def ok(self) -> bool:
        return bool(self.wallet)

    def __repr__(self) -> str:
        return (f"WalletCodeCheck(code={masked(self.code)!r}, wallet={self.wallet!r}, "
                f"reason={self.reason!r})")


def masked(code: str) -> str:
    """What a log may keep of a code: its last 4 characters, and its length."""
    return f"…{code[-4:]} ({len(code)} chars)" if code else "(empty)"


def check_wallet_code(code: str) -> WalletCodeCheck:
    """Whether *code* (as read, surrounding spaces ignored) is a WeChat Pay or Alipay code."""
    code = code.strip()
    if not code:
        return WalletCodeCheck(code, reason=EMPTY, detail="nothing was read")
    if not (code.isascii() and code.isdigit()):
        return WalletCodeCheck(code, reason=NOT_DIGITS, detail="a wallet code is digits only")
    n, prefix = len(code), int(code[:2])
    if n == 18 and 10 <= prefix <= 15:
        return WalletCodeCheck(code, wallet=WECHAT)
    if 16 <= n <= 24 and 25 <= prefix <= 30:
        return WalletCodeCheck(code, wallet=ALIPAY)
    if n in _EAN_LENGTHS:
        return WalletCodeCheck(code, reason=PRODUCT_BARCODE,
                               detail=f"{n} digits: a product barcode, not a wallet code")
    if 10 <= prefix <= 15 or 25 <= prefix <= 30:
        return WalletCodeCheck(code, reason=WRONG_LENGTH,
                               detail=f"{n} digits: too short or too long for a wallet code "
                                      "(half read?)")
    return WalletCodeCheck(code, reason=UNKNOWN_PREFIX,
                           detail=f"{n} digits starting {code[:2]}: not a wallet code "
                                  "(an Octopus or other card number?)")
