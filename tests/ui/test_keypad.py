"""Whole purchases by keypad alone in the three languages: speech, focus ring, accessible mode."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.backend.models import Balance
from kiosk.money import events as ev
from screens.accessible_theme import HIGH_CONTRAST
from tests.ui.keypad_steps import (
    choose_language,
    enter_accessible_mode,
    focus_until,
    keys,
    press,
    spoken,
    type_digits,
)
from tests.ui.steps import pay_button, texts_on_screen

pytestmark = [pytest.mark.ui, pytest.mark.slow]

NEW_BALANCE = Balance(11469, datetime(2026, 12, 31, 15, 59, tzinfo=UTC))
MONEY = {"en": "eighty-eight dollars twenty", "zh-Hant": "港幣八十八元二角", "zh-Hans": "港币八十八元二角"}
POSITION = {"en": "2 of", "zh-Hant": "第 2 項", "zh-Hans": "第 2 项"}


@pytest.fixture
def speaker(kiosk):
    speaker = kiosk.driver.app.accessibility.narrator.speaker
    speaker.said.clear()
    speaker.available = True
    yield speaker
    speaker.available = True


def to_confirming_by_keys(kiosk, language: str) -> None:
    enter_accessible_mode(kiosk)
    if language != kiosk.controller.view.language:
        choose_language(kiosk, language)
    type_digits(kiosk, "91234567")
    press(kiosk, "enter")
    kiosk.driver.wait_state("card_shown")
    kiosk.driver.frames(2)
    press(kiosk, "next")
    press(kiosk, "next")  # the second plan: "… 2 of 6"
    assert POSITION[language] in spoken(kiosk)[-1]
    press(kiosk, "prev")  # back to the first (HK$88.20)
    assert MONEY[language] in spoken(kiosk)[-1]
    press(kiosk, "enter")
    kiosk.driver.wait_state("confirming")
    kiosk.driver.frames(2)


@pytest.mark.parametrize("language", ["zh-Hant", "zh-Hans", "en"])
def test_a_qr_purchase_by_keypad_alone(kiosk, speaker, language):
    to_confirming_by_keys(kiosk, language)
    assert kiosk.driver.app.theme.palette == HIGH_CONTRAST
    focus_until(kiosk, lambda w: getattr(w, "method", "") == "fps")
    press(kiosk, "enter")
    kiosk.driver.wait_state("paying_qr")
    assert kiosk.purchases.started == [(kiosk.purchases.txn_id, "fps")]
    kiosk.purchases.emit(ev.Paid(kiosk.purchases.txn_id))
    kiosk.purchases.emit(ev.Credited(kiosk.purchases.txn_id, NEW_BALANCE, "t-1"))
    kiosk.driver.wait_state("done")
    kiosk.driver.frames(2)
    done = [t for t in spoken(kiosk) if MONEY[language] in t][-1]
    assert kiosk.purchases.txn_id[-1] in done  # the reference is read
    said = len(speaker.said)
    press(kiosk, "help")  # repeat
    again = speaker.said[-1][0]
    assert len(speaker.said) == said + 1 and MONEY[language] in again
    assert again.startswith(done.split(MONEY[language])[0])  # the same result, read again
    press(kiosk, "enter")  # finish
    kiosk.driver.wait_state("attract")
    assert not kiosk.driver.app.accessibility.mode.active
    assert kiosk.driver.app.theme.palette != HIGH_CONTRAST  # the next customer: normal mode
    assert kiosk.driver.taps == 0
    languages = [lang for _t, lang, _v in speaker.said]
    after_choice = languages[languages.index(language):]
    assert set(after_choice) == {language}  # once chosen, everything is said in that language


@pytest.mark.parametrize("language", ["zh-Hant", "zh-Hans", "en"])
def test_a_card_purchase_by_keypad_alone(kiosk, speaker, language):
    to_confirming_by_keys(kiosk, language)
    press(kiosk, "prev")  # from no focus, Prev lands on the last method
    while kiosk.driver.app.keys.ring.target.method != "card":  # (Octopus may follow the card)
        press(kiosk, "prev")
    press(kiosk, "enter")
    kiosk.driver.wait_state("paying_card")
    kiosk.purchases.emit(ev.CardProgress(kiosk.purchases.txn_id, "PRESENT_CARD"))
    kiosk.driver.frames(1)
    kiosk.purchases.emit(ev.Paid(kiosk.purchases.txn_id))
    kiosk.purchases.emit(ev.Credited(kiosk.purchases.txn_id, NEW_BALANCE, "t-2"))
    kiosk.driver.wait_state("done")
    press(kiosk, "enter")
    kiosk.driver.wait_state("attract")
    assert kiosk.driver.taps == 0


def test_a_key_with_no_meaning_says_so_and_does_nothing(kiosk, speaker):
    enter_accessible_mode(kiosk)
    choose_language(kiosk, "en")
    type_digits(kiosk, "91234567")
    press(kiosk, "enter")
    kiosk.driver.wait_state("card_shown")
    press(kiosk, "clear")
    assert speaker.said[-1][0] == "Not available here."
    assert kiosk.driver.state == "card_shown"


def test_a_key_stops_the_prompt_then_acts(kiosk, speaker):
    enter_accessible_mode(kiosk)
    stops = speaker.stops
    press(kiosk, "digit", "9")
    assert speaker.stops == stops + 1 and kiosk.controller.view.digits == "9"


def test_touch_still_works_beside_the_keypad(kiosk, speaker):
    enter_accessible_mode(kiosk)
    type_digits(kiosk, "91234567")
    press(kiosk, "enter")
    kiosk.driver.wait_state("card_shown")
    kiosk.driver.frames(2)
    kiosk.driver.tap(kiosk.driver.find(lambda w: getattr(w, "quote_id", None) == "q-1"
                                       and w.__class__.__name__ == "OfferTile"))
    kiosk.driver.wait_state("confirming")
    kiosk.driver.frames(2)
    kiosk.driver.tap(pay_button(kiosk, "fps"))
    kiosk.driver.wait_state("paying_qr")


def test_without_speech_the_accessible_mode_says_so_on_screen(kiosk, speaker):
    speaker.available = False
    enter_accessible_mode(kiosk)
    from kivy.core.window import Window

    notices = [w for w in Window.children[0].walk() if w.__class__.__name__ == "SpeechNotice"]
    assert notices and notices[0].opacity == 1
    assert notices[0].text == kiosk.tr("accessible.speech_unavailable")
    assert speaker.said == []
    type_digits(kiosk, "91234567")  # the keypad works all the same
    press(kiosk, "enter")
    kiosk.driver.wait_state("card_shown")


def test_a_short_press_of_5_on_attract_types_it(kiosk, speaker):
    press(kiosk, "digit", "5")
    kiosk.driver.wait_state("entering_number")
    assert kiosk.controller.view.digits == "5"
    assert not kiosk.driver.app.accessibility.mode.active and speaker.said == []
    assert keys(kiosk).code("digit", "5") == 261
    assert "5" in "".join(texts_on_screen(kiosk.driver))


def one_line(kiosk, text: str) -> list:
    labels = [w for w in kiosk.driver.app.router.manager.current_screen.walk(restrict=True)
              if getattr(w, "text", "") == text]
    assert labels, f"{text!r} not on screen"
    return [w.texture_size[1] < 2 * w.font_size for w in labels]


def test_larger_text_keeps_labels_sized_by_their_text_on_one_line(kiosk, speaker):
    """Screens built in the normal look, then shown in the accessible one and back: a label
    whose width follows its text (the +852 prefix, a plan's price) must not wrap."""
    from tests.ui.steps import enter_number

    normal_body = kiosk.driver.app.m.body_px
    enter_number(kiosk)  # a sighted customer first: the screens are built in the normal look
    kiosk.controller.cancel()
    kiosk.driver.wait_state("attract")
    enter_accessible_mode(kiosk)
    assert kiosk.driver.app.m.body_px > normal_body
    kiosk.driver.frames(2)
    assert all(one_line(kiosk, "+852"))
    type_digits(kiosk, "91234567")
    press(kiosk, "enter")
    kiosk.driver.wait_state("card_shown")
    kiosk.driver.frames(2)
    assert all(one_line(kiosk, "HK$88.20"))
    press(kiosk, "cancel")
    kiosk.driver.wait_state("attract")
    assert kiosk.driver.app.m.body_px == normal_body  # the next customer: the normal look
    assert kiosk.driver.app.theme.palette != HIGH_CONTRAST


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_the_delete_key_keeps_its_word_on_one_line_in_the_accessible_mode(kiosk, language):
    from kivy.core.text import Label as CoreLabel

    enter_accessible_mode(kiosk)
    kiosk.controller.set_language(language)
    kiosk.driver.frames(3)
    word = kiosk.tr("action.delete")
    key = kiosk.driver.find(lambda w: getattr(w, "text", None) == word
                            and type(w).__name__ == "Key")
    app = kiosk.driver.app
    assert key.font_size <= app.m.body_px
    drawn = CoreLabel(text=word, font_size=key.font_size, font_name=key.font_name, bold=True)
    drawn.refresh()
    assert drawn.texture.width <= key.width - 2 * app.m.gap_px  # fits: no break mid-word


def test_offer_tiles_grow_with_the_accessible_mode_text(kiosk):
    enter_accessible_mode(kiosk)
    type_digits(kiosk, "91234567")
    press(kiosk, "enter")
    kiosk.driver.wait_state("card_shown")
    kiosk.driver.frames(3)
    tiles = [w for w in kiosk.driver.app.root.walk() if type(w).__name__ == "OfferTile"]
    assert tiles
    for tile in tiles:  # every line of text inside its tile, none over the next tile
        for label in tile.walk(restrict=True):
            if label is not tile and getattr(label, "texture", None) is not None:
                assert tile.y - 1 <= label.y and label.top <= tile.top + 1, label.text


def test_the_wrong_number_button_keeps_its_words_on_one_line_in_the_accessible_mode(kiosk):
    from kivy.core.text import Label as CoreLabel

    enter_accessible_mode(kiosk)
    kiosk.controller.set_language("en")
    type_digits(kiosk, "91234567")
    press(kiosk, "enter")
    kiosk.driver.wait_state("card_shown")
    kiosk.driver.frames(3)
    words = kiosk.tr("card.wrong_number")
    button = kiosk.driver.find(lambda w: getattr(w, "text", None) == words)
    drawn = CoreLabel(text=words, font_size=button.font_size, font_name=button.font_name)
    drawn.refresh()
    assert drawn.texture.width <= button.width - 2 * kiosk.driver.app.m.gap_px
