"""How long a waiting customer is kept at a terminal that has stopped making sense.

Every valid frame from the terminal (an EVT, any RSP, the idle prober's STATUS answers) is a sign
of life; ACK/NAK bytes, partial frames, bad checksums and garbage are not. Without a sign of life
for ``quiet_s`` the sale stops waiting for its RSP and is settled by QUERY; ``bound_s`` after the
last sign of life the wait ends for good (``OutcomeUnknown``: background recovery QUERYs later).

An EVT may announce a window in which the terminal legitimately waits on the customer without
sending anything (``EVT … RETAP``: 20 s for the same Octopus card): it pushes both marks past the
window plus ``margin_s``. The marks only ever move later, so a later EVT never shortens a window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

RETAP_WINDOW_S = 20.0  # the spec: a RETAP waits up to 20 s for the same card
STAGE_WINDOWS: Mapping[str, float] = {"RETAP": RETAP_WINDOW_S}


class Liveness:
    """Two marks on the monotonic clock, moved later by each valid frame.

    Args:
        quiet_s: without a valid frame for this long, stop waiting and QUERY.
        bound_s: without a valid frame for this long, give the customer up (>= quiet_s).
        windows: EVT stage -> seconds the terminal may stay silent after it.
        margin_s: added to a window.
        clock: monotonic seconds (tests pass a fake).
    """

    def __init__(self, quiet_s: float = 9.0, bound_s: float = 15.0,
                 windows: Mapping[str, float] = STAGE_WINDOWS, margin_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic):
        if not 0 < quiet_s <= bound_s:
            raise ValueError(f"need 0 < quiet_s <= bound_s, got {quiet_s} and {bound_s}")
        self.quiet_s, self.bound_s, self.margin_s = quiet_s, bound_s, margin_s
        self._windows = dict(windows)
        self._clock = clock
        self._lock = threading.Lock()
        now = clock()
        self._quiet_at, self._bound_at = now + quiet_s, now + bound_s
        self.last_heard = now

    def heard(self, stage: str = "") -> None:
        """A valid frame arrived (``stage``: the EVT's stage, for its window)."""
        now = self._clock()
        quiet = self.quiet_s
        if stage in self._windows:
            quiet = max(quiet, self._windows[stage] + self.margin_s)
        with self._lock:
            self.last_heard = now
            self._quiet_at = max(self._quiet_at, now + quiet)
            self._bound_at = max(self._bound_at, now + quiet + self.bound_s - self.quiet_s)

    def restart(self) -> None:
        """A new request starts: count from now at the latest (never shortens a window)."""
        now = self._clock()
        with self._lock:
            self._quiet_at = max(self._quiet_at, now + self.quiet_s)
            self._bound_at = max(self._bound_at, now + self.bound_s)

    @property
    def quiet_at(self) -> float:
        with self._lock:
            return self._quiet_at

    @property
    def bound_at(self) -> float:
        with self._lock:
            return self._bound_at

    def quiet(self) -> bool:
        return self._clock() >= self.quiet_at

    def expired(self) -> bool:
        return self._clock() >= self.bound_at

    def silent_for(self) -> float:
        """Seconds since the last valid frame (or the start of the request)."""
        with self._lock:
            return max(0.0, self._clock() - self.last_heard)
