"""A customer taps through the real app off-screen: QR and card, decline, cancel, walk-away."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.backend.models import Balance
from kiosk.money import events as ev
from tests.ui.steps import (
    FPS_PAYLOAD,
    enter_number,
    enter_number_and_choose_offer,
    pay_button,
    show_qr,
    tap_text,
    texts_on_screen,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]

NEW_BALANCE = Balance(11469, datetime(2026, 12, 31, 15, 59, tzinfo=UTC))


def test_qr_purchase_from_attract_to_done_in_eleven_taps(kiosk, tmp_path):
    """GIVEN the attract screen WHEN the customer types an HK number, picks a plan and taps FPS
    THEN the QR on screen decodes to the order's payload, and after payment the plan is shown."""
    import zxingcpp
    from PIL import Image

    enter_number_and_choose_offer(kiosk)
    kiosk.driver.tap(pay_button(kiosk, "fps"))
    kiosk.driver.wait_state("paying_qr")
    assert kiosk.purchases.started == [(kiosk.purchases.txn_id, "fps")]
    assert kiosk.lookups == ["85291234567"]
    show_qr(kiosk)

    # Every tap the steps above made on a widget, counted by the driver (the 8 digits at least).
    assert 8 <= kiosk.driver.taps <= 11, f"{kiosk.driver.taps} taps from attract to the QR"
    assert len(kiosk.driver.tap_times_s) >= 3  # taps that changed the screen were timed
    shot = kiosk.driver.screenshot(tmp_path / "qr.png")
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(shot))]
    assert decoded == [FPS_PAYLOAD]
    assert "HK$88.20" in texts_on_screen(kiosk.driver)

    kiosk.purchases.emit(ev.Paid(kiosk.purchases.txn_id))
    kiosk.driver.wait_state("crediting")
    kiosk.purchases.emit(ev.Credited(kiosk.purchases.txn_id, NEW_BALANCE, "t-1"))
    kiosk.driver.wait_state("done")
    kiosk.driver.frames(2)
    shown = texts_on_screen(kiosk.driver)
    assert kiosk.tr("done.title") in shown
    assert "11 GB" in shown
    assert kiosk.tr("done.reference", reference=kiosk.purchases.txn_id) in shown


def _choose(kiosk, quote_id: str) -> None:
    kiosk.driver.tap(kiosk.driver.find(lambda w: getattr(w, "quote_id", None) == quote_id
                                       and w.__class__.__name__ == "OfferTile"))
    kiosk.driver.wait_state("confirming")
    kiosk.driver.frames(2)


def test_the_card_says_how_far_off_its_expiry_is_and_confirm_gives_the_new_one(kiosk):
    """GIVEN a card valid until 1 December 2026, 23:59:59 in Hong Kong, and the clock on
    18 November WHEN the customer looks it up in English and picks a 30-day plan THEN the card
    screen says it expires in 13 days, and the confirm screen gives the expiry the plan brings."""
    kiosk.controller.set_language("en")
    enter_number(kiosk)
    kiosk.driver.frames(2)
    shown = texts_on_screen(kiosk.driver)
    assert "Valid until 1 December 2026" in shown
    assert "Expires in 13 days" in shown
    assert kiosk.driver.app.router.screen("card_shown").expired is False
    _choose(kiosk, "q-1")
    assert "New expiry: 31 December 2026" in texts_on_screen(kiosk.driver)


def test_an_expired_card_is_shown_expired_with_what_a_top_up_does(kiosk):
    """GIVEN a card that expired yesterday (17 November) within its grace period WHEN looked up
    in Traditional Chinese THEN the card screen says so and that a top-up revives it from today,
    and the confirm screen's new expiry counts the plan's 30 days from today."""
    enter_number(kiosk, "93456789")
    kiosk.driver.frames(2)
    shown = texts_on_screen(kiosk.driver)
    assert "已於 2026年11月17日 過期" in shown
    assert "昨日已過期" in shown
    assert "增值即可恢復使用，新計劃由今日起計。" in shown
    assert kiosk.driver.app.router.screen("card_shown").expired is True
    _choose(kiosk, "q-1")
    assert "新有效期至 2026年12月18日" in texts_on_screen(kiosk.driver)


def test_a_new_qr_of_the_same_size_reuses_the_texture(kiosk):
    enter_number_and_choose_offer(kiosk)
    kiosk.driver.tap(pay_button(kiosk, "payme"))
    kiosk.driver.wait_state("paying_qr")
    show_qr(kiosk)
    qr = kiosk.driver.find(lambda w: w.__class__.__name__ == "QrView")
    created = qr.textures_created
    second = FPS_PAYLOAD.replace("TOPUP0001", "TOPUP0002")
    show_qr(kiosk, second)
    assert qr.payload == second
    assert qr.textures_created == created


def test_card_purchase_shows_the_terminal_prompts(kiosk):
    enter_number_and_choose_offer(kiosk)
    kiosk.driver.tap(pay_button(kiosk, "card"))
    kiosk.driver.wait_state("paying_card")
    kiosk.purchases.emit(ev.CardProgress(kiosk.purchases.txn_id, "PIN_ENTRY"))
    kiosk.driver.wait_for(lambda: kiosk.tr("stage.PIN_ENTRY") in texts_on_screen(kiosk.driver),
                          what="the PIN prompt")
    kiosk.purchases.emit(ev.Paid(kiosk.purchases.txn_id))
    kiosk.purchases.emit(ev.Credited(kiosk.purchases.txn_id, NEW_BALANCE, "t-2"))
    kiosk.driver.wait_state("done")
    assert kiosk.purchases.started == [(kiosk.purchases.txn_id, "card")]


def test_a_declined_card_offers_another_method(kiosk):
    enter_number_and_choose_offer(kiosk)
    kiosk.driver.tap(pay_button(kiosk, "card"))
    kiosk.driver.wait_state("paying_card")
    kiosk.purchases.emit(ev.Declined(kiosk.purchases.txn_id, "declined", "05"))
    kiosk.driver.wait_state("payment_failed")
    kiosk.driver.frames(1)
    assert kiosk.tr("payment_failed.declined.title") in texts_on_screen(kiosk.driver)
    tap_text(kiosk, "payment_failed.try_another")
    kiosk.driver.wait_state("confirming")
    assert pay_button(kiosk, "fps").disabled is False


def test_cancel_returns_to_the_start_and_forgets_the_number(kiosk):
    enter_number_and_choose_offer(kiosk)
    tap_text(kiosk, "action.cancel")
    kiosk.driver.wait_state("attract")
    assert kiosk.controller.view.digits == ""
    assert kiosk.controller.view.subscriber is None
    assert kiosk.purchases.started == []


def test_frantic_double_tap_on_a_pay_button_makes_one_order(kiosk):
    from kivy.tests.common import UnitTestTouch

    enter_number_and_choose_offer(kiosk)
    button = pay_button(kiosk, "wechatpay")
    x, y = button.to_window(*button.center)
    for _ in range(3):  # three taps dispatched before the screen can change
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
    kiosk.driver.wait_state("paying_qr")
    kiosk.driver.frames(3)
    assert len(kiosk.purchases.started) == 1


def test_walking_away_warns_then_returns_to_the_start(kiosk):
    flow = kiosk.settings.flow
    tap_text(kiosk, "attract.start")
    kiosk.driver.wait_state("entering_number")
    kiosk.clock.advance(flow.idle_timeout_s - flow.warning_s + 1)
    kiosk.driver.wait_for(lambda: kiosk.tr("still_there.title") in _overlay_texts(kiosk),
                          what="the still-there warning")
    kiosk.clock.advance(flow.warning_s)
    kiosk.driver.wait_state("attract")
    assert _overlay_texts(kiosk) == []


def test_still_there_keeps_the_customer_in_place(kiosk):
    flow = kiosk.settings.flow
    tap_text(kiosk, "attract.start")
    kiosk.driver.wait_state("entering_number")
    kiosk.clock.advance(flow.idle_timeout_s - flow.warning_s + 1)
    kiosk.driver.wait_for(lambda: _overlay_texts(kiosk), what="the still-there warning")
    overlay = kiosk.driver.app.router.overlay
    button = kiosk.driver.find(lambda w: getattr(w, "kind", "") == "primary", root=overlay)
    kiosk.driver.tap(button)
    kiosk.driver.wait_for(lambda: overlay.parent is None, what="the warning gone")
    assert kiosk.driver.state == "entering_number"


def test_language_switch_mid_flow_keeps_the_place(kiosk):
    enter_number_and_choose_offer(kiosk)
    kiosk.driver.tap(kiosk.driver.button("English"))
    kiosk.driver.frames(2)
    assert kiosk.driver.state == "confirming"
    assert kiosk.controller.view.language == "en"
    shown = texts_on_screen(kiosk.driver)
    assert "Check the details and choose how to pay" in shown
    assert "+852 9123 4567" in shown
    assert "New expiry: 31 December 2026" in shown  # the view's texts follow the language
    assert kiosk.driver.app.font_name == "kiosk-en"


def _overlay_texts(kiosk) -> list[str]:
    overlay = kiosk.driver.app.router.overlay
    if overlay.parent is None:
        return []
    from kivy.uix.label import Label

    return [w.text for w in overlay.walk(restrict=True) if isinstance(w, Label) and w.text]


def test_a_payment_method_that_goes_away_disappears_from_the_confirm_screen(kiosk):
    enter_number_and_choose_offer(kiosk)
    wallets = [m for m in kiosk.settings.payments.methods if m != "card"]
    kiosk.controller.set_health(wallets)  # the terminal went offline
    kiosk.driver.wait_for(
        lambda: sorted(w.method for w in kiosk.driver.app.router.manager.current_screen.walk()
                       if w.__class__.__name__ == "PayButton") == sorted(wallets),
        what="the card button hidden")


def test_the_number_is_formatted_as_typed_and_a_landline_is_explained_in_place(kiosk):
    from tests.ui.steps import tap_digits

    tap_digits(kiosk, "2123")
    kiosk.driver.frames(2)
    shown = texts_on_screen(kiosk.driver)
    assert "2123" in shown
    assert kiosk.tr("phone.error.landline") in shown
    assert kiosk.lookups == []


def test_every_button_on_the_way_is_a_big_touch_target(kiosk):
    """Every visible button is at least 15 mm on its short side at the configured DPI."""
    from screens.widgets.buttons import KioskButton

    mm_per_px = 25.4 / kiosk.settings.display.dpi

    def small_buttons():
        screen = kiosk.driver.app.router.manager.current_screen
        return [(w.text, round(min(w.size) * mm_per_px, 1)) for w in screen.walk(restrict=True)
                if isinstance(w, KioskButton) and w.opacity > 0 and min(w.size) * mm_per_px < 15]

    assert small_buttons() == []  # attract
    enter_number_and_choose_offer(kiosk)
    assert small_buttons() == []  # confirming
    tap_text(kiosk, "action.cancel")
    kiosk.driver.wait_state("attract")
    tap_text(kiosk, "attract.start")
    kiosk.driver.wait_state("entering_number")
    kiosk.driver.frames(2)
    assert small_buttons() == []


def test_pay_buttons_and_offer_tiles_are_reused_not_made_anew(kiosk):
    """GIVEN the methods or the offers change WHEN shown again THEN the same widgets come back
    (each Kivy Label made leaves a callback in Kivy's metrics for good: a slow leak per customer)."""
    enter_number_and_choose_offer(kiosk)
    screen = kiosk.driver.app.router.manager.current_screen

    def buttons():
        return {w.method: w for w in screen.walk() if w.__class__.__name__ == "PayButton"}

    from kiosk.money.octopus_payment import offered_methods

    before = buttons()
    offered = list(offered_methods(kiosk.settings))  # Octopus too: the demo terminal takes it
    wallets = [m for m in offered if m not in ("card", "octopus")]
    kiosk.controller.set_health(wallets)
    kiosk.driver.wait_for(lambda: sorted(buttons()) == sorted(wallets), what="the card button hidden")
    kiosk.controller.set_health(offered)
    kiosk.driver.wait_for(lambda: sorted(buttons()) == sorted(before), what="the card button back")
    assert all(buttons()[m] is before[m] for m in before)

    shown = kiosk.driver.app.router.screen("card_shown")
    offers = kiosk.controller.view.offers
    shown._show_offers(offers, "en")
    tiles = list(shown.ids.offers.children)
    shown._show_offers(offers[:1], "en")
    assert len(shown.ids.offers.children) == 1
    shown._show_offers(offers, "en")
    assert set(map(id, shown.ids.offers.children)) == set(map(id, tiles))
