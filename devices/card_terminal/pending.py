"""Requests waiting for their RSP, matched by ecr_ref (and command) as answers come in."""

from __future__ import annotations

import threading
from collections.abc import Callable

from devices.card_terminal.protocol import TerminalResult


class Pending:
    """One request's wait for an answer; ``lost`` is set when the link drops meanwhile."""

    def __init__(self, ecr_ref: str, accepts: Callable[[TerminalResult], bool]):
        self.ecr_ref, self.accepts = ecr_ref, accepts
        self.result: TerminalResult | None = None
        self.lost = False


class PendingAnswers:
    """The set of waits; answers are delivered from the reader thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waits: list[Pending] = []

    def add(self, ecr_ref: str, accepts: Callable[[TerminalResult], bool]) -> Pending:
        wait = Pending(ecr_ref, accepts)
        with self._cond:
            self._waits.append(wait)
        return wait

    def remove(self, wait: Pending) -> None:
        with self._cond:
            if wait in self._waits:
                self._waits.remove(wait)

    def deliver(self, rsp: TerminalResult) -> bool:
        """Give an answer to every wait that takes it; False if none did (an unexpected answer)."""
        with self._cond:
            takers = [w for w in self._waits if w.ecr_ref == rsp.ecr_ref and w.accepts(rsp)]
            for w in takers:
                w.result = rsp
            self._cond.notify_all()
        return bool(takers)

    def wait(self, wait: Pending, timeout_s: float) -> TerminalResult | None:
        """The answer, or None after ``timeout_s`` or as soon as the link drops."""
        with self._cond:
            self._cond.wait_for(lambda: wait.result is not None or wait.lost, max(0.0, timeout_s))
            return wait.result

    def rearm(self, wait: Pending) -> None:
        with self._cond:
            wait.lost = False

    def link_lost(self) -> None:
        with self._cond:
            for w in self._waits:
                w.lost = True
            self._cond.notify_all()
