"""What a customer does, as taps on the real widgets (shared by the UI tests)."""

from __future__ import annotations

from datetime import UTC, datetime

# The EMV test vector of specs/payment-qr.md: a dynamic FPS code for HKD 100.00.
FPS_PAYLOAD = ("00020101021226270012hk.com.hkicl020712345675204000053033445406100.005802HK"
               "5902NA6002HK62130509TOPUP000163040088")


def digit_key(driver, digit: str):
    from screens.widgets.keypad import Keypad

    return driver.find(lambda w: w.__class__.__name__ == "DigitKey" and w.text == digit
                       and isinstance(w.parent, Keypad))


def tap_digits(kiosk, digits: str) -> None:
    for d in digits:
        kiosk.driver.tap(digit_key(kiosk.driver, d))


def tap_text(kiosk, msgid: str, **values) -> None:
    kiosk.driver.tap(kiosk.driver.button(kiosk.tr(msgid, **values)))


def texts_on_screen(driver) -> list[str]:
    from kivy.uix.label import Label

    screen = driver.app.router.manager.current_screen
    return [w.text for w in screen.walk(restrict=True) if isinstance(w, Label) and w.text]


def enter_number(kiosk, digits: str = "91234567", timeout_s: float = 10.0) -> None:
    """Attract → card shown, by taps: len(digits) + 1 taps."""
    tap_digits(kiosk, digits)
    tap_text(kiosk, "number.continue")
    kiosk.driver.wait_state("card_shown", timeout_s)
    kiosk.driver.frames(1)


def enter_number_and_choose_offer(kiosk, digits: str = "91234567", quote_id: str | None = "q-1",
                                  timeout_s: float = 10.0) -> None:
    """Attract → card shown → confirming, by taps: len(digits) + 2 taps (None: the first offer)."""
    enter_number(kiosk, digits, timeout_s)
    quote_id = quote_id or kiosk.controller.view.offers[0].quote_id
    tile = kiosk.driver.find(lambda w: getattr(w, "quote_id", None) == quote_id
                             and w.__class__.__name__ == "OfferTile")
    kiosk.driver.tap(tile)
    kiosk.driver.wait_state("confirming")


def pay_button(kiosk, method: str):
    return kiosk.driver.find(lambda w: w.__class__.__name__ == "PayButton" and w.method == method)


def show_qr(kiosk, payload: str = FPS_PAYLOAD, method: str = "fps") -> None:
    kiosk.purchases.qr_ready(payload, datetime.fromtimestamp(kiosk.clock.now(), UTC),
                             kiosk.controller.view.amount_cents, method)
    kiosk.driver.wait_for(lambda: kiosk.controller.view.qr_payload == payload, what="the QR")
    kiosk.driver.frames(2)
