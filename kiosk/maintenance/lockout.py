"""Lockout after repeated wrong PINs, kept in SQLite so that a restart does not reset it.

Entry is locked for the whole kiosk (not per operator id), so guessing across ids does not help.
Times are wall-clock seconds (``clock.now()``): a monotonic clock does not survive a restart.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from contract.clock import Clock
from kiosk.maintenance.db import Locked

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lockout (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    failures INTEGER NOT NULL,
    locked_until REAL NOT NULL
);
INSERT OR IGNORE INTO lockout (id, failures, locked_until) VALUES (1, 0, 0);
"""


@dataclass(frozen=True)
class LockState:
    failures: int
    locked_until: float
    seconds_left: float

    @property
    def locked(self) -> bool:
        return self.seconds_left > 0


class Lockout:
    """Counts consecutive failures; ``max_failures`` of them lock entry for ``lockout_s``."""

    def __init__(self, db: Locked, clock: Clock, max_failures: int = 5, lockout_s: float = 900):
        self._db = db
        self._clock = clock
        self._max = max_failures
        self._lockout_s = lockout_s
        with db.lock:
            db.conn.executescript(_SCHEMA)

    def state(self) -> LockState:
        with self._db.lock:
            failures, until = self._db.conn.execute(
                "SELECT failures, locked_until FROM lockout WHERE id = 1").fetchone()
        left = max(0.0, until - self._clock.now())
        # A wall clock set far back must not stretch the lock beyond its length.
        left = min(left, float(self._lockout_s))
        return LockState(failures, until, left)

    def record_failure(self) -> LockState:
        """One more wrong PIN; locks when the count reaches ``max_failures``."""
        with self._db.lock:
            failures = self.state().failures + 1
            until = 0.0
            if failures >= self._max:
                until = self._clock.now() + self._lockout_s
                log.warning("maintenance entry locked for %d s after %d wrong PINs",
                            self._lockout_s, failures)
                failures = 0
            self._db.conn.execute(
                "UPDATE lockout SET failures = ?, locked_until = ? WHERE id = 1", (failures, until))
        return self.state()

    def record_success(self) -> None:
        with self._db.lock:
            self._db.conn.execute("UPDATE lockout SET failures = 0, locked_until = 0 WHERE id = 1")
