"""Time as an injected dependency, so no test sleeps.

``SystemClock`` is the real one. ``FakeClock`` moves only when told; ``sleep`` on it advances
time at once, and ``wait`` returns as soon as time has been advanced past the deadline.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock seconds since the epoch (for records and the backend)."""

    def monotonic(self) -> float:
        """Seconds for measuring intervals and deadlines."""

    def sleep(self, seconds: float) -> None:
        """Wait this long (a fake clock advances instead)."""


def utc_from(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that moves only by ``advance`` (or by ``sleep``, which advances)."""

    def __init__(self, start: float = 1_795_000_000.0):
        self._t = start
        self._mono = 1000.0
        self._cond = threading.Condition()

    def now(self) -> float:
        with self._cond:
            return self._t

    def monotonic(self) -> float:
        with self._cond:
            return self._mono

    def advance(self, seconds: float) -> None:
        with self._cond:
            self._t += seconds
            self._mono += seconds
            self._cond.notify_all()

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))
