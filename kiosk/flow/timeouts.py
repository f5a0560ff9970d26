"""How long each state may last: idle screens warn then time out, result screens return, money
states end at the payment's own deadline. Measured on the injected clock, so no test sleeps."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from kiosk.flow.machine import IDLE_STATES, RESULT_STATES


class IdleTimer:
    """Time since the last touch (or state change) in the current state, on the injected clock."""

    def __init__(self, clock):
        self._clock = clock
        self._since = clock.monotonic()

    def restart(self) -> None:
        self._since = self._clock.monotonic()

    def elapsed_s(self) -> float:
        return self._clock.monotonic() - self._since


RETAP_S = 20.0  # Octopus: the terminal's window to tap the same card again
CARD_MARGIN_S = 15.0  # beyond the terminal's own card timeout, before the kiosk asks it to abort
# The scan screen waits this long for a code (again after a code that did not pay); an order in
# flight has the money engine's own deadline (it reverses what is not settled in 45 s).
SCAN_SCREEN_S = 90.0


@dataclass(frozen=True)
class TimeoutVerdict:
    """What the current state's timer says: time is up, show the warning, seconds to go."""

    expired: bool = False
    warning: bool = False
    seconds_left: int | None = None


class StateTimeouts:
    """Per-state limits: idle screens warn then time out; result screens return; money states end
    at the payment's own deadline (the QR's expiry, the terminal's card timeout)."""

    def __init__(self, settings, clock):
        self._flow = settings.flow
        self._payments = settings.payments
        self._clock = clock
        self._deadline: float | None = None  # monotonic, money states only
        self._scale = 1.0  # the accessible mode's longer customer limits (money ones unchanged)
        self._warning_s = self._flow.warning_s

    def set_limits(self, scale: float = 1.0, warning_s: float | None = None) -> None:
        """Customer time limits ×*scale*, the warning *warning_s* ahead (default: settings).
        Money deadlines (the QR's validity, the card timeout) are not changed."""
        self._scale = scale
        self._warning_s = self._flow.warning_s if warning_s is None else warning_s

    def entered(self, state: str) -> None:
        """A state was entered: money states get their payment deadline."""
        now = self._clock.monotonic()
        if state == "paying_qr":
            self._deadline = now + self._payments.qr_expires_in_s
        elif state == "paying_card":
            self._deadline = now + self._payments.card_timeout_s + CARD_MARGIN_S
        elif state == "paying_octopus":  # the card timeout, the margin, and one retap window
            self._deadline = now + self._payments.card_timeout_s + CARD_MARGIN_S + RETAP_S
        elif state == "paying_scan":
            self._deadline = now + SCAN_SCREEN_S
        else:
            self._deadline = None

    def qr_expires_at(self, expires_at: datetime | None) -> None:
        """The wallet order's own expiry: the QR screen counts down to it."""
        if expires_at is not None:
            self._deadline = self._clock.monotonic() + (expires_at.timestamp() - self._clock.now())

    def scan_again(self) -> None:
        """Another code may be shown (the last one did not pay): the scan screen's time anew."""
        self._deadline = self._clock.monotonic() + SCAN_SCREEN_S

    def check(self, state: str, idle_s: float) -> TimeoutVerdict:
        if state in IDLE_STATES:
            limit = self._flow.idle_timeout_s * self._scale
            return _verdict(limit - idle_s, warn_s=self._warning_s)
        if state in RESULT_STATES:
            return _verdict(self._flow.result_screen_s * self._scale - idle_s, warn_s=0.0)
        if state in ("paying_qr", "paying_card", "paying_octopus", "paying_scan") and self._deadline is not None:
            return _verdict(self._deadline - self._clock.monotonic(), warn_s=0.0)
        return TimeoutVerdict()


def _verdict(left_s: float, warn_s: float) -> TimeoutVerdict:
    if left_s <= 0:
        return TimeoutVerdict(expired=True, seconds_left=0)
    return TimeoutVerdict(warning=left_s <= warn_s, seconds_left=math.ceil(left_s))
