"""espeak-ng as the speech engine: one short-lived process per utterance, WAV on its stdout.

Voices by language: ``yue`` (Cantonese) for zh-Hant, ``cmn-latn-pinyin`` for zh-Hans, ``en``.
espeak-ng's plain ``cmn`` voice does not speak Mandarin for Chinese characters: ``espeak-ng -v
cmn -x 请输入`` prints English phonemes (``(en)kI55NTr'i:55…``, i.e. "qing three" read as
English). ``cmn-latn-pinyin`` reads tone-numbered pinyin as Mandarin (``tS;h'i21N s.'u55
z.'u51``), so text for a ``*-latn-pinyin`` voice is first turned into pinyin with pypinyin,
which picks a polyphonic character's reading by the word around it (银行 háng, where the
voice's own dictionary says xíng; 重新 chóng, not zhòng). pypinyin is loaded in the background
when the accessible mode starts (``warm``); until it is there, and without it, the characters
go to the same voice, which reads them in Mandarin too but without that word context.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Mapping

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050  # espeak-ng's output: 16-bit mono PCM at this rate
WAV_HEADER_BYTES = 44
_CJK_PUNCTUATION = str.maketrans({"，": ", ", "。": ". ", "、": ", ", "：": ": ", "；": "; ",
                                  "！": ". ", "？": "? ", "（": ", ", "）": ", ", "「": "",
                                  "」": "", "…": ". ", "·": ", ", "—": ", "})


class SpeechUnavailable(RuntimeError):
    """The engine is not installed or could not start."""


_pinyin = {"convert": None, "thread": None}
_pinyin_lock = threading.Lock()


def warm_pinyin() -> threading.Thread | None:
    """Load pypinyin on a background thread (once): it takes about 1 s and 55 MB, which the
    kiosk's start-up cannot afford; the accessible mode asks for it when it is entered."""
    with _pinyin_lock:
        if _pinyin["convert"] is not None or _pinyin["thread"] is not None:
            return _pinyin["thread"]

        def load() -> None:
            try:
                from pypinyin import Style, lazy_pinyin
            except ImportError:
                log.warning("pypinyin not installed: Mandarin speech reads characters directly")
                return

            def convert(text: str) -> str:
                return " ".join(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True))

            convert("你好")  # its dictionaries load on first use
            _pinyin["convert"] = convert

        thread = threading.Thread(target=load, name="kiosk-pinyin", daemon=True)
        _pinyin["thread"] = thread
        thread.start()
        return thread


def to_pinyin(text: str, wait: bool = False) -> str:
    """Chinese characters as tone-numbered pinyin (``港币`` → ``gang3 bi4``); other text kept.
    While pypinyin is still loading (or missing) the characters are returned as they are (the
    pinyin voice reads them in Mandarin too, without the word context) unless *wait*."""
    if _pinyin["convert"] is None:
        thread = warm_pinyin()
        if wait and thread is not None:
            thread.join(30)
    convert = _pinyin["convert"]
    return convert(text) if convert is not None else text


class EspeakEngine:
    """Synthesizes text in a language's voice. ``volume`` is 0–100 (espeak-ng amplitude 0–200)."""

    def __init__(self, voices: Mapping[str, str], binary: str = "espeak-ng", speed_wpm: int = 150):
        self.voices = dict(voices)
        self.binary = binary
        self.speed_wpm = speed_wpm

    @property
    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def describe(self) -> str:
        """``espeak-ng 1.51 …`` or why not."""
        if not self.available:
            return f"{self.binary} not found"
        try:
            out = subprocess.run([self.binary, "--version"], capture_output=True, text=True,
                                 timeout=5, check=False).stdout
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"{self.binary} does not run: {e}"
        first = out.strip().splitlines()[0] if out.strip() else self.binary
        return first.split("  Data at")[0].strip()

    def warm(self) -> None:
        """Load what the voices need before the first prompt (pypinyin, in the background)."""
        if any(v.endswith("latn-pinyin") for v in self.voices.values()):
            warm_pinyin()

    def text_for(self, text: str, language: str, wait: bool = False) -> str:
        """The text as this language's voice should get it (pinyin for a pinyin voice)."""
        voice = self.voice(language)
        text = text.translate(_CJK_PUNCTUATION)
        if voice.endswith("latn-pinyin"):
            text = to_pinyin(text, wait=wait)
        return re.sub(r"\s+", " ", text).strip()

    def voice(self, language: str) -> str:
        return self.voices.get(language) or self.voices.get("en", "en")

    def argv(self, text: str, language: str, volume: int, wait: bool = False) -> list[str]:
        amplitude = max(0, min(200, round(volume * 2)))
        return [self.binary, "-v", self.voice(language), "-a", str(amplitude),
                "-s", str(self.speed_wpm), "--stdout", self.text_for(text, language, wait)]

    def start_waiting(self, language: str, volume: int) -> subprocess.Popen:
        """A synthesis that waits for its text on stdin (write it, then close stdin); its
        stdout is the WAV. Started ahead, it saves the process start from the first sound."""
        amplitude = max(0, min(200, round(volume * 2)))
        argv = [self.binary, "-v", self.voice(language), "-a", str(amplitude),
                "-s", str(self.speed_wpm), "--stdout"]
        try:
            return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL)
        except OSError as e:
            raise SpeechUnavailable(f"{self.binary}: {e}") from e

    def start(self, text: str, language: str, volume: int) -> subprocess.Popen:
        """A running synthesis whose stdout is the WAV (header, then PCM as it is made)."""
        try:
            return subprocess.Popen(self.argv(text, language, volume), stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        except OSError as e:
            raise SpeechUnavailable(f"{self.binary}: {e}") from e

    def synthesize(self, text: str, language: str, volume: int = 100) -> bytes:
        """The whole utterance as a WAV file's bytes (16-bit mono PCM)."""
        try:
            done = subprocess.run(self.argv(text, language, volume, wait=True), capture_output=True,
                                  timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise SpeechUnavailable(f"{self.binary}: {e}") from e
        if done.returncode != 0 or len(done.stdout) <= WAV_HEADER_BYTES:
            raise SpeechUnavailable(f"{self.binary} exited {done.returncode}")
        return fixed_wav_header(done.stdout)


def fixed_wav_header(wav: bytes) -> bytes:
    """espeak-ng streams its WAV with placeholder sizes; write the real RIFF and data sizes."""
    import struct

    body = len(wav) - WAV_HEADER_BYTES
    return (wav[:4] + struct.pack("<I", len(wav) - 8) + wav[8:40] + struct.pack("<I", body)
            + wav[WAV_HEADER_BYTES:])
