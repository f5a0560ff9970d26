"""Strict JSON → frozen values: a wrong shape is MalformedAnswer (the client makes it Ambiguous)."""

import copy

import pytest

from kiosk.backend import models as m
from tests.fakes.http import CREDITED, SUBSCRIBER


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
    (("offers", 0, "new_expires_at"), "2026-12-31T23:59:59"),  # no zone
    (("offers", 0, "new_expires_at"), "in 30 days"),
    (("offers", 0, "new_expires_at"), 1798732799),  # epoch seconds are not RFC 3339
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


def test_an_offer_tells_the_new_expiry_in_utc_when_the_backend_gives_it():
    doc = broken(("offers", 0, "new_expires_at"), "2026-12-31T23:59:59+08:00")
    assert m.parse_subscriber(doc).offers[0].new_expires_at.isoformat() == "2026-12-31T15:59:59+00:00"


def test_an_offer_without_a_new_expiry_has_none():
    assert "new_expires_at" not in SUBSCRIBER["offers"][0]  # a backend that does not say
    assert m.parse_subscriber(SUBSCRIBER).offers[0].new_expires_at is None
    null = broken(("offers", 0, "new_expires_at"), None)
    assert m.parse_subscriber(null).offers[0].new_expires_at is None
