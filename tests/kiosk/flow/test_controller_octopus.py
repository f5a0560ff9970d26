"""The controller on the Octopus path: tap, retap countdown, remaining value, declines,
incomplete (being confirmed), and the claim slip when the payment must be given back in cash."""

from __future__ import annotations

import dataclasses

from kiosk.money.events import (
    CardProgress,
    Credited,
    Declined,
    NeedsAttention,
    Paid,
    Retrying,
)
from kiosk.money.octopus_payment import INCOMPLETE_REASON, REFUND_IN_CASH
from tests.kiosk.flow.rig import make_rig, make_settings, to_confirming


def test_octopus_is_offered_after_card_when_the_terminal_takes_it():
    rig = make_rig()
    to_confirming(rig)
    methods = rig.controller.view.methods
    assert methods[methods.index("card") + 1] == "octopus"


def test_no_octopus_button_without_the_tender():
    s = make_settings()
    s = dataclasses.replace(s, devices=dataclasses.replace(
        s.devices, card_terminal=dataclasses.replace(s.devices.card_terminal, tenders=("card",))))
    rig = make_rig(s)
    to_confirming(rig)
    assert "octopus" not in rig.controller.view.methods
    rig.controller.pay("octopus")
    assert rig.controller.state == "confirming" and rig.purchases.started == []


def test_no_octopus_button_while_the_terminal_is_offline():
    rig = make_rig()
    to_confirming(rig)
    rig.controller.set_health(("wechatpay", "fps"))
    rig.post.run_pending()
    assert "octopus" not in rig.controller.view.methods


def test_octopus_tap_retap_countdown_and_remaining_value_on_done():
    rig = make_rig()
    c = rig.controller
    to_confirming(rig)
    c.pay("octopus")
    assert c.state == "paying_octopus" and rig.purchases.started == [(rig.txn(), "octopus")]
    rig.emit(CardProgress(rig.txn(), "PRESENT_CARD"))
    assert c.view.terminal_stage == "PRESENT_CARD" and c.view.retap_seconds_left is None
    rig.emit(CardProgress(rig.txn(), "RETAP"))
    assert c.view.terminal_stage == "RETAP" and c.view.retap_seconds_left == 20
    rig.advance(5.5)
    assert c.view.retap_seconds_left == 15
    assert c.state == "paying_octopus"  # a money state: it never times out to attract
    rig.emit(Paid(rig.txn(), remaining_value_cents=-1234))
    assert c.state == "crediting" and c.view.remaining_value_cents == -1234
    rig.emit(Credited(rig.txn(), None, "T1"))
    assert c.state == "done" and c.view.remaining_value_cents == -1234


def test_octopus_declines_are_told_apart():
    for rc, failure in (("IV", "octopus.IV"), ("BL", "octopus.BL"), ("LM", "octopus.LM"),
                        ("05", "declined")):
        rig = make_rig()
        to_confirming(rig)
        rig.controller.pay("octopus")
        rig.emit(Declined(rig.txn(), "octopus", rc))
        assert rig.controller.state == "payment_failed"
        assert rig.controller.view.failure == failure


def test_incomplete_octopus_tells_the_customer_it_is_being_confirmed():
    rig = make_rig()
    to_confirming(rig)
    rig.controller.pay("octopus")
    rig.emit(Retrying(rig.txn(), INCOMPLETE_REASON))
    assert rig.controller.state == "retrying"
    assert rig.controller.view.failure == INCOMPLETE_REASON
    assert rig.controller.view.txn_id == rig.txn()


class _Slips:
    def __init__(self):
        self.claims = []

    def e_receipt(self, txn_id):
        return f"https://r/{txn_id}"

    def print_async(self, txn_id, language, done):
        done("printed", self.e_receipt(txn_id))

    def print_claim_async(self, txn_id, language, done):
        self.claims.append((txn_id, language))
        done("printed", "")


def test_refund_in_cash_prints_the_claim_slip():
    rig = make_rig()
    slips = _Slips()
    rig.controller._receipts = slips
    to_confirming(rig)
    rig.controller.pay("octopus")
    rig.emit(Paid(rig.txn(), remaining_value_cents=100))
    rig.emit(NeedsAttention(rig.txn(), f"{REFUND_IN_CASH}: the credit was refused (x)"))
    rig.post.run_pending()
    assert rig.controller.state == "needs_attention"
    assert slips.claims == [(rig.txn(), rig.controller.view.language)]
    assert rig.controller.view.receipt_status == "printed"


def test_paying_octopus_asks_the_terminal_to_stop_only_after_the_retap_window_too():
    rig = make_rig()
    to_confirming(rig)
    rig.controller.pay("octopus")
    limit = rig.controller._settings.payments.card_timeout_s + 15 + 20
    rig.advance(limit - 1)
    assert rig.purchases.cancels == 0 and rig.controller.state == "paying_octopus"
    rig.advance(2)
    assert rig.purchases.cancels == 1 and rig.controller.state == "paying_octopus"
