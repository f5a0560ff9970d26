"""Maintenance login: the PIN check behind the lockout, every attempt audited."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from contract.clock import Clock
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.lockout import Lockout
from kiosk.maintenance.operator_session import MaintenanceSession
from kiosk.maintenance.pins import PinStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginResult:
    outcome: str  # ok | wrong | locked | unavailable
    session: MaintenanceSession | None = None
    lock_seconds_left: float = 0.0
    attempts_left: int = 0


class MaintenanceLogin:
    """Checks operator id + PIN, unless entry is locked; audits every attempt."""

    def __init__(self, pins: PinStore, lockout: Lockout, audit: AuditLog, clock: Clock,
                 max_failures: int = 5, auto_exit_s: float = 300.0, unavailable: str = ""):
        self._pins = pins
        self.unavailable = unavailable  # why sign-in cannot work here (no pepper), else ""
        self._lockout = lockout
        self._audit = audit
        self._clock = clock
        self._max = max_failures
        self._auto_exit_s = auto_exit_s

    def locked_for(self) -> float:
        """Seconds left on the lock (0 when entry is open)."""
        return self._lockout.state().seconds_left

    def login(self, operator_id: str, pin: str) -> LoginResult:
        if self.unavailable:
            self._audit.record(operator_id, "login", "unavailable", why=self.unavailable)
            return LoginResult("unavailable")
        state = self._lockout.state()
        if state.locked:
            self._audit.record(operator_id, "login", "locked", seconds_left=int(state.seconds_left))
            return LoginResult("locked", lock_seconds_left=state.seconds_left)
        if self._pins.verify(operator_id, pin):
            self._lockout.record_success()
            self._audit.record(operator_id, "login", "ok")
            return LoginResult("ok", MaintenanceSession(operator_id, self._clock, self._auto_exit_s))
        after = self._lockout.record_failure()
        if after.locked:
            self._audit.record(operator_id, "login", "wrong_pin_locked",
                               seconds_left=int(after.seconds_left), lockout=after.lockouts)
            return LoginResult("locked", lock_seconds_left=after.seconds_left)
        self._audit.record(operator_id, "login", "wrong_pin", failures=after.failures)
        return LoginResult("wrong", attempts_left=self._max - after.failures)

    def logout(self, session: MaintenanceSession, reason: str = "operator") -> None:
        """Close the session and audit why (``operator`` or ``auto_exit``)."""
        if session.closed:
            return
        session.close()
        self._audit.record(session.operator_id, "logout", reason)
