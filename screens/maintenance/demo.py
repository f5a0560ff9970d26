"""The maintenance part of ``kiosk demo --screenshots``: gesture, PIN pad, status, attention,
settlement, exit, each saved as a PNG. Also used by the UI tests to reach the screens by taps.
Kivy is imported inside the functions: importing this module must not open the window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

ENTRY_STATES = ("attract", "out_of_service")  # as screens.maintenance.gesture (no Kivy import here)

log = logging.getLogger(__name__)

DEMO_OPERATOR, DEMO_PIN = "1001", "246813"  # set by ensure_demo_operator (demo profile only)
CORNERS = ("top_left", "top_right", "bottom_right", "bottom_left")


def ensure_demo_operator(pins, now: float) -> None:
    """Give the demo its documented operator (1001 / 246813) when it has none."""
    if DEMO_OPERATOR not in pins.operators():
        pins.set_pin(DEMO_OPERATOR, DEMO_PIN, now)


def corner_taps(driver) -> None:
    """The hidden gesture: the four corners clockwise from the top left."""
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    width, height = Window.size
    inset = 8
    points = {"top_left": (inset, height - inset), "top_right": (width - inset, height - inset),
              "bottom_right": (width - inset, inset), "bottom_left": (inset, inset)}
    for corner in CORNERS:
        touch = UnitTestTouch(*points[corner])
        touch.touch_down()
        touch.touch_up()
        driver.frames(1)


def sign_in(driver, operator: str = DEMO_OPERATOR, pin: str = DEMO_PIN,
            shoot: Callable[[str], None] | None = None) -> None:
    """Type the operator id and PIN on the maintenance keypad."""
    from screens.widgets.keypad import Keypad

    def key(d):
        return driver.find(lambda w: w.__class__.__name__ == "DigitKey" and w.text == d
                           and isinstance(w.parent, Keypad))
    for d in operator:
        driver.tap(key(d))
    driver.tap(driver.button("Next"))
    for d in pin[:-2]:
        driver.tap(key(d))
    if shoot:
        shoot("maintenance-1-pin")
    for d in pin[-2:]:
        driver.tap(key(d))
    driver.tap(driver.button("Sign in"))


def tap_action(driver, text: str, timeout_s: float = 30.0) -> None:
    """Tap a maintenance action button and wait until its worker has finished."""
    screen = driver.app.router.manager.get_screen("maintenance")
    driver.tap(driver.button(text))
    driver.wait_for(lambda: not screen.busy, timeout_s, f"the outcome of {text!r}")


def walk(driver, console, out_dir: Path, prefix: str = "") -> list[Path]:
    """From attract: gesture, sign in, every page with a screenshot, then exit. The PNG paths."""
    shots: list[Path] = []

    def shoot(name: str) -> None:
        driver.frames(2)
        shots.append(driver.screenshot(Path(out_dir) / f"{prefix}{name}.png"))

    if driver.state not in ENTRY_STATES:  # a customer session left open: back to the start
        driver.app.controller.cancel()
        driver.wait_for(lambda: driver.state in ENTRY_STATES, what="attract or out of service")
    corner_taps(driver)
    driver.wait_state("maintenance")
    sign_in(driver, shoot=shoot)
    driver.wait_for(lambda: console.page == "status", what="maintenance status page")
    tap_action(driver, "Test print")
    shoot("maintenance-2-status")
    driver.tap(driver.find(lambda w: getattr(w, "text", "").startswith("Needs attention (")))
    rows = console.actions.needing_attention()
    if rows:
        console.select(rows[0].id)
        driver.app.router.manager.get_screen("maintenance").refresh()
    shoot("maintenance-3-attention")
    _octopus_cash_refund(driver, console, shoot)
    driver.tap(driver.button("Today's settlement"))
    shoot("maintenance-4-settlement")
    driver.tap(driver.button("Exit maintenance"))
    driver.wait_for(lambda: driver.state in ENTRY_STATES, what="back to the customers")
    return shots


def _octopus_cash_refund(driver, console, shoot) -> None:
    """An Octopus payment to give back in cash (the customer's claim slip): selected, then
    recorded as refunded in cash by the operator (it leaves the list, counted apart)."""
    from kiosk.money.octopus_payment import is_cash_refund

    rows = [t for t in console.actions.needing_attention()
            if t.method == "octopus" and is_cash_refund(t.attention_reason)]
    if not rows:
        return
    screen = driver.app.router.manager.get_screen("maintenance")
    console.select(rows[0].id)
    screen.refresh()
    shoot("maintenance-3-octopus_refund_in_cash")
    from screens.widgets.buttons import KioskButton

    driver.tap(driver.find(lambda w: isinstance(w, KioskButton)
                           and w.text.startswith("Refunded in cash")))
    driver.wait_for(lambda: not screen.busy, 30.0, "the cash refund recorded")
    shoot("maintenance-3-octopus_refunded_in_cash")
