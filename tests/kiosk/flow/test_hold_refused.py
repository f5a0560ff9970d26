"""A plan that cannot be held: the customer sees why on payment_failed, before paying."""

from __future__ import annotations

import pytest

from kiosk.flow.purchase_changes import hold_failure, purchase_changes
from kiosk.money.events import HoldRefused
from tests.kiosk.flow.rig import make_rig, to_confirming


@pytest.mark.parametrize("reason, failure", [
    ("monthly_cap_exceeded", "hold.monthly_cap_exceeded"),
    ("plan_not_eligible", "hold.plan_not_eligible"),
    ("quote_expired", "hold.quote_expired"),
    ("subscriber_suspended", "hold.other"),
    ("a_reason_from_next_year", "hold.other"),
])
def test_a_refused_hold_maps_to_payment_failed_with_its_reason(reason, failure):
    assert hold_failure(reason) == failure
    assert purchase_changes(HoldRefused("T-1", reason)) == (
        "payment_cancelled", {"failure": failure, "cancelling": False})


@pytest.mark.parametrize("method, paying", [("fps", "paying_qr"), ("card", "paying_card")])
def test_the_controller_shows_the_refusal_and_the_customer_may_go_back(method, paying):
    rig = make_rig()
    c = rig.controller
    to_confirming(rig)
    c.pay(method)
    assert c.state == paying
    rig.emit(HoldRefused(rig.txn(), "monthly_cap_exceeded"))
    assert c.state == "payment_failed" and c.view.failure == "hold.monthly_cap_exceeded"
    assert c.view.qr_payload is None
    rig.purchases.busy = False
    c.retry()
    assert c.state == "confirming"


def test_every_hold_failure_has_customer_text_in_every_language():
    from kiosk.i18n import dynamic_msgids
    ids = dynamic_msgids()
    for reason in ("monthly_cap_exceeded", "plan_not_eligible", "quote_expired", "other"):
        assert f"payment_failed.hold.{reason}.title" in ids
        assert f"payment_failed.hold.{reason}.body" in ids
