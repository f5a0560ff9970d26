"""Scan to pay off-screen: the choice on the confirm screen, the scan screen, a product
barcode, "confirm on your phone", and done; the choice goes away with the scanner."""

from __future__ import annotations

import pytest

from kiosk.flow.scan_desk import SCAN
from kiosk.money import events as ev
from tests.fakes.purchases import FakePurchases
from tests.fakes.scanner import FakeScanner
from tests.ui.conftest import Kiosk
from tests.ui.steps import enter_number_and_choose_offer, pay_button, texts_on_screen

pytestmark = [pytest.mark.ui, pytest.mark.slow]

METHODS = ("wechatpay", "alipayhk", "fps", "payme", "card")


@pytest.fixture
def scan_kiosk(app_driver, ui_settings):
    from contract.clock import FakeClock
    from kiosk.flow.controller import Controller
    from screens.app import post
    from tests.fakes.subscribers import subscriber

    purchases, lookups, scanner = FakePurchases(), [], FakeScanner()

    def get_subscriber(msisdn):
        lookups.append(msisdn)
        return subscriber(msisdn)

    controller = Controller(ui_settings, get_subscriber, purchases, post, FakeClock(),
                            run_in_worker=lambda fn: fn(), scanner=scanner)
    controller.set_health(METHODS + (SCAN,))
    app_driver.app.attach(controller)
    app_driver.wait_state("attract")
    app_driver.frames(3)
    kiosk = Kiosk(app_driver, controller, purchases, controller._clock, ui_settings, lookups)
    kiosk.scanner = scanner
    return kiosk


def shown(kiosk, msgid, **values) -> None:
    text = kiosk.tr(msgid, **values)
    kiosk.driver.wait_for(lambda: any(text in t for t in texts_on_screen(kiosk.driver)),
                          what=msgid)


def test_a_scan_purchase_from_the_confirm_screen_to_done(scan_kiosk):
    kiosk = scan_kiosk
    enter_number_and_choose_offer(kiosk)
    button = pay_button(kiosk, SCAN)
    assert button.height >= kiosk.driver.app.m.touch_px  # a big touch target
    assert not kiosk.scanner.reading
    kiosk.driver.tap(button)
    kiosk.driver.wait_state("paying_scan")
    assert kiosk.scanner.reading
    shown(kiosk, "scan.where")
    shown(kiosk, "scan.how.alipayhk")

    kiosk.scanner.show("4006381333931")  # a product barcode: a message, no order
    shown(kiosk, "scan.error.product_barcode")
    assert kiosk.purchases.started == [] and kiosk.scanner.reading

    kiosk.scanner.show("281234567890123454")
    kiosk.driver.wait_for(lambda: kiosk.purchases.started, what="the scan order")
    txn_id = kiosk.purchases.txn_id
    shown(kiosk, "scan.checking")
    kiosk.purchases.emit(ev.ConfirmOnPhone(txn_id, "alipayhk"))
    shown(kiosk, "scan.confirm.title")
    kiosk.purchases.emit(ev.Paid(txn_id))
    kiosk.driver.wait_state("crediting")
    assert not kiosk.scanner.reading  # off on leaving the screen
    kiosk.purchases.emit(ev.Credited(txn_id, None, "t-9"))
    kiosk.driver.wait_state("done")
    assert kiosk.purchases.started == [(txn_id, "scan")]


def test_a_failed_code_is_explained_and_another_code_may_follow(scan_kiosk):
    kiosk = scan_kiosk
    enter_number_and_choose_offer(kiosk)
    kiosk.driver.tap(pay_button(kiosk, SCAN))
    kiosk.driver.wait_state("paying_scan")
    kiosk.scanner.show("134567890123456785")
    kiosk.driver.wait_for(lambda: kiosk.purchases.started, what="the scan order")
    kiosk.purchases.emit(ev.ScanFailed(kiosk.purchases.txn_id, "insufficient_funds"))
    shown(kiosk, "scan.error.insufficient_funds")
    assert kiosk.driver.state == "paying_scan" and kiosk.scanner.reading
    kiosk.scanner.show("134567890123456780")
    kiosk.driver.wait_for(lambda: len(kiosk.purchases.started) == 2, what="a second order")


def test_an_unplugged_scanner_takes_the_choice_away(scan_kiosk):
    kiosk = scan_kiosk
    enter_number_and_choose_offer(kiosk)
    assert pay_button(kiosk, SCAN)
    kiosk.controller.set_health(METHODS)  # the health monitor: scanner unplugged
    kiosk.driver.wait_for(lambda: SCAN not in kiosk.controller.view.methods, what="the update")
    kiosk.driver.frames(2)
    assert pay_button(kiosk, "fps") is not None
    assert kiosk.tr("method.scan") not in texts_on_screen(kiosk.driver)
