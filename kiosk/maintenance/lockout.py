"""Lockout after repeated wrong PINs: escalating, on the monotonic clock, kept across restarts.

Entry is locked for the whole kiosk (not per operator id), so guessing across ids does not help.
``max_failures`` wrong PINs in a row lock entry for ``lockout_s`` (15 min); each further lockout
before a successful sign-in doubles the length, up to ``MAX_LOCKOUT_S`` (24 h). Only a correct
PIN resets the count of lockouts; a lock that ends gives another ``max_failures`` attempts.

Time is counted on the monotonic clock (Linux's CLOCK_MONOTONIC runs since boot, for every
process), so setting the wall clock forward neither shortens nor ends a lock. The deadline is
stored in SQLite with the boot it belongs to, so a restart of the app keeps it. After a reboot
the monotonic clock starts again: the lock then goes on for the time that was left when it was
last looked at (saved at least every ``SAVE_EVERY_S``), never for less.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contract.clock import Clock
from kiosk.maintenance.db import Locked

log = logging.getLogger(__name__)

MAX_LOCKOUT_S = 24 * 3600
SAVE_EVERY_S = 10.0
BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")  # without it a reboot restarts a lock

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lockout (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    failures INTEGER NOT NULL,
    locked_until REAL NOT NULL
);
INSERT OR IGNORE INTO lockout (id, failures, locked_until) VALUES (1, 0, 0);
"""
# Added in place to a file made by an older version (which had only the three above).
_COLUMNS = {
    "lockouts": "INTEGER NOT NULL DEFAULT 0",  # lockouts since the last successful sign-in
    "lock_s": "REAL NOT NULL DEFAULT 0",  # the length of the current (or last) lock
    "boot_id": "TEXT NOT NULL DEFAULT ''",  # the boot the monotonic deadline belongs to
    "mono_deadline": "REAL NOT NULL DEFAULT 0",  # the lock's end on that boot's monotonic clock
    "left_s": "REAL NOT NULL DEFAULT 0",  # seconds left when last looked at (for after a reboot)
}


def read_boot_id() -> str:
    """This boot's id from the kernel ("" where there is none: then every start is a new boot)."""
    try:
        return BOOT_ID_FILE.read_text(encoding="ascii").strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class LockState:
    failures: int
    locked_until: float  # wall-clock time the lock was expected to end (for display and audit)
    seconds_left: float
    lockouts: int = 0
    lock_s: float = 0.0

    @property
    def locked(self) -> bool:
        return self.seconds_left > 0


def lock_length(base_s: float, lockouts: int, cap_s: float = MAX_LOCKOUT_S) -> float:
    """The length of the *lockouts*-th lock in a row: base, 2×base, 4×base … up to the cap."""
    if lockouts < 1:
        return 0.0
    return float(min(cap_s, base_s * 2 ** min(lockouts - 1, 32)))


class Lockout:
    """Counts consecutive failures; ``max_failures`` of them lock entry (escalating length)."""

    def __init__(self, db: Locked, clock: Clock, max_failures: int = 5, lockout_s: float = 900,
                 max_lockout_s: float = MAX_LOCKOUT_S,
                 boot_id: Callable[[], str] = read_boot_id):
        self._db = db
        self._clock = clock
        self._max = max_failures
        self._lockout_s = lockout_s
        self._cap_s = max(float(lockout_s), float(max_lockout_s))
        self._boot = boot_id() or ""
        with db.lock:
            db.conn.executescript(_SCHEMA)
            have = {r[1] for r in db.conn.execute("PRAGMA table_info(lockout)")}
            for name, decl in _COLUMNS.items():
                if name not in have:
                    try:
                        db.conn.execute(f"ALTER TABLE lockout ADD COLUMN {name} {decl}")
                    except sqlite3.OperationalError as e:  # another process added it just now
                        if "duplicate column" not in str(e):
                            raise
            if "lock_s" not in have:
                self._migrate_old_lock()

    def _migrate_old_lock(self) -> None:
        """A lock written by an older version (wall clock only): keep what is left of it."""
        (until,) = self._db.conn.execute("SELECT locked_until FROM lockout WHERE id = 1").fetchone()
        left = min(max(0.0, until - self._clock.now()), float(self._lockout_s))
        if left > 0:
            self._save_lock(lockouts=1, lock_s=float(self._lockout_s), left=left)

    def _save_lock(self, *, lockouts: int, lock_s: float, left: float, failures: int = 0) -> None:
        self._db.conn.execute(
            "UPDATE lockout SET failures = ?, locked_until = ?, lockouts = ?, lock_s = ?, "
            "boot_id = ?, mono_deadline = ?, left_s = ? WHERE id = 1",
            (failures, self._clock.now() + left, lockouts, lock_s, self._boot,
             self._clock.monotonic() + left, left))

    def state(self) -> LockState:
        with self._db.lock:
            failures, until, lockouts, lock_s, boot, deadline, saved_left = self._db.conn.execute(
                "SELECT failures, locked_until, lockouts, lock_s, boot_id, mono_deadline, left_s "
                "FROM lockout WHERE id = 1").fetchone()
            if saved_left <= 0:
                return LockState(failures, until, 0.0, lockouts, lock_s)
            if boot == self._boot:
                left = deadline - self._clock.monotonic()
            else:  # rebooted since: the monotonic clock restarted; go on from what was left
                left = saved_left
                log.info("maintenance lock carried over a reboot: %d s left", left)
            # Never longer than the lock itself (a monotonic value from another boot, say).
            left = min(max(0.0, left), lock_s)
            if left <= 0 or boot != self._boot or saved_left - left >= SAVE_EVERY_S:
                self._save_lock(lockouts=lockouts, lock_s=lock_s, left=left, failures=failures)
            return LockState(failures, self._clock.now() + left, left, lockouts, lock_s)

    def record_failure(self) -> LockState:
        """One more wrong PIN; locks (for longer each time) when the count reaches the limit."""
        with self._db.lock:
            current = self.state()
            failures = current.failures + 1
            if failures < self._max:
                self._db.conn.execute("UPDATE lockout SET failures = ? WHERE id = 1", (failures,))
            else:
                lockouts = current.lockouts + 1
                length = lock_length(self._lockout_s, lockouts, self._cap_s)
                log.warning("maintenance entry locked for %d s after %d wrong PINs (lockout %d "
                            "since the last sign-in)", length, failures, lockouts)
                self._save_lock(lockouts=lockouts, lock_s=length, left=length)
        return self.state()

    def record_success(self) -> None:
        with self._db.lock:
            self._db.conn.execute(
                "UPDATE lockout SET failures = 0, locked_until = 0, lockouts = 0, lock_s = 0, "
                "mono_deadline = 0, left_s = 0 WHERE id = 1")
