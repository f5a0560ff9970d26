"""The collection statement on the real number screen: a line always shown, the full text one tap
or one keypad key away, and back to the number as typed."""

from __future__ import annotations

import pytest

from screens.cjk_wrap import NO_LINE_START
from tests.ui.steps import tap_digits, tap_text, texts_on_screen

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def number_screen(kiosk):
    screen = kiosk.driver.app.router.manager.current_screen
    assert screen.name == "entering_number"
    return screen


def key(codepoint: str, keycode: int) -> None:
    from kivy.core.window import Window

    Window.dispatch("on_key_down", keycode, 0, codepoint, [])


@pytest.mark.parametrize("language", ["zh-Hant", "zh-Hans", "en"])
def test_the_line_is_shown_and_a_tap_opens_the_statement_in_the_language(kiosk, language):
    """GIVEN the number screen WHEN the statement button is tapped THEN the full statement in the
    customer's language names the data, the retention and the contact; Back keeps the number."""
    kiosk.controller.set_language(language)
    tap_digits(kiosk, "9123")
    screen = number_screen(kiosk)
    kiosk.driver.frames(2)
    assert kiosk.tr("privacy.notice") in texts_on_screen(kiosk.driver)
    tap_text(kiosk, "privacy.open")
    kiosk.driver.wait_for(lambda: screen.statement_open, 5.0, "the statement")
    kiosk.driver.frames(1)
    assert kiosk.tr("privacy.title") in texts_on_screen(kiosk.driver)
    body = screen.statement.ids.body
    assert {"zh-Hant": "個人資料", "zh-Hans": "个人资料", "en": "personal data"}[language] in body.source
    assert kiosk.tr("privacy.retention.other", n=7) in body.source  # journal.phone_retention_days
    assert kiosk.settings.kiosk.hotline in body.source  # privacy.contact is empty: the hotline
    # Shown as written, broken into lines without a closing mark at the start of any of them
    lines = body.text.split("\n")
    assert "".join(lines).replace(" ", "") == body.source.replace("\n", "").replace(" ", "")
    assert all(line[0] not in NO_LINE_START for line in lines if line)
    kiosk.driver.tap(screen.statement.ids.back)
    assert not screen.statement_open
    assert kiosk.driver.state == "entering_number" and kiosk.controller.view.digits == "9123"


def test_keypad_key_opens_and_closes_and_digits_do_not_leak_through(kiosk):
    tap_digits(kiosk, "91")
    screen = number_screen(kiosk)
    key("*", 42)
    assert screen.statement_open
    key("5", 53)  # the statement is modal: no digit typed under it
    key("", 13)  # Enter closes it and does not submit
    assert not screen.statement_open
    assert kiosk.controller.view.digits == "91" and kiosk.driver.state == "entering_number"
    key("?", 63)
    assert screen.statement_open
    key("?", 63)
    assert not screen.statement_open


def test_leaving_the_screen_closes_the_statement(kiosk):
    tap_digits(kiosk, "9")
    screen = number_screen(kiosk)
    tap_text(kiosk, "privacy.open")
    assert screen.statement_open
    kiosk.controller.cancel()
    kiosk.driver.wait_state("attract")
    assert not screen.statement_open


def test_the_common_path_needs_no_tap_on_the_statement(kiosk):
    """Eight digits and Continue: the statement never stands in the way."""
    tap_digits(kiosk, "91234567")
    tap_text(kiosk, "number.continue")
    kiosk.driver.wait_state("card_shown")
    assert kiosk.driver.taps == 9
