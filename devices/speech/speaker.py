"""Saying one thing at a time, interruptibly, to the configured audio output (or nowhere).

``Speaker.say`` stops what is being said and starts the new text on a worker thread: espeak-ng
makes the audio, a player process (sox's ``play``) takes it to the output device as it comes.
Where the kiosk has no audio device nothing is played (the audio is still made and then
dropped, so its timing is the same). ``first_sample_s`` records, per utterance, the time from
``say`` to the first non-silent sample coming out of the engine (``bench/bench_speech.py``).
"""

from __future__ import annotations

import glob
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

from devices.speech.espeak import WAV_HEADER_BYTES, EspeakEngine, SpeechUnavailable

log = logging.getLogger(__name__)

CHUNK = 2048


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


def player_argv(device: str) -> list[str]:
    """sox's ``play`` reading WAV from stdin; *device* is set through ``AUDIODEV``."""
    return ["play", "-q", "-t", "wav", "-"]


class Speaker:
    """One utterance at a time. ``player`` is the player's argv (None: nothing is played)."""

    def __init__(self, engine: EspeakEngine, player: Sequence[str] | None, device: str = "",
                 on_error: Callable[[str], None] | None = None):
        self.engine = engine
        self.player = list(player) if player else None
        self.device = device
        self.on_error = on_error
        self.first_sample_s: list[float] = []
        # Per utterance: [time of say, time of its first non-silent sample or None] (perf_counter)
        self.utterances: list[list] = []
        self._lock = threading.Lock()
        self._current: _Utterance | None = None

    @property
    def available(self) -> bool:
        return self.engine.available

    def say(self, text: str, language: str, volume: int) -> None:
        """Stop what is being said and say *text* (returns at once)."""
        started = time.perf_counter()
        with self._lock:
            if self._current is not None:
                self._current.stop()
            self._current = _Utterance(self, text, language, volume, started)
            self._current.start()

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
        if current is not None:
            current.join(timeout_s)
        return not self.speaking

    def close(self) -> None:
        self.stop()


class _Utterance(threading.Thread):
    def __init__(self, speaker: Speaker, text: str, language: str, volume: int, started: float):
        super().__init__(name="kiosk-speech", daemon=True)
        self.speaker, self.text, self.language, self.volume = speaker, text, language, volume
        self.started = started
        self.record = [started, None]
        speaker.utterances.append(self.record)
        self._stopped = threading.Event()
        self._procs: list[subprocess.Popen] = []

    def stop(self) -> None:
        self._stopped.set()
        for proc in list(self._procs):
            if proc.poll() is None:
                proc.kill()

    def run(self) -> None:
        try:
            self._run()
        except (SpeechUnavailable, OSError) as e:
            log.warning("speech failed: %s", e)
            if self.speaker.on_error:
                self.speaker.on_error(str(e))
        finally:
            for proc in self._procs:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                if proc.stdout:
                    proc.stdout.close()

    def _run(self) -> None:
        synth = self.speaker.engine.start(self.text, self.language, self.volume)
        self._procs.append(synth)
        if self._stopped.is_set():
            return
        player = self._open_player()
        header = _read_exactly(synth.stdout, WAV_HEADER_BYTES)
        if player:
            player.stdin.write(header)
        heard = False
        while not self._stopped.is_set():
            chunk = synth.stdout.read(CHUNK)
            if not chunk:
                break
            if not heard and any(chunk[i:i + 2] != b"\0\0" for i in range(0, len(chunk) - 1, 2)):
                heard = True
                now = time.perf_counter()
                self.speaker.first_sample_s.append(now - self.started)
                self.record[1] = now
            if player:
                try:
                    player.stdin.write(chunk)
                except BrokenPipeError:
                    break
        if player:
            try:
                player.stdin.close()
            except BrokenPipeError:
                pass

    def _open_player(self) -> subprocess.Popen | None:
        if not self.speaker.player:
            return None
        env = dict(os.environ)
        if self.speaker.device:
            env["AUDIODEV"] = self.speaker.device
        proc = subprocess.Popen(self.speaker.player, stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self._procs.append(proc)
        return proc


def _read_exactly(stream, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return data
