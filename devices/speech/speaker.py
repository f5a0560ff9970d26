"""Saying one thing at a time, interruptibly, to the configured audio output (or nowhere).

``Speaker.say`` stops what is being said and starts the new text at once, on the caller's
thread: espeak-ng makes the audio and its stdout is joined, by the operating system, to the
player's stdin (sox's ``play``, to the output device). No Python thread stands between the
engine and the device, so a busy UI thread (a frame being drawn holds the interpreter) cannot
delay the first sound. Where the kiosk has no audio device a probe takes the player's place:
it plays nothing, and notes when the first non-silent sample reached it, the figure
``bench/bench_speech.py`` reports (``utterances``: per utterance, when ``say`` was called and
when its first sample arrived, ``time.monotonic`` seconds, the same clock in every process).
"""

from __future__ import annotations

import glob
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

from devices.speech.espeak import EspeakEngine, SpeechUnavailable

log = logging.getLogger(__name__)

# The player where there is no audio device: drops the audio, prints the monotonic time of the
# first non-silent sample (past the 44-byte WAV header).
PROBE = """
import sys, time
stream = sys.stdin.buffer
header = b""
while len(header) < 44:
    chunk = stream.read1(44 - len(header))
    if not chunk:
        sys.exit(0)
    header += chunk
while True:
    chunk = stream.read1(4096)
    if not chunk:
        break
    if chunk.strip(b"\\0"):
        print(repr(time.monotonic()), flush=True)
        break
while stream.read1(65536):
    pass
"""


def audio_device_present(device: str = "") -> bool:
    """Whether there is anywhere to play to: ``device`` ``none`` never; an ALSA playback PCM
    (``/dev/snd/pcmC*D*p``) or a PulseAudio/PipeWire socket otherwise."""
    if device == "none":
        return False
    if glob.glob("/dev/snd/pcmC*D*p"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    return bool(os.environ.get("PULSE_SERVER")) or (
        bool(runtime) and os.path.exists(os.path.join(runtime, "pulse", "native")))


def player_argv(_device: str = "") -> list[str]:
    """sox's ``play`` reading WAV from stdin (the device is given through ``AUDIODEV``)."""
    return ["play", "-q", "-t", "wav", "-"]


def probe_argv() -> list[str]:
    return [sys.executable, "-S", "-c", PROBE]


class Speaker:
    """One utterance at a time. ``player``: the player's argv; None where there is no audio
    device (then the probe: nothing is played)."""

    def __init__(self, engine: EspeakEngine, player: Sequence[str] | None, device: str = "",
                 on_error: Callable[[str], None] | None = None):
        self.engine = engine
        self.player = list(player) if player else None
        self.device = device
        self.on_error = on_error
        self.first_sample_s: list[float] = []  # say → first sample, probe only
        self.utterances: list[list] = []  # [say time, first sample time or None], monotonic
        self._lock = threading.Lock()
        self._current: _Utterance | None = None

    @property
    def available(self) -> bool:
        return self.engine.available

    def warm(self) -> None:
        self.engine.warm()

    def say(self, text: str, language: str, volume: int) -> None:
        """Stop what is being said and start saying *text* (returns once the processes run)."""
        started = time.monotonic()
        with self._lock:
            if self._current is not None:
                self._current.stop()
            utterance = _Utterance(self, started)
            self._current = utterance
            try:
                utterance.launch(text, language, volume)
            except (SpeechUnavailable, OSError) as e:
                log.warning("speech failed: %s", e)
                if self.on_error:
                    self.on_error(str(e))
                return
            utterance.start()

    def stop(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.stop()
                self._current = None

    @property
    def speaking(self) -> bool:
        current = self._current
        return current is not None and current.is_alive()

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        current = self._current
        if current is not None and current.is_alive():
            current.join(timeout_s)
        return not self.speaking

    def close(self) -> None:
        self.stop()


class _Utterance(threading.Thread):
    """The engine's and the player's processes; the thread only waits for them (and reads the
    probe's one line)."""

    def __init__(self, speaker: Speaker, started: float):
        super().__init__(name="kiosk-speech", daemon=True)
        self.speaker = speaker
        self.record = [started, None]
        self._procs: list[subprocess.Popen] = []
        self._probe = speaker.player is None

    def launch(self, text: str, language: str, volume: int) -> None:
        synth = self.speaker.engine.start(text, language, volume)
        self._procs.append(synth)
        self.speaker.utterances.append(self.record)
        env = None
        if self.speaker.device and not self._probe:
            env = {**os.environ, "AUDIODEV": self.speaker.device}
        try:
            player = subprocess.Popen(
                probe_argv() if self._probe else self.speaker.player, stdin=synth.stdout,
                stdout=subprocess.PIPE if self._probe else subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env)
        finally:
            synth.stdout.close()  # the player holds the pipe now
        self._procs.append(player)

    def stop(self) -> None:
        for proc in list(self._procs):
            if proc.poll() is None:
                proc.kill()

    def run(self) -> None:
        player = self._procs[-1]
        if self._probe:
            line = player.stdout.readline()
            player.stdout.close()
            if line.strip():
                first = float(line)
                self.record[1] = first
                self.speaker.first_sample_s.append(first - self.record[0])
        for proc in self._procs:
            proc.wait()
