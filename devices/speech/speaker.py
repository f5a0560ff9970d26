"""Saying one thing at a time, interruptibly, to the configured audio output (or nowhere).

``Speaker.say`` stops what is being said and starts the new text at once. Each utterance is a
pipeline of two processes joined by the operating system: espeak-ng, reading the text on its
stdin, writes WAV to the player's stdin (sox's ``play``, to the output device). No Python thread
stands between the engine and the device, so a busy UI thread (a frame being drawn holds the
interpreter) cannot delay the sound. The next pipeline for the same language and volume is
started ahead and waits for its text: a prompt then costs a write, not two process starts
(the first sample comes under a millisecond after the text, against 20–50 ms cold).

Where the kiosk has no audio device a probe takes the player's place: it plays nothing and
notes when the first non-silent sample reached it, the figure ``bench/bench_speech.py``
reports (``utterances``: per utterance, when ``say`` was called and when its first sample
arrived, ``time.monotonic`` seconds, the same clock in every process).
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


class _Pipeline:
    """espeak-ng waiting for text, its stdout joined to the player (or the probe)."""

    def __init__(self, speaker: Speaker, language: str, volume: int):
        self.key = (language, volume)
        self.probe = speaker.player is None
        self.synth = speaker.engine.start_waiting(language, volume)
        env = None
        if speaker.device and not self.probe:
            env = {**os.environ, "AUDIODEV": speaker.device}
        try:
            self.player = subprocess.Popen(
                probe_argv() if self.probe else speaker.player, stdin=self.synth.stdout,
                stdout=subprocess.PIPE if self.probe else subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env)
        except OSError:
            self.synth.kill()
            self.synth.wait()
            raise
        finally:
            self.synth.stdout.close()  # the player holds the pipe now

    @property
    def ready(self) -> bool:
        return self.synth.poll() is None and self.player.poll() is None

    def speak(self, text: str) -> None:
        self.synth.stdin.write(text.encode("utf-8") + b"\n")
        self.synth.stdin.close()

    def kill(self) -> None:
        for proc in (self.synth, self.player):
            if proc.poll() is None:
                proc.kill()

    def reap(self) -> None:
        for proc in (self.synth, self.player):
            proc.wait()
        for stream in (self.synth.stdin, self.player.stdout):
            if stream is not None and not stream.closed:
                try:
                    stream.close()
                except OSError:
                    pass


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
        self._spare: _Pipeline | None = None

    @property
    def available(self) -> bool:
        return self.engine.available

    def warm(self) -> None:
        self.engine.warm()

    def prepare(self, language: str, volume: int) -> None:
        """Start a pipeline for (*language*, *volume*) ahead, on a worker thread, unless one
        is ready: the first prompt then needs no process start either."""
        with self._lock:
            spare = self._spare
            if spare is not None and spare.key == (language, volume) and spare.ready:
                return

        def start() -> None:
            try:
                pipeline = _Pipeline(self, language, volume)
            except Exception as e:
                log.warning("speech: no pipeline ahead: %s", e)
                return
            with self._lock:
                pipeline, self._spare = self._spare, pipeline
            if pipeline is not None:
                pipeline.kill()
                pipeline.reap()

        threading.Thread(target=start, name="kiosk-speech-prepare", daemon=True).start()

    def say(self, text: str, language: str, volume: int) -> None:
        """Stop what is being said and start saying *text* (returns once it is under way)."""
        started = time.monotonic()
        spoken = self.engine.text_for(text, language)
        with self._lock:
            if self._current is not None:
                self._current.stop()
            try:
                pipeline = self._take_spare((language, volume)) or _Pipeline(self, language, volume)
                pipeline.speak(spoken)
            except (SpeechUnavailable, OSError) as e:
                log.warning("speech failed: %s", e)
                if self.on_error:
                    self.on_error(str(e))
                self._current = None
                return
            utterance = _Utterance(self, pipeline, started)
            self.utterances.append(utterance.record)
            self._current = utterance
            utterance.start()

    def stop(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.stop()
                self._current = None

    def release(self) -> None:
        """Stop, and end the pipeline waiting ahead (the customer has gone)."""
        self.stop()
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.kill()
            spare.reap()

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
        self.release()

    def _take_spare(self, key) -> _Pipeline | None:
        spare, self._spare = self._spare, None
        if spare is None:
            return None
        if spare.key == key and spare.ready:
            return spare
        spare.kill()
        threading.Thread(target=spare.reap, daemon=True).start()
        return None

    def _prepare(self, utterance: _Utterance) -> None:
        """Start the next pipeline like *utterance*'s (on its thread, off the caller's); kept
        only while *utterance* is still the current one (not stopped, not released)."""
        try:
            pipeline = _Pipeline(self, *utterance.pipeline.key)
        except Exception as e:  # the next prompt then starts its own processes
            log.warning("speech: no pipeline ahead: %s", e)
            return
        with self._lock:
            if self._current is utterance:
                pipeline, self._spare = self._spare, pipeline
        if pipeline is not None:  # the one replaced, or the new one when no longer wanted
            pipeline.kill()
            pipeline.reap()


class _Utterance(threading.Thread):
    """Waits for one pipeline (reading the probe's one line), after starting the next one."""

    def __init__(self, speaker: Speaker, pipeline: _Pipeline, started: float):
        super().__init__(name="kiosk-speech", daemon=True)
        self.speaker = speaker
        self.pipeline = pipeline
        self.record = [started, None]

    def stop(self) -> None:
        self.pipeline.kill()

    def run(self) -> None:
        pipeline = self.pipeline
        if pipeline.probe:
            line = pipeline.player.stdout.readline()
            if line.strip():
                first = float(line)
                self.record[1] = first
                self.speaker.first_sample_s.append(first - self.record[0])
        self.speaker._prepare(self)
        pipeline.reap()
