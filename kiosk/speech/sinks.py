"""Where utterances are recorded besides the speaker: a JSON-lines log and one WAV per prompt.

Used by ``kiosk demo --speech-log FILE --speech-wav DIR``. The WAVs are synthesized in full on a
worker of their own, so an utterance cut short by a key press is still recorded whole.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class SpeechLog:
    """``{"state", "lang", "text"}`` per line, flushed as written."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed by close())
        self.lines = 0

    def __call__(self, state: str, language: str, text: str) -> None:
        self._file.write(json.dumps({"state": state, "lang": language, "text": text},
                                    ensure_ascii=False) + "\n")
        self._file.flush()
        self.lines += 1

    def close(self) -> None:
        self._file.close()


class WavWriter:
    """``NNNN-<state>-<lang>.wav`` per utterance, 16-bit PCM from the engine."""

    def __init__(self, folder: Path, engine, volume: int = 100):
        self.folder = folder
        self.engine = engine
        self.volume = volume
        self.written: list[Path] = []
        self.failed = 0
        folder.mkdir(parents=True, exist_ok=True)
        self._queue: queue.Queue = queue.Queue()
        self._worker = threading.Thread(target=self._run, name="kiosk-speech-wav", daemon=True)
        self._worker.start()
        self._count = 0

    def __call__(self, state: str, language: str, text: str) -> None:
        self._count += 1
        self._queue.put((self._count, state, language, text))

    def close(self) -> None:
        """Wait for every queued WAV."""
        self._queue.put(None)
        self._worker.join()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            number, state, language, text = item
            path = self.folder / f"{number:04d}-{state or 'none'}-{language}.wav"
            try:
                path.write_bytes(self.engine.synthesize(text, language, self.volume))
                self.written.append(path)
            except Exception as e:
                self.failed += 1
                log.warning("no WAV for %s: %s", path.name, e)
