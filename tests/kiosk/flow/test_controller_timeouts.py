"""Timeouts, the "still there?" warning, Cancel, health and maintenance, on a fake clock."""

from __future__ import annotations

import pytest

from kiosk.money.events import Credited, NeedsAttention, Paid, PaymentCancelled
from tests.kiosk.flow.rig import make_rig, make_settings, qr_ready, to_confirming


@pytest.fixture
def rig():
    return make_rig(make_settings(idle_timeout_s=60.0, warning_s=15.0, result_screen_s=20.0))


def test_idle_screen_warns_then_times_out_and_wipes_the_session(rig):
    c = rig.controller
    to_confirming(rig)
    rig.advance(44)
    assert not c.view.warning and c.view.seconds_left == 16
    rig.advance(2)
    assert c.view.warning and c.view.seconds_left == 14
    rig.advance(14)
    assert c.state == "attract"
    assert c.view.msisdn is None and c.view.digits == "" and c.view.subscriber is None
    assert not c.view.warning


def test_a_touch_during_the_warning_keeps_the_customer(rig):
    c = rig.controller
    to_confirming(rig)
    rig.advance(50)
    assert c.view.warning
    c.still_here()
    assert not c.view.warning
    rig.advance(50)
    assert c.state == "confirming"


@pytest.mark.parametrize("setup", ["entering_number", "card_shown", "confirming", "lookup_failed"])
def test_every_customer_screen_times_out_to_attract(rig, setup):
    c = rig.controller
    if setup == "lookup_failed":
        rig.backend.subscribers.clear()
    if setup == "entering_number":
        c.start()
    else:
        to_confirming(rig)
        if setup == "card_shown":
            c.back()
    assert c.state == setup
    rig.advance(61)
    assert c.state == "attract" and c.view.msisdn is None


def test_result_screen_returns_to_attract_after_its_time(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("card")
    rig.emit(Paid(rig.txn()))
    rig.emit(Credited(rig.txn(), None, "T"))
    rig.advance(19)
    assert c.state == "done"
    rig.advance(2)
    assert c.state == "attract" and c.view.txn_id is None


def test_qr_screen_never_times_out_to_attract_it_cancels_safely(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("wechatpay")
    qr_ready(rig, seconds=120)
    rig.advance(100)
    assert c.state == "paying_qr" and c.view.seconds_left == 20 and rig.purchases.cancels == 0
    rig.advance(21)
    assert c.state == "paying_qr" and c.view.cancelling and rig.purchases.cancels == 1
    rig.advance(600)
    assert c.state == "paying_qr" and rig.purchases.cancels == 1
    rig.emit(PaymentCancelled(rig.txn(), "expired"))
    assert c.state == "payment_failed" and c.view.failure == "expired"


def test_cancel_while_paying_waits_for_the_outcome(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("wechatpay")
    c.cancel()
    c.cancel()
    assert c.state == "paying_qr" and c.view.cancelling and rig.purchases.cancels == 1
    rig.emit(Paid(rig.txn()))  # paid just before the cancel reached the wallet
    assert c.state == "crediting" and not c.view.cancelling
    c.cancel()
    assert c.state == "crediting"


def test_crediting_has_no_timeout(rig):
    to_confirming(rig)
    rig.controller.pay("card")
    rig.emit(Paid(rig.txn()))
    rig.advance(3600)
    assert rig.controller.state == "crediting" and rig.purchases.cancels == 0


def test_cancel_on_a_customer_screen_wipes_the_session(rig):
    c = rig.controller
    to_confirming(rig)
    c.set_language("en")
    c.cancel()
    assert c.state == "attract"
    assert c.view.msisdn is None and c.view.offer is None and c.view.language == "zh-Hant"


# -- health and out of service ----------------------------------------------------------------
def test_card_hidden_when_terminal_unusable(rig):
    c = rig.controller
    c.set_health({"wechatpay", "alipayhk", "fps", "payme"}, True)
    rig.post.run_pending()
    to_confirming(rig)
    assert "card" not in c.view.methods
    c.pay("card")
    assert c.state == "confirming" and rig.purchases.started == []


def test_method_going_away_on_confirming_is_hidden_and_refused(rig):
    c = rig.controller
    to_confirming(rig)
    c.set_health({"card"}, True)
    rig.post.run_pending()
    assert c.view.methods == ("card",)
    c.pay("wechatpay")
    assert c.state == "confirming" and rig.purchases.started == []


def test_out_of_service_waits_for_the_customer_then_recovers_by_itself(rig):
    c = rig.controller
    to_confirming(rig)
    c.set_health(set(), False, "backend_down")
    rig.post.run_pending()
    assert c.state == "confirming"
    c.cancel()
    rig.post.run_pending()
    assert c.state == "out_of_service" and c.view.out_of_service_reason == "backend_down"
    c.start()
    assert c.state == "out_of_service"
    c.set_health({"card"}, True)
    rig.post.run_pending()
    assert c.state == "attract" and c.view.out_of_service_reason == ""


def test_no_method_left_is_out_of_service(rig):
    rig.controller.set_health(set(), True)
    rig.post.run_pending()
    assert rig.controller.state == "out_of_service"
    assert rig.controller.view.out_of_service_reason == "no_payment_method"


def test_maintenance_refused_while_money_moves(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("wechatpay")
    assert c.open_maintenance() is False and c.state == "paying_qr"
    rig.emit(PaymentCancelled(rig.txn(), "customer"))
    assert c.open_maintenance() is True and c.state == "maintenance"
    c.close_maintenance()
    rig.post.run_pending()
    assert c.state == "attract" and c.view.msisdn is None


def test_a_look_up_that_never_answers_times_out_and_its_late_answer_is_dropped():
    jobs = []
    rig = make_rig(make_settings(idle_timeout_s=60.0, warning_s=15.0), run_in_worker=jobs.append)
    c = rig.controller
    for d in "91234567":
        c.press_digit(d)
    c.submit_number()
    assert c.state == "looking_up"
    rig.advance(61)
    assert c.state == "attract"
    jobs[0]()  # the backend finally answers
    rig.post.run_pending()
    assert c.state == "attract" and c.view.subscriber is None


def test_needs_attention_screen_returns_to_attract_after_the_result_time(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("wechatpay")
    rig.emit(Paid(rig.txn()))
    rig.emit(NeedsAttention(rig.txn(), "credit not confirmed"))
    assert c.state == "needs_attention" and c.view.txn_id == rig.txn()
    assert c.view.failure == "credit not confirmed"
    rig.advance(21)
    assert c.state == "attract" and c.view.txn_id is None
