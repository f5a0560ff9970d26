"""The simulator's scan convention as plain functions: wallets by prefix, moves with time."""

import pytest

from simulators.backend import scan


@pytest.mark.parametrize("code, wallet", [
    ("104567890123456789", "wechatpay"), ("154567890123456789", "wechatpay"),
    ("2512345678901234", "alipay"), ("271234567890123456789012", "alipay"),
    ("2812345678901234", "alipayhk"), ("301234567890123456", "alipayhk"),
    ("094567890123456789", None), ("164567890123456789", None),
    ("10456789012345678", None),  # WeChat is exactly 18 digits
    ("251234567890123", None), ("2512345678901234567890123", None),  # 16..24 for Alipay
    ("4891234567890", None), ("31123456789012345678", None),
])
def test_wallet_by_prefix_and_length(code, wallet):
    assert scan.wallet_of(code) == wallet


def _order(**extra):
    return {"out_trade_no": "K", "kind": "scan", "status": "user_paying", "paid_at": None,
            "confirm_at": None, "reverse_asked_at": None, "reversed_at": None, **extra}


def test_a_late_confirmation_pays_at_its_time():
    order = scan.refresh(_order(confirm_at=100.0), 99.0)
    assert order["status"] == "user_paying"
    assert scan.refresh(order, 150.0)["paid_at"] == 100.0


def test_the_earlier_of_confirmation_and_settled_reverse_wins():
    assert scan.refresh(_order(confirm_at=100.0, reverse_asked_at=90.0), 200.0)["status"] \
        == "reversed"
    assert scan.refresh(_order(confirm_at=100.0, reverse_asked_at=99.0), 200.0)["status"] \
        == "paid"
    assert scan.refresh(_order(reverse_asked_at=10.0), 10.0 + scan.REVERSE_SETTLE_S)[
        "status"] == "reversed"


def test_every_last_digit_has_a_behaviour():
    assert set(scan.BEHAVIOURS) == set("0123456789")
    reasons = {r for s, r in scan.BEHAVIOURS.values() if s == "failed"}
    assert reasons == {"insufficient_funds", "code_expired", "code_used", "risk_declined"}
