"""The accessible kiosk's parts from settings: the speech device, the narrator, the mode, the keys."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from devices.speech.espeak import EspeakEngine
from devices.speech.speaker import Speaker, audio_device_present, player_argv
from kiosk.accessibility.keys import KeyMap
from kiosk.accessibility.mode import AccessibleMode
from kiosk.speech.narrator import Narrator
from kiosk.speech.prompts import SpeechContext

log = logging.getLogger(__name__)


@dataclass
class Accessibility:
    keys: KeyMap
    narrator: Narrator
    mode: AccessibleMode
    engine: EspeakEngine | None
    hold_to_enter_s: float
    text_scale: float

    def close(self) -> None:
        if self.narrator.speaker is not None:
            self.narrator.speaker.close()


def engine_for(section) -> EspeakEngine | None:
    if section.speech_engine == "none":
        return None
    return EspeakEngine({"zh-Hant": section.voice_zh_hant, "zh-Hans": section.voice_zh_hans,
                         "en": section.voice_en}, speed_wpm=section.speed_wpm)


def build_accessibility(settings, speaker=None) -> Accessibility:
    """From ``settings.accessibility``; *speaker* replaces the espeak-ng one (tests)."""
    section = settings.accessibility
    engine = engine_for(section)
    if speaker is None and engine is not None:
        if not engine.available:
            log.warning("speech engine %s not found: the kiosk works without speech", engine.binary)
        player = player_argv(section.output_device) if audio_device_present(
            section.output_device) else None
        if player is None:
            log.info("no audio output device: speech is made but not played")
        speaker = Speaker(engine, player, device=section.output_device
                          if section.output_device != "none" else "")
    narrator = Narrator(speaker, SpeechContext(public_speaker=section.public_speaker),
                        volume=section.volume)
    mode = AccessibleMode(narrator, section.time_scale, section.warning_s)
    return Accessibility(KeyMap(section.keypad), narrator, mode, engine,
                         section.hold_to_enter_s, section.text_scale)
