"""What a customer does by keypad alone (no touch), for the UI tests."""

from __future__ import annotations


def keys(kiosk):
    return kiosk.driver.app.accessibility.keys


def press(kiosk, action: str, digit: str = "") -> None:
    kiosk.driver.press(keys(kiosk).code(action, digit))


def type_digits(kiosk, digits: str) -> None:
    for d in digits:
        press(kiosk, "digit", d)


def enter_accessible_mode(kiosk) -> None:
    mode = kiosk.driver.app.accessibility.mode
    kiosk.driver.hold(keys(kiosk).code("digit", "5"), lambda: mode.active)
    kiosk.driver.wait_state("entering_number")


def focus_until(kiosk, matches, limit: int = 30):
    """Next until the focus ring is on a widget for which *matches* holds; that widget."""
    ring = kiosk.driver.app.keys.ring
    for _ in range(limit):
        press(kiosk, "next")
        if ring.target is not None and matches(ring.target):
            return ring.target
    raise AssertionError("the focus ring never reached the wanted choice")


def choose_language(kiosk, language: str) -> None:
    focus_until(kiosk, lambda w: getattr(w, "language", "") == language)
    press(kiosk, "enter")


def spoken(kiosk) -> list[str]:
    return [text for text, _lang, _vol in kiosk.driver.app.accessibility.narrator.speaker.said]
