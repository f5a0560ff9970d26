"""Scan to pay in the customer flow: the choice shown only with a usable scanner, the scanner
on only while the scan screen is shown, codes checked before any order, one order per code,
another try after a definite failure, and Cancel or the deadline without and with an order."""

from __future__ import annotations

import pytest

from kiosk.flow.scan_desk import SCAN
from kiosk.flow.timeouts import SCAN_SCREEN_S
from kiosk.money.events import ConfirmOnPhone, Credited, Paid, PaymentCancelled, ScanFailed
from tests.fakes.scanner import FakeScanner
from tests.kiosk.flow.rig import make_rig, to_confirming

PAID = "134567890123456780"
OTHER = "281234567890123450"
METHODS = ("wechatpay", "alipayhk", "fps", "payme", "card")


@pytest.fixture
def scanner():
    return FakeScanner()


@pytest.fixture
def rig(scanner):
    r = make_rig(scanner=scanner)
    r.controller.set_health(METHODS + (SCAN,))
    r.post.run_pending()
    return r


def to_scan(rig):
    to_confirming(rig)
    assert SCAN in rig.controller.view.methods
    rig.controller.pay(SCAN)
    assert rig.controller.state == "paying_scan"


def show(rig, scanner, code):
    scanner.show(code)
    rig.post.run_pending()


def test_the_choice_is_offered_only_while_a_scanner_can_read(rig):
    to_confirming(rig)
    assert rig.controller.view.methods[-1] == SCAN
    rig.controller.set_health(METHODS)  # the scanner was unplugged
    rig.post.run_pending()
    assert SCAN not in rig.controller.view.methods
    rig.controller.pay(SCAN)
    assert rig.controller.state == "confirming"  # still in service, other methods offered


def test_without_health_saying_so_there_is_no_scan_choice(scanner):
    rig = make_rig(scanner=scanner)
    to_confirming(rig)
    assert SCAN not in rig.controller.view.methods


def test_the_scanner_is_on_only_while_the_scan_screen_is_shown(rig, scanner):
    to_confirming(rig)
    assert not scanner.reading
    rig.controller.pay(SCAN)
    assert scanner.reading and rig.purchases.started == []  # nothing journaled before a code
    show(rig, scanner, PAID)
    assert rig.purchases.codes == [PAID]
    assert rig.controller.view.scan_stage == "checking"
    rig.emit(Paid(rig.txn()))
    assert rig.controller.state == "crediting" and not scanner.reading
    rig.emit(Credited(rig.txn(), None, "tu-1"))
    assert rig.controller.state == "done"


def test_a_product_barcode_gets_a_message_and_the_scanner_stays_on(rig, scanner):
    to_scan(rig)
    show(rig, scanner, "4006381333931")
    assert rig.controller.view.scan_error == "product_barcode"
    show(rig, scanner, PAID[:10])  # half read
    assert rig.controller.view.scan_error == "wrong_length"
    assert rig.purchases.started == [] and scanner.reading
    assert rig.controller.state == "paying_scan"


def test_a_second_read_while_an_order_is_in_flight_is_ignored(rig, scanner):
    to_scan(rig)
    show(rig, scanner, PAID)
    show(rig, scanner, PAID)
    show(rig, scanner, OTHER)
    assert rig.purchases.codes == [PAID]


def test_a_definite_failure_lets_the_customer_show_another_code(rig, scanner):
    to_scan(rig)
    show(rig, scanner, PAID)
    first = rig.txn()
    rig.emit(ScanFailed(first, "insufficient_funds"))
    assert rig.controller.state == "paying_scan" and scanner.reading
    assert rig.controller.view.scan_error == "insufficient_funds"
    show(rig, scanner, PAID)  # the same code again: not sent again
    assert rig.controller.view.scan_error == "same_code" and len(rig.purchases.codes) == 1
    show(rig, scanner, OTHER)
    assert rig.purchases.codes == [PAID, OTHER] and rig.txn() != first
    assert rig.controller.view.scan_error is None


def test_confirm_on_the_phone_is_shown(rig, scanner):
    to_scan(rig)
    show(rig, scanner, PAID)
    rig.emit(ConfirmOnPhone(rig.txn(), "wechatpay"))
    assert rig.controller.view.scan_stage == "confirm_on_phone"
    assert rig.controller.state == "paying_scan"


def test_cancel_without_an_order_ends_at_once_and_a_late_code_is_ignored(rig, scanner):
    to_scan(rig)
    rig.controller.cancel()
    rig.post.run_pending()
    assert rig.controller.state == "payment_failed"
    assert rig.controller.view.failure == "customer" and not scanner.reading
    show(rig, scanner, PAID)
    assert rig.purchases.codes == [] and rig.purchases.cancels == 0


def test_cancel_with_an_order_asks_the_engine_and_waits(rig, scanner):
    to_scan(rig)
    show(rig, scanner, PAID)
    rig.emit(ConfirmOnPhone(rig.txn(), "wechatpay"))
    rig.controller.cancel()
    rig.post.run_pending()
    assert rig.purchases.cancels == 1 and rig.controller.state == "paying_scan"
    assert not scanner.reading
    rig.emit(PaymentCancelled(rig.txn(), "customer"))
    assert rig.controller.state == "payment_failed"


def test_a_failure_after_cancel_ends_the_screen(rig, scanner):
    to_scan(rig)
    show(rig, scanner, PAID)
    rig.controller.cancel()
    rig.post.run_pending()
    rig.emit(ScanFailed(rig.txn(), "code_expired"))
    assert rig.controller.state == "payment_failed"


def test_the_scan_screen_never_times_out_to_attract(rig, scanner):
    to_scan(rig)
    rig.advance(SCAN_SCREEN_S + 1)
    assert rig.controller.state == "payment_failed"
    assert rig.controller.view.failure == "expired" and not scanner.reading
    assert "attract" not in rig.seen[rig.seen.index("paying_scan"):]


def test_the_deadline_with_an_order_in_flight_cancels_it_safely(rig, scanner):
    to_scan(rig)
    show(rig, scanner, PAID)
    rig.advance(SCAN_SCREEN_S + 1)
    assert rig.controller.state == "paying_scan" and rig.purchases.cancels == 1


def test_a_code_read_late_gets_the_engines_whole_deadline(rig, scanner):
    to_scan(rig)
    rig.advance(SCAN_SCREEN_S - 5)
    show(rig, scanner, PAID)
    rig.emit(ConfirmOnPhone(rig.txn(), "wechatpay"))
    rig.advance(45)  # the engine reverses at 45 s; the screen does not cut it short
    assert rig.purchases.cancels == 0 and rig.controller.state == "paying_scan"
