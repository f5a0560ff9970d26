"""``kiosk doctor``'s speech line: the engine says a word in each language's voice, and there is
an audio output to play it on. Without either the kiosk still sells (WARN): the accessible mode
then has the keypad, large text and high contrast, and says on screen that speech is unavailable."""

from __future__ import annotations

from devices.speech.espeak import SpeechUnavailable
from devices.speech.speaker import audio_device_present
from kiosk.accessibility.build import engine_for
from kiosk.maintenance.checks import OK, WARN, Verdict

SAMPLES = {"zh-Hant": "你好", "zh-Hans": "你好", "en": "hello"}


def check_speech(settings, engine=None, audio_present=None) -> Verdict:
    section = settings.accessibility
    engine = engine if engine is not None else engine_for(section)
    if engine is None:
        return Verdict("speech", WARN, "accessibility.speech_engine is none: no speech in the "
                                       "accessible mode")
    if not engine.available:
        return Verdict("speech", WARN, f"{engine.describe()}: the accessible mode has no speech; "
                                       "install it (scripts/setup-system.sh)")
    for language, text in SAMPLES.items():
        try:
            engine.synthesize(text, language)
        except SpeechUnavailable as e:
            return Verdict("speech", WARN, f"voice {engine.voice(language)!r} ({language}) "
                                           f"failed: {e}")
    present = audio_present if audio_present is not None else audio_device_present(
        section.output_device)
    if not present:
        return Verdict("speech", WARN, f"{engine.describe()}, voices "
                       f"{', '.join(sorted(set(engine.voices.values())))} work, but there is no "
                       "audio output device: nothing will be heard")
    return Verdict("speech", OK, f"{engine.describe()}, voices "
                   f"{', '.join(sorted(set(engine.voices.values())))}")
