"""In the running app, no key combination leaves the app, opens a menu or reaches a screen."""

import pytest

pytestmark = [pytest.mark.ui, pytest.mark.slow]

SDL = 1 << 30
COMBOS = [
    ("Escape", 27, 41, None, []),
    ("F1", 282, 58, None, []),
    ("F12", 293, 69, None, []),
    ("Alt+F4", 285, 61, None, ["alt"]),
    ("Alt+Tab", 9, 43, "\t", ["alt"]),
    ("Alt+Space", 32, 44, " ", ["alt"]),
    ("Ctrl+Alt+F2", 283, 59, None, ["ctrl", "alt"]),
    ("Ctrl+Alt+Backspace", 8, 42, None, ["ctrl", "alt"]),
    ("Ctrl+W", 119, 26, "w", ["ctrl"]),
    ("Ctrl+Q", 113, 20, "q", ["ctrl"]),
    ("Ctrl+E", 101, 8, "e", ["ctrl"]),
    ("Ctrl+1", 49, 30, "1", ["ctrl"]),
    ("Alt+1", 49, 30, "1", ["alt"]),
    ("Super", 309, 227, None, ["meta"]),
    ("Super+1", 49, 30, "1", ["meta"]),
    ("Menu", SDL | 101, 101, None, []),
]


@pytest.mark.parametrize("event", ["on_key_down", "on_keyboard"])
def test_blocked_combinations_are_swallowed_and_change_nothing(kiosk, event):
    from kivy.core.window import Window

    driver = kiosk.driver
    for what, key, scancode, codepoint, modifiers in COMBOS:
        assert Window.dispatch(event, key, scancode, codepoint, modifiers) is True, what
        driver.frames(1)
        assert driver.state == "attract", what
        assert driver.app._app_settings is None, what  # Kivy's settings panel never opened
        assert kiosk.lookups == [] and kiosk.controller.view.digits == "", what
    assert Window.dispatch("on_request_close") is True


def test_a_plain_digit_still_reaches_the_kiosk(kiosk):
    from kivy.core.window import Window

    assert Window.dispatch("on_key_down", 49, 30, "1", []) is True
    kiosk.driver.wait_state("entering_number")
    assert kiosk.controller.view.digits == "1"
