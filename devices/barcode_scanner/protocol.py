"""The serial 2D scanner's wire protocol (the common Honeywell-style command set), pure.

```
host → scanner   SYN T CR  (16 54 0D)   start a read (the trigger)
host → scanner   SYN U CR  (16 55 0D)   stop reading
scanner → host   <code> CR [LF]         one code, printable ASCII (wallet codes are digits)
```

A scanner in manual-trigger mode reads one code per trigger. ``CodeAssembler`` turns the bytes
received into whole codes: a code is reported only when its CR (or LF) arrives; a code interrupted
by a pause longer than ``gap_s`` (half read), spoiled by noise (bytes that are neither printable
ASCII nor CR/LF) or longer than ``max_len`` is dropped and counted. Noise between codes is
ignored. The keyboard-wedge scanner (``evdev_scanner``) feeds the same assembler.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

SYN, CR, LF = 0x16, 0x0D, 0x0A
TRIGGER = bytes([SYN, ord("T"), CR])  # start reading
UNTRIGGER = bytes([SYN, ord("U"), CR])  # stop reading
MAX_CODE_LEN = 64


class CodeAssembler:
    """Bytes in, complete codes out (see the module doc). Not thread-safe: one reader feeds it.

    Args:
        gap_s: a pause longer than this inside a code drops it (a half-read code).
        clock: monotonic seconds (tests pass their own).
    """

    def __init__(self, gap_s: float = 0.3, clock: Callable[[], float] = time.monotonic,
                 max_len: int = MAX_CODE_LEN):
        self._gap_s, self._clock, self._max_len = gap_s, clock, max_len
        self._buf = bytearray()
        self._spoiled = False
        self._last_at = 0.0
        self.dropped = 0  # half-read, noisy or overlong codes thrown away

    def reset(self) -> None:
        """Forget a partial code (reading stopped or started again)."""
        self._buf.clear()
        self._spoiled = False

    def feed(self, data: bytes) -> list[str]:
        """The codes completed by *data*, in order."""
        now = self._clock()
        if self._buf and now - self._last_at > self._gap_s:
            self._drop("a pause inside the code (half read)")
        self._last_at = now
        codes: list[str] = []
        for b in data:
            if b in (CR, LF):
                if self._buf and not self._spoiled:
                    codes.append(self._buf.decode("ascii"))
                elif self._buf:
                    self._drop("noise inside the code")
                self.reset()
            elif 0x20 <= b <= 0x7E:
                if len(self._buf) >= self._max_len:
                    self._spoiled = True
                else:
                    self._buf.append(b)
            elif self._buf:  # noise between codes is ignored; inside one it spoils it
                self._spoiled = True
        return codes

    def _drop(self, why: str) -> None:
        self.dropped += 1
        log.info("scanner: a code of %d characters dropped: %s", len(self._buf), why)
        self.reset()
