"""One long poll at a time on its own thread, for the wallet QR and the scan payment waits.

The waiting loop (in ``qr_payment`` and ``scan_payment``) starts a ``LongPoll``, pauses on
*wake*, and reads ``answer`` once ``done`` is set; ``quick`` says the server answered at once
(it ignores ``wait_s``), so the next query is paced like a plain poll.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from contract.clock import SystemClock

log = logging.getLogger(__name__)

# A long poll answered this fast (real seconds) without news: the server ignores ``wait_s``,
# so the next query waits ``poll_interval_s`` like a plain poll.
QUICK_S = 0.5


class LongPoll:
    """``ask()`` on a daemon thread; ``done`` is set (and *wake* with it) when it answered.
    ``answer`` stays *unknown* when ``ask`` raised (it maps backend errors itself)."""

    def __init__(self, ask: Callable[[], object], wait_s: int, wake: threading.Event,
                 name: str, unknown: object = None):
        self.done = threading.Event()
        self.answer = unknown
        self.quick = False
        self._ask, self._wait_s, self._wake, self._name = ask, wait_s, wake, name
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        started = time.monotonic()
        try:
            self.answer = self._ask()
        except Exception:  # anything the backend error mapping did not catch: unknown
            log.exception("%s failed", self._name)
        self.quick = time.monotonic() - started < min(QUICK_S, self._wait_s)
        self.done.set()
        self._wake.set()


def can_wait(clock) -> bool:
    """Whether ``MoneyContext.pause`` on this clock can be ended early by an event."""
    return callable(getattr(clock, "wait", None)) or isinstance(clock, SystemClock)
