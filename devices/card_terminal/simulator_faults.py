"""The terminal simulator's link-level fault switches (the spec's list), and its link end.

Switches, each a count of frames still to spoil (or a flag), set at construction or at run
time with ``Faults.set(name, value)``:

- ``nak_frames``: NAK the next N good frames received (the driver retransmits);
- ``drop_acks``: handle the next N frames but send no ACK (the driver sends them again, so the
  terminal sees duplicates: it must not charge twice);
- ``corrupt_lrc``: spoil the LRC of the next N frames sent (the driver NAKs them);
- ``slow_frames``: pause ``slow_gap_s`` (> T_char) in the middle of the next N frames sent;
- ``silent``: power loss: read nothing, answer nothing.

A count may be limited to frames of one command (``only="SALE"``, ``"RSP"``, ``"EVT"``…), so
a test spoils the frame it means and not an idle-time STATUS; at construction give
``nak_frames=(2, "SALE")``.
"""

from __future__ import annotations

import logging
import threading
import time

from devices.card_terminal import protocol as p
from devices.card_terminal.link_layer import FrameLink

log = logging.getLogger(__name__)

FAULTS = ("nak_frames", "drop_acks", "corrupt_lrc", "slow_frames", "silent")


class Faults:
    """Thread-safe fault counters."""

    def __init__(self, slow_gap_s: float = 0.7, **switches: int | bool):
        self.slow_gap_s = slow_gap_s
        self._lock = threading.Lock()
        self._values: dict[str, int] = dict.fromkeys(FAULTS, 0)
        self._only: dict[str, str | None] = dict.fromkeys(FAULTS)
        for name, value in switches.items():
            count, only = value if isinstance(value, tuple) else (value, None)
            self.set(name, count, only)

    def set(self, name: str, value: int | bool, only: str | None = None) -> None:
        if name not in self._values:
            raise ValueError(f"unknown fault {name!r}: expected one of {FAULTS}")
        with self._lock:
            self._values[name], self._only[name] = int(value), only

    def get(self, name: str) -> int:
        with self._lock:
            return self._values[name]

    def take(self, name: str, command: str = "") -> bool:
        """Use one count of a switch for a frame of ``command``: True if it applies."""
        with self._lock:
            only = self._only[name]
            if self._values[name] > 0 and (only is None or only == command):
                self._values[name] -= 1
                return True
            return False

    @property
    def silent(self) -> bool:
        return self.get("silent") > 0


class SimulatorFrameLink(FrameLink):
    """The terminal's end of the link layer, spoiling frames as the switches say."""

    def __init__(self, *args, faults: Faults, **kwargs):
        super().__init__(*args, **kwargs)
        self.faults = faults

    def feed(self, data: bytes) -> None:
        if not self.faults.silent:
            super().feed(data)

    def answer_for(self, msg: p.Message) -> tuple[int | None, bool]:
        command = p.encode(msg).split(bytes([p.FS]), 1)[0].decode()
        if self.faults.take("nak_frames", command):
            return p.NAK, False
        if self.faults.take("drop_acks", command):
            log.info("simulator fault: no ACK for %s", type(msg).__name__)
            return None, True
        return p.ACK, True

    def transmit(self, raw: bytes, note: str) -> None:
        if self.faults.silent:
            return
        command = raw[1:].split(bytes([p.FS]), 1)[0].decode("ascii", "replace")
        if len(raw) > 1 and self.faults.take("corrupt_lrc", command):
            raw = raw[:-1] + bytes([raw[-1] ^ 0xFF])
            note += " (LRC spoiled)"
        if len(raw) > 1 and self.faults.take("slow_frames", command):
            self.wire.sent(raw, note + " (with a gap longer than T_char)")
            half = len(raw) // 2
            self._write(raw[:half])
            time.sleep(self.faults.slow_gap_s)  # the fault itself: a pause inside the frame
            self._write(raw[half:])
            return
        super().transmit(raw, note)
