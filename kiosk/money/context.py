"""What every step of the money engine shares: its dependencies, commits and outside calls.

A step commits the state that leads to an outside call (``commit``) and only then makes the call
(``call``), so a crash between the two leaves a row that says what may have happened. Both places
are crash points for the crash tests (``kiosk.money.crash_points``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from contract.clock import Clock, SystemClock
from kiosk.backend.errors import BackendError
from kiosk.journal.models import FINAL_STATES
from kiosk.money.crash_points import NO_CRASH, CrashPoints
from kiosk.money.hold_rules import RELEASE_PENDING, hold_fields

log = logging.getLogger(__name__)

UNKNOWN = object()  # what ``ask`` returns when the backend could not answer a query
# Bounded effort: how many rounds of "call, and on an ambiguous answer query" a step makes before
# it leaves the row for the reconciler. The backend client retries inside each round.
ROUNDS = 3


class Unsettled(Exception):
    """A step could not learn the outcome of an outside call within its bounded effort.

    The row stays in its pending state (committed before the call), for the reconciler or the
    next start-up to settle by querying with the same key.
    """

    def __init__(self, txn_id: str, reason: str, retry: bool = True):
        super().__init__(f"{txn_id}: {reason}")
        self.txn_id = txn_id
        self.reason = reason
        # True: an ambiguity (no answer, 5xx, in flight) that the same call with the same key
        # settles later; False: a definite answer no automatic step can act on (a person's case).
        self.retry = retry


@dataclass(frozen=True)
class Answer:
    """An outside call's answer that leads to no outside call of its own (a hold's id): it is
    committed with the next step's state (``MoneyContext.commit(…, answer=…)``), one commit
    (one fsync) instead of two, and its crash point ``<point>:commit`` is passed after it.

    A crash between the answer and that commit loses it; the row still says what was asked
    (the key is committed), so whoever settles it acts as if the answer never came."""

    point: str
    fields: dict


@dataclass
class MoneyContext:
    """The engine's dependencies; ``emit`` receives purchase events (a no-op in recovery)."""

    journal: object
    backend: object
    terminal: object | None
    settings: object
    clock: Clock = field(default_factory=SystemClock)
    emit: Callable[[object], None] = lambda event: None
    crash: CrashPoints = NO_CRASH
    # Called with a row whose hold has just become release_pending (the purchase service
    # releases it on a background thread; elsewhere the reconciler's pass does).
    release_soon: Callable[[object], None] = lambda txn: None

    def commit(self, txn, state: str, *, answer: Answer | None = None, **fields):
        """Advance the row and commit it (fsync) before anything that depends on it; the hold's
        fate that goes with the new state (``hold_rules.hold_fields``) is in the same commit.

        With *answer*, its fields go in the same commit, as if set just before the move (the
        hold's fate follows them), and its crash point is passed after the commit, before
        the state's own."""
        before = {} if answer is None else dict(answer.fields)
        seen = replace(txn, **before) if before else txn
        new = self.journal.advance(txn.id, state,
                                   **{**before, **hold_fields(seen, state), **fields})
        log.info("%s %s -> %s", txn.id, txn.state, state)
        if answer is not None:
            self.crash.hit(f"{answer.point}:commit")
        self.crash.hit(f"{state}:commit")
        if new.hold_state == RELEASE_PENDING and txn.hold_state != RELEASE_PENDING:
            self.release_soon(new)
        return new

    def update(self, txn, point: str, **fields):
        """Set fields without a state move (a hold's id or state), committed; crash point
        ``<point>:commit``."""
        new = self.journal.update(txn.id, **fields)
        self.crash.hit(f"{point}:commit")
        return new

    def commit_through(self, txn, *states: str, **fields):
        """Advance the row through *states* in one commit (one fsync), for steps that lead to
        no outside call of their own (``paid`` then ``credit_pending``): each state is in the
        history and each state's crash point is passed, all after the one commit."""
        new = self.journal.advance_through(txn.id, states, **fields)
        log.info("%s %s -> %s", txn.id, txn.state, " -> ".join(states))
        for state in states:
            self.crash.hit(f"{state}:commit")
        return new

    def call(self, txn, operation: str, fn: Callable, *args, **kwargs):
        """Make one outside call, with crash points on both sides of it."""
        self.crash.hit(f"{txn.state}:{operation}:before")
        try:
            return fn(*args, **kwargs)
        finally:
            self.crash.hit(f"{txn.state}:{operation}:after")

    def ask(self, txn, operation: str, fn: Callable, *args):
        """A query (repeatable, changes nothing): its answer, or UNKNOWN on any backend error."""
        try:
            return self.call(txn, operation, fn, *args)
        except BackendError as e:
            log.warning("%s %s gave no answer: %s", txn.id, operation, e)
            return UNKNOWN

    def note(self, txn, kind: str, **detail) -> None:
        self.journal.note(txn.id, kind, detail)

    def pause(self, seconds: float, stop: threading.Event | None = None) -> bool:
        """Wait ``seconds`` on the injected clock; True when ``stop`` was set meanwhile."""
        if stop is not None and stop.is_set():
            return True
        waiter = getattr(self.clock, "wait", None)
        if stop is not None and callable(waiter):
            return bool(waiter(stop, seconds))
        if stop is not None and isinstance(self.clock, SystemClock):
            return stop.wait(seconds)
        self.clock.sleep(seconds)
        return stop is not None and stop.is_set()


def is_final(txn) -> bool:
    return txn.state in FINAL_STATES


def is_settled(txn) -> bool:
    """Final, or waiting for a person: nothing automatic is left to do."""
    return txn.state in FINAL_STATES or txn.state == "needs_attention"
