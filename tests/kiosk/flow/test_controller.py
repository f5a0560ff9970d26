"""The controller against fakes: intents, look-ups, purchase events, timeouts, health."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.backend.errors import Ambiguous
from kiosk.backend.models import Balance
from kiosk.money.events import (
    CardProgress,
    Credited,
    Declined,
    Paid,
    Refunded,
)
from tests.kiosk.flow.rig import OFFERS, make_rig, qr_ready, subscriber, to_confirming


@pytest.fixture
def rig():
    return make_rig()


# -- the happy paths --------------------------------------------------------------------------
def test_qr_happy_path_shows_card_offers_qr_and_new_balance(rig):
    c = rig.controller
    to_confirming(rig)
    assert c.state == "confirming"
    assert c.view.number_display == "+852 9123 4567"
    assert c.view.amount_cents == 8820
    assert c.view.methods == ("wechatpay", "alipayhk", "fps", "payme", "card", "octopus")
    c.pay("wechatpay")
    assert c.state == "paying_qr" and rig.purchases.started == [(rig.txn(), "wechatpay")]
    qr_ready(rig)
    assert c.view.qr_payload == "wxp://pay/abc" and c.view.seconds_left is None
    rig.emit(Paid(rig.txn()))
    assert c.state == "crediting"
    new_balance = Balance(11469, datetime(2026, 12, 31, tzinfo=UTC))
    rig.emit(Credited(rig.txn(), new_balance, "T1"))
    assert c.state == "done" and c.view.balance == new_balance
    assert c.view.txn_id == rig.txn()
    assert c.view.receipt_status == "no_printer"


def test_card_path_shows_terminal_prompts(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("card")
    assert c.state == "paying_card"
    rig.emit(CardProgress(rig.txn(), "PRESENT_CARD"))
    assert c.view.terminal_stage == "PRESENT_CARD"
    rig.emit(CardProgress(rig.txn(), "PIN_ENTRY"))
    assert c.view.terminal_stage == "PIN_ENTRY"
    rig.emit(Paid(rig.txn()))
    rig.emit(Credited(rig.txn(), None, "T2"))
    assert c.state == "done"


def test_double_tap_on_pay_starts_one_purchase(rig):
    to_confirming(rig)
    rig.controller.pay("wechatpay")
    rig.controller.pay("wechatpay")
    rig.controller.pay("card")
    assert len(rig.purchases.started) == 1


def test_a_purchase_still_settling_keeps_the_customer_on_confirming(rig):
    """One purchase at a time is the money engine's rule: PurchaseBusy leaves the flow where
    it was, nothing started, and the customer may tap again once it is over."""
    to_confirming(rig)
    rig.purchases.busy = True  # the last customer's purchase has not reached a safe point
    rig.controller.pay("fps")
    assert rig.controller.state == "confirming" and rig.purchases.started == []
    rig.purchases.busy = False
    rig.controller.pay("fps")
    assert rig.controller.state == "paying_qr" and len(rig.purchases.started) == 1


def test_decline_then_another_method(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("card")
    rig.emit(Declined(rig.txn(), "declined", "05"))
    assert c.state == "payment_failed" and c.view.failure == "declined"
    rig.purchases.busy = False
    c.retry()
    assert c.state == "confirming"
    c.pay("fps")
    assert c.state == "paying_qr" and len(rig.purchases.started) == 2


def test_credit_rejected_ends_refunded(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("wechatpay")
    rig.emit(Paid(rig.txn()))
    rig.emit(Refunded(rig.txn()))
    assert c.state == "refunded" and c.view.txn_id == rig.txn()


def test_events_of_another_transaction_are_ignored(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("wechatpay")
    rig.emit(Paid("K01-20261125-999999"))
    assert c.state == "paying_qr"


def test_purchase_that_cannot_start_takes_no_money_and_says_so(rig):
    rig.purchases.fail_start = True
    to_confirming(rig)
    rig.controller.pay("wechatpay")
    assert rig.controller.state == "payment_failed"
    assert rig.controller.view.failure == "unavailable"


# -- numbers ------------------------------------------------------------------------------------
def test_number_is_formatted_as_typed_and_capped(rig):
    c = rig.controller
    c.start()
    for d in "912345678":
        c.press_digit(d)
    assert c.view.digits == "91234567" and c.view.number_formatted == "9123 4567"


@pytest.mark.parametrize("country,digits,code", [
    ("852", "9123456", "too_short"),
    ("852", "23456789", "landline"),
    ("86", "91234567", "looks_hk"),
    ("86", "12345678901", "bad_prefix"),
])
def test_bad_numbers_are_explained_before_any_backend_call(rig, country, digits, code):
    c = rig.controller
    c.start()
    c.set_country(country)
    for d in digits:
        c.press_digit(d)
    c.submit_number()
    assert c.state == "entering_number" and c.view.number_error == code
    assert rig.backend.calls == []


def test_a_digit_on_attract_starts_with_that_digit(rig):
    rig.controller.press_digit("9")
    assert rig.controller.state == "entering_number" and rig.controller.view.digits == "9"


# -- the expiry texts ------------------------------------------------------------------------------
def test_the_view_says_how_far_off_the_expiry_is_on_the_injected_clock(rig):
    """The card expires 1 Dec 2026 23:59:59 HKT; the fake clock reads 18 Nov, 19:06 HKT."""
    c = rig.controller
    c.set_language("en")
    to_confirming(rig)
    expiry = c.view.card_expiry
    assert (expiry.date_line, expiry.state, expiry.revival) == (
        "Valid until 1 December 2026", "Expires in 13 days", "")
    assert c.view.plan_expiry == ""  # these offers carry no new_expires_at: nothing is said
    rig.clock.advance(13 * 86_400)
    c.set_language("zh-Hant")  # texts are made again in the new language, on the clock's day
    assert c.view.card_expiry.state == "今日到期"


def test_confirming_says_the_new_expiry_or_that_an_add_on_keeps_it(rig):
    current = subscriber().balance.expires_at
    offers = (dataclasses.replace(OFFERS[0], new_expires_at=current + timedelta(days=30)),
              dataclasses.replace(OFFERS[1], quote_id="q-add", validity_days=0,
                                  new_expires_at=current))
    rig.backend.subscribers["85291234567"] = subscriber(offers=offers)
    rig.controller.set_language("en")
    to_confirming(rig)
    assert rig.controller.view.plan_expiry == "New expiry: 31 December 2026"
    rig.controller.back()
    rig.controller.choose_offer("q-add")
    assert rig.controller.view.plan_expiry == "Keeps your current expiry: 1 December 2026"


def test_an_expired_card_with_offers_is_shown_and_can_be_topped_up(rig):
    expired = Balance(0, datetime(2026, 11, 17, 15, 59, 59, tzinfo=UTC))
    rig.backend.subscribers["85291234567"] = subscriber(status="expired", balance=expired)
    rig.controller.set_language("en")
    to_confirming(rig)
    assert rig.controller.state == "confirming"
    expiry = rig.controller.view.card_expiry
    assert (expiry.state, expiry.expired) == ("Expired yesterday", True) and expiry.revival


# -- look-up failures ----------------------------------------------------------------------------
@pytest.mark.parametrize("answer,reason", [
    (None, "not_found"),
    (Ambiguous("timeout"), "backend_unavailable"),
    (subscriber("85291234567", status="suspended"), "suspended"),
    (subscriber("85291234567", status="expired", offers=()), "expired"),
    (subscriber("85291234567", real_name_registered=False), "not_registered"),
    (subscriber("85291234567", offers=()), "no_offers"),
])
def test_lookup_failures_say_why(rig, answer, reason):
    rig.backend.subscribers["85291234567"] = answer
    to_confirming(rig)
    assert rig.controller.state == "lookup_failed" and rig.controller.view.failure == reason
    rig.controller.back()
    assert rig.controller.state == "entering_number" and rig.controller.view.digits == "91234567"


def test_late_lookup_answer_after_cancel_is_ignored():
    jobs = []
    rig = make_rig(run_in_worker=jobs.append)
    c = rig.controller
    c.start()
    for d in "91234567":
        c.press_digit(d)
    c.submit_number()
    c.cancel()
    jobs[0]()
    rig.post.run_pending()
    assert c.state == "attract" and c.view.subscriber is None
