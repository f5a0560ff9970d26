"""``kiosk doctor``'s speech verdict."""

from __future__ import annotations

import shutil

import pytest

from devices.speech.espeak import EspeakEngine
from kiosk import settings as settings_mod
from kiosk.accessibility.check import check_speech
from kiosk.maintenance.checks import OK, WARN


def test_a_missing_engine_is_a_warning_not_a_failure():
    verdict = check_speech(settings_mod.load(), engine=EspeakEngine({"en": "en"}, binary="nope"))
    assert verdict.level == WARN and "nope not found" in verdict.message


def test_speech_off_by_setting_is_a_warning():
    settings = settings_mod.load(None, {"accessibility.speech_engine": "none"})
    assert check_speech(settings).level == WARN


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
@pytest.mark.parametrize("present, level", [(True, OK), (False, WARN)])
def test_working_voices_need_an_output_too(present, level):
    verdict = check_speech(settings_mod.load(), audio_present=present)
    assert verdict.level == level and "yue" in verdict.message
