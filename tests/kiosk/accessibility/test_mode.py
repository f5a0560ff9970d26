"""The accessible mode: longer limits (money deadlines unchanged), extendable, one session long."""

from __future__ import annotations

import pytest

from kiosk import settings as settings_mod
from kiosk.accessibility.build import build_accessibility
from kiosk.accessibility.keys import KeyMap
from tests.kiosk.flow.rig import make_rig, make_settings


class FakeSpeaker:
    available = True

    def __init__(self):
        self.said, self.stops = [], 0

    def say(self, text, language, volume):
        self.said.append((text, language, volume))

    def stop(self):
        self.stops += 1

    def close(self):
        pass


@pytest.fixture
def setup():
    settings = make_settings(idle_timeout_s=60.0, warning_s=15.0, result_screen_s=20.0)
    rig = make_rig(settings)
    speaker = FakeSpeaker()
    a11y = build_accessibility(settings, speaker=speaker)
    a11y.mode.attach(rig.controller)
    return rig, a11y, speaker


def test_entering_starts_the_session_with_speech_and_the_greeting(setup):
    rig, a11y, speaker = setup
    assert a11y.mode.enter()
    assert rig.controller.state == "entering_number" and a11y.mode.active
    assert len(speaker.said) == 1  # the greeting, then the screen: one utterance, not cut off
    text, language, volume = speaker.said[0]
    assert text.startswith("無障礙模式已開啟") and "請用數字鍵輸入" in text
    assert language == "zh-Hant" and volume == 70


def test_every_customer_limit_is_at_least_three_times_longer_and_warns_20_s_ahead(setup):
    rig, a11y, _ = setup
    a11y.mode.enter()
    rig.advance(60 * 3 - 31)
    assert rig.controller.state == "entering_number" and not rig.controller.view.warning
    rig.advance(2)
    assert rig.controller.view.warning and rig.controller.view.seconds_left >= 20
    rig.advance(30)
    assert rig.controller.state == "attract"
    assert not a11y.mode.active  # the session ended: the next customer starts normally


def test_a_key_press_extends_the_time_more_than_ten_times(setup):
    rig, a11y, _ = setup
    a11y.mode.enter()
    for _ in range(12):
        rig.advance(170)
        assert rig.controller.view.warning
        a11y.mode.key_pressed()
        assert not rig.controller.view.warning
    assert rig.controller.state == "entering_number"


def test_money_deadlines_are_unchanged(setup):
    rig, a11y, _ = setup
    a11y.mode.enter()
    rig.controller.cancel()  # back to attract ends the mode; start again within it
    a11y.mode.enter()
    c = rig.controller
    for d in "91234567":
        c.press_digit(d)
    c.submit_number()
    rig.post.run_pending()
    c.choose_offer(c.view.offers[0].quote_id)
    c.pay("card")
    limit = settings_mod.load().payments.card_timeout_s + 15
    rig.advance(limit - 1)
    assert c.view.seconds_left <= 1


def test_the_next_customer_starts_in_the_normal_mode(setup):
    rig, a11y, speaker = setup
    a11y.mode.enter()
    a11y.narrator.change_volume(up=True)
    assert a11y.narrator.volume == 80
    rig.controller.cancel()
    assert rig.controller.state == "attract" and not a11y.mode.active
    assert a11y.narrator.volume == 70 and not a11y.narrator.enabled
    said = len(speaker.said)
    rig.controller.start()
    rig.advance(61)  # the normal limit again
    assert rig.controller.state == "attract" and len(speaker.said) == said


def test_keys_map_to_actions():
    keys = KeyMap(settings_mod.load().accessibility.keypad)
    assert keys.action(262).digit == "6" and keys.action(54, "6").digit == "6"
    assert keys.action(271).name == "enter" and keys.action(268).name == "help"
    assert keys.action(270).name == "next" and keys.action(269).name == "prev"
    assert keys.action(97, "a") is None
    assert keys.action(keys.code("cancel")).name == "cancel"


def test_settings_refuse_a_short_time_scale():
    with pytest.raises(settings_mod.SettingsError, match="time_scale"):
        settings_mod.load(None, {"accessibility.time_scale": 2.0})
