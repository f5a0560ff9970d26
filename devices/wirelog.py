"""The wire log: every frame to and from a device, in hex, at DEBUG on ``wire.<device>``.

Besides the log, a ring buffer keeps the last frames per device for the maintenance screen
(``driver.recent_frames()``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

log = logging.getLogger(__name__)

SENT = "tx"
RECEIVED = "rx"


@dataclass(frozen=True)
class WireFrame:
    direction: str  # "tx" (to the device) | "rx" (from the device)
    at: float  # wall-clock seconds since the epoch
    hex: str  # "02 53 54 ... 03 6A"
    note: str = ""  # what the driver made of it ("ACK", "bad LRC", "retransmission 2"…)


class WireLog:
    """Records frames of one device: the ``wire.<device>`` logger and a ring of the last ``size``."""

    def __init__(self, device: str, size: int = 200):
        self.device = device
        self._logger = logging.getLogger(f"wire.{device}")
        self._frames: deque[WireFrame] = deque(maxlen=size)
        self._lock = threading.Lock()

    def sent(self, data: bytes, note: str = "") -> None:
        self._record(SENT, data, note)

    def received(self, data: bytes, note: str = "") -> None:
        self._record(RECEIVED, data, note)

    def recent(self) -> tuple[WireFrame, ...]:
        """The last frames, oldest first."""
        with self._lock:
            return tuple(self._frames)

    def _record(self, direction: str, data: bytes, note: str) -> None:
        frame = WireFrame(direction, time.time(), data.hex(" ").upper(), note)
        with self._lock:
            self._frames.append(frame)
        if self._logger.isEnabledFor(logging.DEBUG):
            self._logger.debug("%s %s%s", direction, frame.hex, f"  ({note})" if note else "")
