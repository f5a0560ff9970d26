"""The robot's scan customers: their share, and codes that make the simulated wallet do what
the customer is meant to do."""

from __future__ import annotations

import random

from app.robot.customers import CustomerSource
from app.robot.scan_customers import SCAN, SCAN_BEHAVIOURS, code_for
from contract.wallet_codes import check_wallet_code
from simulators.backend.scan import BEHAVIOURS, wallet_of


def test_at_least_a_fifth_of_the_customers_scan_by_default():
    source = CustomerSource(1, ("wechatpay", "card"), 120.0)
    customers = [source.next() for _ in range(100)]
    scans = [c for c in customers if c.method == SCAN]
    assert len(scans) >= 20
    assert {c.behaviour for c in scans} >= {"at_once", "fail", "confirm_soon"}


def test_each_behaviour_gets_a_code_the_simulator_plays_so():
    rng = random.Random(5)
    expected = {"at_once": "paid", "fail": "failed", "confirm_soon": "user_paying",
                "confirm_late": "user_paying", "never": "user_paying", "cancel": "user_paying",
                "confirm_itself": "user_paying"}
    for behaviour, _ in SCAN_BEHAVIOURS:
        for _ in range(20):
            code = code_for(behaviour, rng)
            if behaviour == "bad_code":
                assert not check_wallet_code(code).ok and wallet_of(code) is None
                continue
            assert check_wallet_code(code).ok and wallet_of(code)
            assert BEHAVIOURS[code[-1]][0] == expected[behaviour]
