"""espeak-ng as the speech device: voices, pinyin for Mandarin, WAVs, interruption, no device."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from devices.speech.espeak import EspeakEngine, SpeechUnavailable, to_pinyin
from devices.speech.speaker import Speaker
from devices.speech.wav import pcm_stats

VOICES = {"zh-Hant": "yue", "zh-Hans": "cmn-latn-pinyin", "en": "en"}
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def phonemes(voice: str, text: str) -> str:
    return subprocess.run(["espeak-ng", "-q", "-x", "-v", voice, text], capture_output=True,
                          text=True, check=True).stdout


def test_mandarin_text_becomes_tone_numbered_pinyin():
    pytest.importorskip("pypinyin")
    assert to_pinyin("港币八十八元二角", wait=True) == "gang3 bi4 ba1 shi2 ba1 yuan2 er4 jiao3"
    assert to_pinyin("银行") == "yin2 hang2"  # the word decides the reading (the voice says xing2)
    assert to_pinyin("重新") == "chong2 xin1"


@needs_espeak
def test_plain_cmn_reads_characters_as_english_and_the_pinyin_voice_as_mandarin():
    """Why zh-Hans uses cmn-latn-pinyin: plain cmn switches to English for 请输入."""
    assert "(en)" in phonemes("cmn", "请输入")
    mandarin = phonemes("cmn-latn-pinyin", EspeakEngine(VOICES).text_for("请输入", "zh-Hans", wait=True))
    assert "(en)" not in mandarin and "21" in mandarin  # 请 qǐng: the third tone's contour


@needs_espeak
@pytest.mark.parametrize("language, text", [("zh-Hant", "港幣八十八元二角"),
                                            ("zh-Hans", "港币八十八元二角"),
                                            ("en", "eighty-eight dollars twenty")])
def test_every_language_gives_non_silent_16_bit_speech(language, text):
    wav = EspeakEngine(VOICES).synthesize(text, language, volume=70)
    stats = pcm_stats(wav)
    assert stats["sample_width"] == 2 and stats["rate"] == 22050
    assert 0.8 < stats["seconds"] < 10 and stats["rms"] > 500


def test_a_missing_engine_is_a_clear_error():
    engine = EspeakEngine(VOICES, binary="no-such-espeak")
    assert not engine.available and "not found" in engine.describe()
    with pytest.raises(SpeechUnavailable):
        engine.synthesize("hello", "en")


def test_a_speaker_without_an_engine_reports_and_does_not_raise():
    errors = []
    speaker = Speaker(EspeakEngine(VOICES, binary="no-such-espeak"), None, on_error=errors.append)
    speaker.say("hello", "en", 70)
    assert speaker.wait_idle(10)
    assert errors and "no-such-espeak" in errors[0]
    speaker.close()


@needs_espeak
def test_the_audio_goes_to_the_player_and_the_next_pipeline_waits_ahead(tmp_path):
    speaker = Speaker(EspeakEngine(VOICES), ["sh", "-c", f"cat > {tmp_path}/played.$$.wav"])
    speaker.say("Enter the mobile number to top up", "en", 70)
    assert speaker.wait_idle(20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not [
            p for p in tmp_path.glob("*.wav") if p.stat().st_size > 10000]:
        time.sleep(0.01)
    played = [p for p in tmp_path.glob("*.wav") if p.stat().st_size > 10000]
    assert len(played) == 1 and played[0].read_bytes()[:4] == b"RIFF"
    assert speaker._spare is not None and speaker._spare.ready  # the next prompt's pipeline
    speaker.release()
    assert speaker._spare is None


@needs_espeak
def test_a_new_utterance_stops_the_one_playing():
    speaker = Speaker(EspeakEngine(VOICES), None)
    speaker.say("one two three four five six seven eight nine ten " * 40, "en", 70)
    first = speaker._current.pipeline
    speaker.say("stop", "en", 70)
    assert first.synth.wait(5) == -9  # killed, not left to finish
    assert speaker.wait_idle(10) and speaker.utterances[-1][1] is not None
    speaker.close()


@needs_espeak
def test_without_an_audio_device_nothing_is_played_and_the_first_sample_is_timed():
    speaker = Speaker(EspeakEngine(VOICES), None)
    speaker.say("hello", "en", 70)
    assert speaker.wait_idle(10) and len(speaker.first_sample_s) == 1
    said_at, first_at = speaker.utterances[0]
    assert 0 < first_at - said_at < 2 and speaker.first_sample_s[0] == first_at - said_at
    speaker.say("again", "en", 70)  # the pipeline started ahead: no process start this time
    assert speaker.wait_idle(10) and len(speaker.first_sample_s) == 2
    speaker.close()
