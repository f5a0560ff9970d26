"""Strict JSON → frozen values: a wrong shape is MalformedAnswer (the client makes it Ambiguous)."""

import copy

import pytest

from kiosk.services import backend_models as m
from tests.unit.backend_fakes import CREDITED, SUBSCRIBER


def broken(path, value):
    doc = copy.deepcopy(SUBSCRIBER)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize("path, value", [
    (("offers", 0, "price_cents"), 88.2),          # money is never a float
    (("offers", 0, "price_cents"), "8820"),
    (("offers", 0, "price_cents"), True),
    (("offers", 0, "price_cents"), -1),
    (("offers", 0, "valid_until"), "2026-11-23T10:15:00"),  # no zone: ambiguous instant
    (("offers", 0, "valid_until"), "next Tuesday"),
    (("offers", 0, "name"), {}),
    (("balance",), KeyError),
    (("card", "type"), None),
    (("real_name_registered",), "yes"),
    (("offers",), None),
])
def test_a_wrong_subscriber_shape_is_malformed(path, value):
    with pytest.raises(m.MalformedAnswer):
        m.parse_subscriber(broken(path, value))


def test_unlimited_data_and_no_promotion_are_none():
    doc = broken(("balance", "data_mb_left"), None)
    doc["offers"][0]["promotion"] = None
    sub = m.parse_subscriber(doc)
    assert sub.balance.data_mb_left is None and sub.offers[0].promotion is None


def test_times_with_an_offset_become_utc():
    doc = broken(("balance", "expires_at"), "2026-12-01T23:59:59+08:00")
    assert m.parse_subscriber(doc).balance.expires_at.isoformat() == "2026-12-01T15:59:59+00:00"


def test_a_credited_topup_needs_its_balance_and_time():
    assert m.parse_topup(CREDITED).balance.data_mb_left == 11469
    with pytest.raises(m.MalformedAnswer):
        m.parse_topup({**CREDITED, "balance": None})
    with pytest.raises(m.MalformedAnswer):
        m.parse_topup({**CREDITED, "status": "maybe"})
