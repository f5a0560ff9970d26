"""The whole customer flow without Kivy: controller + real purchase service + journal + the backend
simulator over HTTP + the card terminal simulator over a pty, driven by the real driver
(world.py builds it; ``backend_sim`` is in conftest.py).
"""

from __future__ import annotations

import pytest

from tests.integration.world import make_world

FINAL = ("done", "refunded", "needs_attention", "payment_failed")


@pytest.fixture
def world(tmp_path, backend_sim):
    with make_world(tmp_path, backend_sim) as w:
        yield w


def test_qr_happy_path_credits_the_plan_paid_through_the_wallet(world):
    world.to_confirming()
    out_trade_no = world.pay_qr("fps")
    assert world.c.state == "paying_qr" and world.c.view.qr_payload
    world.control.pay(out_trade_no)
    world.wait_state(*FINAL)
    assert world.c.state == "done" and world.c.view.balance is not None
    world.wait_for(lambda: world.c.view.receipt_status == "no_printer", "the receipt outcome")
    assert world.c.view.e_receipt.startswith("https://receipts.invalid/r/")
    assert world.c.view.txn_id not in world.c.view.e_receipt  # a token, not the reference
    txn = world.journal.get(world.c.view.txn_id)
    assert txn.state == "credited" and txn.method == "fps" and txn.receipt_status == "no_printer"
    assert [t["status"] for t in world.ledger_topups("85291234567")] == ["credited"]


def test_card_happy_path_shows_the_terminal_prompts(world):
    stages = []
    world.c.subscribe(lambda state, view: view.terminal_stage and stages.append(view.terminal_stage))
    world.to_confirming("13812345678", country="86")
    world.tap("pay", "card")
    world.wait_state(*FINAL)
    assert world.c.state == "done"
    assert "PRESENT_CARD" in stages and "AUTHORISING" in stages
    txn = world.journal.get(world.c.view.txn_id)
    assert txn.state == "credited" and txn.card_last4 and txn.auth_code
    assert len(world.ledger_topups("8613812345678")) == 1


def test_decline_takes_nothing_and_offers_another_method(world):
    world.terminal_sim.set_scenario("decline_05")
    world.to_confirming()
    world.tap("pay", "card")
    world.wait_state(*FINAL)
    assert world.c.state == "payment_failed" and world.c.view.failure == "declined"
    assert world.journal.get(world.c.view.txn_id).state == "declined"
    assert world.ledger_topups("85291234567") == []
    world.wait_for(lambda: not world.purchases.busy, "the purchase to end")
    world.tap("retry")
    assert world.c.state == "confirming"
    out_trade_no = world.pay_qr("wechatpay")
    world.control.pay(out_trade_no)
    world.wait_state("done")


def test_cancel_during_qr_waits_for_the_outcome_then_nothing_is_charged(world):
    world.to_confirming()
    out_trade_no = world.pay_qr("alipayhk")
    world.tap("cancel")
    world.tap("cancel")
    assert world.c.state == "paying_qr" and world.c.view.cancelling
    world.wait_state(*FINAL)
    assert world.c.state == "payment_failed" and world.c.view.failure == "customer"
    assert world.journal.get(world.c.view.txn_id).state == "cancelled"
    notes = [e.kind for e in world.journal.events(world.c.view.txn_id) if e.kind == "customer_cancel"]
    assert notes == ["customer_cancel"]
    order = next(o for o in world.control.ledger()["orders"] if o["out_trade_no"] == out_trade_no)
    assert order["status"] == "closed"
    assert world.ledger_topups("85291234567") == []


def test_credit_refused_by_the_backend_is_refunded(world):
    seen = []
    world.c.subscribe(lambda state, view: seen.append(state))
    world.control.fault("POST /v1/topups", "reject")  # refused after the payment
    world.to_confirming("91234567")
    out_trade_no = world.pay_qr("payme")
    world.control.pay(out_trade_no)
    world.wait_state(*FINAL)
    assert world.c.state == "refunded" and world.c.view.txn_id
    assert "refunding" in seen, "the customer is told a refund is under way before it is done"
    assert world.journal.get(world.c.view.txn_id).state == "refunded"
    assert [t["status"] for t in world.ledger_topups("85291234567")] == ["rejected"]
    refunds = [r for r in world.control.ledger()["refunds"] if r["out_trade_no"] == out_trade_no]
    assert len(refunds) == 1 and refunds[0]["amount_cents"] == world.c.view.amount_cents


@pytest.mark.parametrize("digits,reason", [
    ("51234567", "suspended"),
    ("98765432", "not_registered"),
    ("98888888", "not_found"),
])
def test_lookup_failures_say_why_and_take_no_money(world, digits, reason):
    world.to_confirming(digits)
    assert world.c.state == "lookup_failed" and world.c.view.failure == reason
    world.tap("back")
    assert world.c.state == "entering_number" and world.c.view.digits == digits
    assert world.journal.list() == []


def test_backend_down_at_lookup_is_a_clear_screen_and_no_money(world):
    world.control.fault("GET /v1/subscribers/{msisdn}", "http_500", count=20)
    world.to_confirming()
    assert world.c.state == "lookup_failed" and world.c.view.failure == "backend_unavailable"
    world.walk_away(25)
    assert world.c.state == "attract" and world.journal.list() == []


@pytest.mark.parametrize("screen,limit_s", [
    ("entering_number", 60), ("card_shown", 60), ("confirming", 60),  # flow.idle_timeout_s
    ("lookup_failed", 20), ("done", 20), ("payment_failed", 20), ("refunded", 20),  # result_screen_s
])
def test_a_customer_who_walks_away_from_any_screen_is_forgotten(world, screen, limit_s):
    if screen == "entering_number":
        world.tap("press_digit", "9")
    elif screen == "lookup_failed":
        world.to_confirming("51234567")
    elif screen == "refunded":
        world.control.fault("POST /v1/topups", "reject")
        world.to_confirming("91234567")
        world.control.pay(world.pay_qr())
    else:
        world.to_confirming()
        if screen == "card_shown":
            world.tap("back")
        elif screen == "done":
            world.control.pay(world.pay_qr())
        elif screen == "payment_failed":
            world.terminal_sim.set_scenario("decline_51")
            world.tap("pay", "card")
    world.wait_state(screen)
    world.walk_away(limit_s - 0.5)
    assert world.c.state == screen
    world.walk_away(1)
    assert world.c.state == "attract"
    view = world.c.view
    assert (view.digits, view.msisdn, view.subscriber, view.txn_id) == ("", None, None, None)


def test_qr_left_unpaid_is_cancelled_safely_and_never_drops_to_attract(world):
    world.to_confirming()
    world.pay_qr()
    world.walk_away(119)
    assert world.c.state == "paying_qr" and not world.c.view.cancelling
    world.walk_away(5)
    assert world.c.state in ("paying_qr", "payment_failed")
    world.wait_state("payment_failed")
    txn_id = world.c.view.txn_id
    assert world.journal.get(txn_id).state == "cancelled"
    assert "screen_deadline" in [e.kind for e in world.journal.events(txn_id)]


def test_card_never_presented_is_aborted_at_the_deadline(world):
    world.terminal_sim.set_scenario("no_card")
    world.to_confirming()
    world.tap("pay", "card")
    world.wait_for(lambda: world.c.view.terminal_stage == "PRESENT_CARD", "the card prompt")
    world.walk_away(30 + 16)
    assert world.c.state in ("paying_card", "payment_failed")
    world.wait_state(*FINAL)
    assert world.c.state == "payment_failed"
    assert world.journal.get(world.c.view.txn_id).state in ("cancelled", "declined")


def test_common_path_from_attract_to_qr_on_screen_takes_at_most_11_taps(world):
    world.to_confirming()
    world.pay_qr("fps")
    assert world.c.state == "paying_qr" and world.c.view.qr_payload
    assert world.taps <= 11, world.taps


def test_a_refused_hold_is_shown_before_paying_and_nothing_is_charged(world):
    world.to_confirming("92345678")  # the simulator's subscriber at the monthly cap
    world.tap("pay", "fps")
    world.wait_state(*FINAL)
    assert world.c.state == "payment_failed"
    assert world.c.view.failure == "hold.monthly_cap_exceeded" and world.c.view.qr_payload is None
    txn = world.journal.get(world.c.view.txn_id)
    assert (txn.state, txn.hold_state) == ("cancelled", "refused")
    ledger = world.control.ledger()
    assert [o for o in ledger["orders"] if o["out_trade_no"] == txn.out_trade_no] == []
    assert world.ledger_topups("85292345678") == []
    world.tap("back")  # try again: back on the confirm screen
    assert world.c.state == "confirming"
