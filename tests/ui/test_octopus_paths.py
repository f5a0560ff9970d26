"""An Octopus customer taps through the real app off-screen: the button, tap, retap with its
countdown, the remaining value on done, declines, and the payment being confirmed."""

from __future__ import annotations

import pytest

from kiosk.money import events as ev
from kiosk.money.amounts import money
from kiosk.money.octopus_payment import INCOMPLETE_REASON, REFUND_IN_CASH
from tests.ui.steps import enter_number_and_choose_offer, pay_button, tap_text, texts_on_screen

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def _pay_octopus(kiosk) -> str:
    enter_number_and_choose_offer(kiosk)
    kiosk.driver.tap(pay_button(kiosk, "octopus"))
    kiosk.driver.wait_state("paying_octopus")
    return kiosk.purchases.txn_id


def _shows(kiosk, text: str, what: str) -> None:
    kiosk.driver.wait_for(lambda: text in texts_on_screen(kiosk.driver), what=what)


def test_octopus_purchase_tap_retap_and_remaining_value(kiosk):
    """GIVEN the confirm screen with the Octopus button WHEN the customer taps it, the card
    leaves the reader too soon and is tapped again THEN the retap prompt counts down, and done
    shows the card's remaining value (negative, as Octopus allows)."""
    kiosk.controller.set_language("en")
    txn_id = _pay_octopus(kiosk)
    assert kiosk.purchases.started == [(txn_id, "octopus")]
    _shows(kiosk, kiosk.tr("octopus.tap.title"), "the tap prompt")
    kiosk.purchases.emit(ev.CardProgress(txn_id, "RETAP"))
    _shows(kiosk, kiosk.tr("octopus.retap.title"), "the retap prompt")
    _shows(kiosk, kiosk.tr("countdown.seconds_left", seconds=20), "the 20 s countdown")
    kiosk.clock.advance(6)
    _shows(kiosk, kiosk.tr("countdown.seconds_left", seconds=14), "the countdown going down")
    assert kiosk.driver.state == "paying_octopus"
    kiosk.purchases.emit(ev.Paid(txn_id, remaining_value_cents=-1230))
    kiosk.purchases.emit(ev.Credited(txn_id, None, "t-1"))
    kiosk.driver.wait_state("done")
    _shows(kiosk, "Octopus remaining value -HK$12.30", "the remaining value")


def test_not_enough_value_says_what_to_do(kiosk):
    txn_id = _pay_octopus(kiosk)
    kiosk.purchases.emit(ev.Declined(txn_id, "octopus", "IV"))
    kiosk.driver.wait_state("payment_failed")
    _shows(kiosk, kiosk.tr("payment_failed.octopus.IV.body"), "the IV text")
    kiosk.driver.frames(2)
    tap_text(kiosk, "payment_failed.try_another")
    kiosk.driver.wait_state("confirming")


def test_incomplete_payment_is_being_confirmed_with_a_reference(kiosk):
    txn_id = _pay_octopus(kiosk)
    kiosk.purchases.emit(ev.Retrying(txn_id, INCOMPLETE_REASON))
    kiosk.driver.wait_state("retrying")
    _shows(kiosk, kiosk.tr("outcome.octopus.incomplete.title"), "being confirmed")
    assert txn_id in texts_on_screen(kiosk.driver)


def test_refund_in_cash_says_so_with_the_amount(kiosk):
    kiosk.controller.set_language("en")
    txn_id = _pay_octopus(kiosk)
    kiosk.purchases.emit(ev.Paid(txn_id, remaining_value_cents=500))
    kiosk.purchases.emit(ev.NeedsAttention(txn_id, f"{REFUND_IN_CASH}: the credit was refused"))
    kiosk.driver.wait_state("needs_attention")
    amount = money(kiosk.controller.view.amount_cents)
    _shows(kiosk, kiosk.tr("outcome.octopus.refund_in_cash.title", amount=amount),
           "the cash refund title")
    _shows(kiosk, kiosk.tr("claim.slip.failed"), "no printer: note the reference")
