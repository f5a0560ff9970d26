"""A ``post`` for a thread without a UI loop (tests, the demo driver, benchmarks): workers post
callables, the owning thread runs them with ``run_pending``/``run_until``."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class PostQueue:
    """A thread-safe ``post`` for a thread without a UI loop: callables run when the owner drains."""

    def __init__(self):
        self._items: deque[Callable[[], None]] = deque()
        self._cond = threading.Condition()

    def __call__(self, fn: Callable[[], None]) -> None:
        with self._cond:
            self._items.append(fn)
            self._cond.notify_all()

    def run_pending(self) -> int:
        """Run every callable posted so far (and those they post); how many ran."""
        ran = 0
        while True:
            with self._cond:
                if not self._items:
                    return ran
                fn = self._items.popleft()
            fn()
            ran += 1

    def run_until(self, predicate: Callable[[], bool], timeout_s: float = 10.0) -> bool:
        """Run posted callables as they come until *predicate* holds; False after *timeout_s*."""
        end = time.monotonic() + timeout_s
        while True:
            self.run_pending()
            if predicate():
                return True
            with self._cond:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return False
                if not self._items:
                    self._cond.wait(min(remaining, 0.05))
