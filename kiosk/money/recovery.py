"""Start-up recovery and the background reconciler: no unfinished row is ever forgotten.

``recover`` (run it before the first sale) takes needs_attention rows that were only ever
ambiguous back to their pending state, then drives every unfinished row forward at once. The
``Reconciler`` thread then keeps at what could not be settled yet (orders that could still be
paid late, credits and refunds the backend did not confirm), each row when its next retry is due
(``kiosk.money.retrying``): it never gives up on an ambiguity; only a definite answer that needs
a person ends in needs_attention.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from contract.clock import Clock, SystemClock
from kiosk.money import holds, retrying, settling
from kiosk.money.context import MoneyContext, Unsettled, is_settled
from kiosk.money.crash_points import NO_CRASH, CrashPoints

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveryReport:
    """What one pass did: rows settled now, rows still open, rows handed to a person."""

    settled: tuple[str, ...]
    still_open: tuple[str, ...]
    needs_attention: tuple[str, ...]


def recover(journal, backend, terminal, settings, clock: Clock | None = None,
            on_event: Callable[[object], None] | None = None,
            crash: CrashPoints = NO_CRASH) -> RecoveryReport:
    """Revive the retryable needs_attention rows, then drive every unfinished row forward now,
    retrying ones included whatever their backoff; call before the first sale."""
    ctx = MoneyContext(journal, backend, terminal, settings, clock or SystemClock(),
                       on_event or _log_event, crash)
    revived = retrying.revive_retryable(ctx)
    if revived:
        log.info("start-up recovery: %d rows back from needs_attention for a retry", len(revived))
    report = settle_pass(ctx, skip=lambda txn_id: False, due_only=False)
    _mask_expired(journal)  # (holds waiting for their release: the reconciler's passes)
    return report


def settle_pass(ctx: MoneyContext, skip: Callable[[str], bool],
                due_only: bool = True) -> RecoveryReport:
    """One pass over the unfinished rows (with *due_only*, those whose retry is due)."""
    settled, still_open, attention = [], [], []
    now = ctx.clock.now()
    for row in ctx.journal.unfinished():
        if skip(row.id):
            continue
        txn = ctx.journal.get(row.id)  # fresh: the row may have moved since the list was read
        if is_settled(txn):
            continue
        if due_only and not retrying.due(txn, now):
            still_open.append(txn.id)
            continue
        try:
            txn = settling.drive(ctx, txn)
        except Unsettled as e:
            txn = retrying.unsettled(ctx, txn.id, e)
            if txn.state != "needs_attention":
                still_open.append(txn.id)
                continue
        except Exception:
            log.exception("%s could not be driven forward; will try again", row.id)
            still_open.append(row.id)
            continue
        (attention if txn.state == "needs_attention" else settled).append(txn.id)
    return RecoveryReport(tuple(settled), tuple(still_open), tuple(attention))


MASK_INTERVAL_S = 3600.0


class Reconciler:
    """A background thread that keeps settling open rows, on the injected clock."""

    def __init__(self, journal, backend, terminal, settings, clock: Clock | None = None,
                 on_event: Callable[[object], None] | None = None,
                 skip: Callable[[str], bool] = lambda txn_id: False,
                 interval_s: float | None = None, crash: CrashPoints = NO_CRASH):
        self._ctx = MoneyContext(journal, backend, terminal, settings, clock or SystemClock(),
                                 on_event or _log_event, crash)
        self._skip = skip
        self._interval_s = interval_s or max(settings.payments.poll_interval_s * 5, 10.0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one pass at a time (thread or run_once)
        self._masked_at: float | None = None  # monotonic time of the last retention sweep
        self.last: RecoveryReport = RecoveryReport((), (), ())

    def run_once(self) -> RecoveryReport:
        """One pass now, on the caller's thread; the retention sweep at most once an hour."""
        with self._lock:
            self.last = settle_pass(self._ctx, self._skip)
            holds.release_pending_holds(self._ctx, self._skip)
            now = self._ctx.clock.monotonic()
            if self._masked_at is None or now - self._masked_at >= MASK_INTERVAL_S:
                self._masked_at = now
                _mask_expired(self._ctx.journal)
            return self.last

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="reconciler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("reconciler pass failed; trying again")
            if self._ctx.pause(self._interval_s, self._stop):
                return


def _mask_expired(journal) -> None:
    """Full phone numbers are never kept past the retention, whatever the row's state."""
    try:
        masked = journal.mask_expired_numbers()
    except Exception:
        log.exception("retention sweep failed; will try again")
        return
    if masked:
        log.info("retention: masked the numbers of %d transactions", masked)


def _log_event(event) -> None:
    log.info("recovery: %s", event)
