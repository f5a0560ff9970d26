"""A maintenance session: who is logged in, and the auto exit after a while without a touch."""

from __future__ import annotations

import logging

from contract.clock import Clock

log = logging.getLogger(__name__)


class MaintenanceSession:
    """Open after a good PIN; ``expired()`` once ``auto_exit_s`` pass without ``touch()``."""

    def __init__(self, operator_id: str, clock: Clock, auto_exit_s: float = 300.0):
        self.operator_id = operator_id
        self._clock = clock
        self._auto_exit_s = auto_exit_s
        self._last_touch = clock.monotonic()
        self._closed = False

    def touch(self) -> None:
        self._last_touch = self._clock.monotonic()

    @property
    def seconds_left(self) -> float:
        if self._closed:
            return 0.0
        return max(0.0, self._auto_exit_s - (self._clock.monotonic() - self._last_touch))

    def expired(self) -> bool:
        return self.seconds_left <= 0

    def close(self) -> None:
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed
